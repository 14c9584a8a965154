"""Scrapers' data files: the statement a JSON record or a table's one row holds (its text, title and
date), or why a JSON, CSV or XML file (a record without text, an export of many, a sitemap, a feed
saved whole), a stylesheet or a script holds none."""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from commclean.ingest.frontmatter import as_date

# Names scrapers and feed exports give a record's title and its date of publication, lower-cased
# (the first one present is taken). A record's other dates ("scraped_at", "modified") say when a
# file was made or changed, not when the statement was issued: they are never taken.
_TITLE_KEYS = ("title", "headline", "name")
_DATE_KEYS = ("date", "published", "publishdate", "publish_date", "pubdate", "date_published", "datepublished",
              "published_at", "publication_date", "publish_time", "release_date")
# A text has more words than this, and a word a _MAX_CHARS_A_WORD characters at the most: a
# string with fewer is an address, a path, an identifier or encoded data.
_MIN_WORDS = 3
_MAX_CHARS_A_WORD = 20
# A table's header: short names, one of them a statement's column (a title, a date, a text).
_COLUMN_NAME = re.compile(r"[a-z_][a-z0-9_ .-]{0,39}")
_COLUMNS = frozenset({*_TITLE_KEYS, *_DATE_KEYS, "text", "content", "body", "url", "link", "source_url", "summary"})
# Code: braces and spaced "=" make this share of its visible characters (CSS about 5%, scripts
# 3-8%; statements, LaTeX and markdown leftovers included, under 0.1%), and at least so many.
CODE_MARKS_SHARE = 0.01
_MIN_CODE_MARKS = 8
_JSON = ("JSON", "read_json_record", "JSON record")
_CSV = ("CSV", "read_table_row", "table row")
# The elements of a feed that hold one statement each (RSS's items, Atom's entries).
_ITEMS = frozenset({"item", "entry"})
# A string of a record that holds markup rather than text ("<p>…</p>" of a page's body).
_MARKUP = re.compile(r"<(?:p|div|br|span|h[1-6]|li|ul|ol|article|section|table|strong|em|a)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DataRecord:
    stated_date: dt.date | None
    text: str  # the record's statement, its title first; markup still to read where it had markup
    markup: bool
    step: str  # the decoding step, as `repairs` names it
    source: str  # where its date came from, as `date_source` names it


def opens_like_json(text: str) -> bool:
    """Whether the text may be JSON at all: most texts are settled so without parsing them."""
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def read_json_record(text: str, min_chars: int) -> DataRecord | str | None:
    """The statement a JSON file holds: its longest text of words (a record's text outweighs its
    address and tags; its title heads it) when that has `min_chars` characters or more, with the
    title and date of the object holding it. Why it is no statement (data without such a text,
    or several records in one file); or None when the text is not JSON (it is read as it is)."""
    if not opens_like_json(text):
        return None
    records = _parsed(text.lstrip("\ufeff"))
    return None if records is None else _statement_of(records, _JSON, min_chars)


def read_table_row(text: str, min_chars: int) -> DataRecord | str | None:
    """The same of a CSV or TSV table whose header names a statement's columns ("title",
    "content", "date", …): its one row's statement, or why the table is none. None for any other
    text: a statement's first line may hold commas, but names no such columns."""
    records = _table_records(text)
    return _statement_of(records, _CSV, min_chars) if records else None


def _table_records(text: str) -> list[dict[str, Any]] | None:
    """The rows of a table whose header names a statement's columns; None for any other text (or
    one csv refuses: a field past its size limit, quoting no table has)."""
    header = text[:4096].lstrip("\ufeff").split("\n", 1)[0]
    delimiter = next((d for d in ",\t;" if _is_header(header, d)), None)
    if delimiter is None:
        return None
    try:
        return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True))
    except csv.Error:
        return None


def _is_header(line: str, delimiter: str) -> bool:
    names = [name.strip().strip('"').lower() for name in line.split(delimiter)]
    return len(names) > 1 and all(_COLUMN_NAME.fullmatch(name) for name in names) and \
        any(name in _COLUMNS for name in names)


def _statement_of(records: list[Any], kind: tuple[str, str, str], min_chars: int) -> DataRecord | str:
    """The one record's statement, or why the records are none (`kind`: the format's name, its
    decoding step and the source its date is from)."""
    name, step, source = kind
    holding = [found for record in records if (found := _longest_string(record)) and _visible(found[0]) >= min_chars]
    if not holding:
        return f"{name} data holding no statement text (no text of {min_chars} characters or more in it)"
    if len(records) > 1:  # an export of records, not one statement, even if only some hold a text
        return f"{name} holding {len(records)} records (one statement a file: `commclean unpack` writes each as one)"
    body, owner = holding[0]
    title, stated = _title(owner), _date(owner)
    if title and not body.lstrip().startswith(title):
        body = f"{title}\n\n{body}" if not _MARKUP.search(body) else f"<h1>{title}</h1>\n{body}"
    return DataRecord(stated, body, bool(_MARKUP.search(body)), step, source)


