"""Front matter of a markdown export (YAML between "---" lines, TOML between "+++"): the title and
date it states, and the text without it, its markdown read as a renderer reads it."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from commclean.ingest.markdown import read_markdown

# The block opens the file and closes within this many lines: a statement that merely opens
# with a horizontal rule has no closing fence that near, or is no mapping (below).
_MAX_LINES = 80
_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
# Static-site generators' names for the date of publication, in the order they are trusted.
_DATE_KEYS = ("date", "publishdate", "published", "pubdate", "publish_date", "date_published")
_ISO_DAY = re.compile(r"\A\s*(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class FrontMatter:
    title: str | None
    stated_date: dt.date | None
    text: str  # the file's text without its front matter, the title first


def opens_with_front_matter(text: str) -> bool:
    """Whether the text may open with front matter: most texts are settled so, without splitting them."""
    return text.lstrip("\ufeff").startswith(("---", "+++"))


def read_front_matter(text: str) -> FrontMatter | None:
    """The front matter, when the text opens with one that states a title or a date; else None
    (the text is left as it is)."""
    if not opens_with_front_matter(text):
        return None
    text = text.lstrip("\ufeff")
    lines = text.split("\n", _MAX_LINES + 1)
    closing = _FENCES.get(lines[0].strip())
    if closing is None:
        return None
    end = next((n for n, line in enumerate(lines[1 : _MAX_LINES + 1], 1) if line.strip() in closing), None)
    if end is None:
        return None
    fields = _parsed("\n".join(lines[1:end]), toml=lines[0].strip() == "+++")
    if fields is None:
        return None
    title = fields.get("title")
    title = " ".join(title.split()) if isinstance(title, str) and title.strip() else None
    stated = next((d for d in map(as_date, (fields.get(k) for k in _DATE_KEYS)) if d), None)
    if title is None and stated is None:
        return None
    body = read_markdown("\n".join(lines[end + 1 :]))
    if title and not _opens_with(body, title):
        body = f"{title}\n\n{body}"
    return FrontMatter(title, stated, body)


def _parsed(block: str, toml: bool) -> dict[str, Any] | None:
    """The block as a mapping with lower-case keys, or None if it is not one."""
    try:
        fields = tomllib.loads(block) if toml else yaml.safe_load(block)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(fields, dict):
        return None
    return {str(key).lower(): value for key, value in fields.items()}


def as_date(value: object) -> dt.date | None:
    """A date value as YAML or TOML gives it, or a string opening on an ISO day (\"2021-06-21T10:00\")."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (iso := _ISO_DAY.match(value)):
        try:
            return dt.date(*map(int, iso.groups()))
        except ValueError:
            return None
    return None


def _opens_with(body: str, title: str) -> bool:
    """The body's first line is the title (a heading, once rendered, or as it stands; marked as
    one where a hostile body was left as written)."""
    first = body.split("\n", 1)[0].lstrip("#").strip().strip("*_").strip()
    return " ".join(first.split()) == title