def xml_without_statement(text: str, min_chars: int) -> str | None:
    """Why an XML document that is no web page is no statement: it holds no text of words
    `min_chars` long in any element (a sitemap's addresses and dates, a feed's settings), or a
    feed's several items hold one each (a feed saved whole). None for any other text, a feed of
    one item included (it is read as its markup)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        return None
    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff \t\r\n").encode())
    except (ElementTree.ParseError, ValueError, RecursionError):
        return None
    if not _holds_text(root, min_chars):
        return f"XML data holding no statement text (no text of {min_chars} characters or more in it)"
    items = sum(_holds_text(element, min_chars) for element in root.iter() if _local_name(element.tag) in _ITEMS)
    if items > 1:
        return f"XML feed holding {items} items (one statement a file: `commclean unpack` writes each as one)"
    return None


def code_without_statement(text: str) -> str | None:
    """Why a text is a stylesheet or a script a site mirror saved beside its pages (CSS, JavaScript):
    braces and assignments make CODE_MARKS_SHARE of its visible characters or more, where a
    statement has next to none (a LaTeX leftover's few braces among thousands of letters). None
    for any other text."""
    # "=" only spaced, as scripts assign: a quoted-printable body is full of bare ones ("=E2=80=99").
    marks = text.count("{") + text.count("}") + text.count(" = ")
    if marks < _MIN_CODE_MARKS or marks < CODE_MARKS_SHARE * _visible(text):
        return None
    return "source code or a stylesheet (braces and assignments throughout), not a statement"


def export_records(text: str, min_chars: int) -> list[dict[str, Any]]:
    """The records of an export (JSON, JSON Lines, a CSV or TSV table, an RSS or Atom feed) that
    hold a statement, each as a JSON object a run reads as one (`commclean unpack`); [] for any
    other text."""
    if opens_like_json(text):
        records = _parsed(text.lstrip("\ufeff")) or []
    elif text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        records = _feed_items(text)
    else:
        records = _table_records(text) or []
    return [record for record in records if isinstance(record, dict) and (found := _longest_string(record))
            and _visible(found[0]) >= min_chars]


def _feed_items(text: str) -> list[dict[str, Any]]:
    """A feed's items as records: each child element's text by its local name (an RSS pubDate is a
    record's date as it stands)."""
    try:
        root = ElementTree.fromstring(text.lstrip("\ufeff \t\r\n").encode())
    except (ElementTree.ParseError, ValueError, RecursionError):
        return []
    items = []
    for element in root.iter():
        if _local_name(element.tag) in _ITEMS:
            fields = {_local_name(child.tag): (child.text or "").strip() for child in element}
            items.append(fields)
    return items


def _holds_text(element: ElementTree.Element, min_chars: int) -> bool:
    pieces = (piece for inner in element.iter() for piece in (inner.text, inner.tail) if piece)
    return any(_visible(piece) >= min_chars and _has_words(piece) for piece in pieces)


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parsed(text: str) -> list[Any] | None:
    """The records of a JSON document (a list's items, or the one value), or of JSON Lines (one
    value a line, as feed exports write them); None if the text is neither."""
    try:
        data = json.loads(text)
    except RecursionError:
        return None
    except ValueError:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            return None
        try:
            return [json.loads(line) for line in lines]
        except (ValueError, RecursionError):
            return None
    return data if isinstance(data, list) and all(isinstance(item, dict) for item in data) else [data]


def _longest_string(value: Any, owner: dict | None = None) -> tuple[str, dict] | None:
    """The longest text anywhere in `value`, with the object it is a field of. A text is a string
    of words (an address, an identifier or an encoded image has none between its characters) or
    a list of strings, read as paragraphs ("paragraphs": ["…", "…"])."""
    best: tuple[str, dict] | None = None
    for string, holder in _strings(value, owner):
        if (best is None or len(string) > len(best[0])) and _has_words(string):
            best = (string, holder)
    return best


def _has_words(string: str) -> bool:
    """A text of words: more than _MIN_WORDS of them, and no longer on average than words are."""
    words = len(string.split())
    return words > _MIN_WORDS and words * _MAX_CHARS_A_WORD >= _visible(string)


def _strings(value: Any, owner: dict | None) -> Iterator[tuple[str, dict]]:
    """Every string and list of strings of the JSON value with the object holding it;
    iteratively, so that a deeply nested file costs no recursion."""
    stack: list[tuple[Any, dict | None]] = [(value, owner)]
    while stack:
        item, holder = stack.pop()
        if isinstance(item, str):
            if holder is not None:
                yield item, holder
        elif isinstance(item, dict):  # a title is no body, however long: it heads the body
            stack.extend((child, item) for key, child in item.items() if str(key).lower() not in _TITLE_KEYS)
        elif isinstance(item, list):
            # Paragraphs, most of them of words; not a list of names, addresses or tags.
            if holder is not None and len(item) > 1 and all(isinstance(child, str) for child in item) and \
                    2 * sum(map(_has_words, item)) >= len(item):
                yield "\n\n".join(child.strip() for child in item), holder
            stack.extend((child, holder) for child in item)


def _fields(owner: dict) -> dict[str, Any]:
    return {str(key).lower(): value for key, value in owner.items()}


def _title(owner: dict) -> str | None:
    fields = _fields(owner)
    title = next((fields[k] for k in _TITLE_KEYS if isinstance(fields.get(k), str) and fields[k].strip()), None)
    return " ".join(title.split()) if title else None


def _date(owner: dict) -> dt.date | None:
    """The first date field in an ISO form ("2021-06-21T10:00") or as a feed writes it ("Mon, 21
    Jun 2021 10:00:00 -0400"); forms whose order of day and month is not certain are not read."""
    fields = _fields(owner)
    return next((day for key in _DATE_KEYS if isinstance(fields.get(key), str)
                 and (day := as_date(fields[key]) or _rfc_2822_day(fields[key]))), None)


def _rfc_2822_day(value: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return None


def _visible(text: str) -> int:
    return len("".join(text.split()))
