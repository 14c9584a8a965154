"""Clean statements nobody has looked at, in corpus-extra's format, and how the pipeline treats them.

    python benchmarks/fresh_statements.py (--wh PATH_TO_A_CLONE_OF_brian14708/wh-briefings [--folders F/ ...]
                                           [--sources benchmarks/presidential_actions.json] |
                                           --state PATH_TO_A_CLONE_OF_markschaver/State-Department-PR)
                                          --out /tmp/fresh [--count 600] [--seed 1] [--misses]
                                          [--exclude EARLIER_OUT ...]

Draws `count` White House releases (statements-releases, 800-30,000 characters) from the clone's HEAD,
or State Department press releases (the items of every version of the clone's data.rss, published
on the date of their pubDate in Washington), that no file in ../shared, no benchmark set and no
labelled sample names, by a seeded hash of their path or guid; writes each as corpus-extra does
(title line, blank line, one paragraph a line: markdown rendered by markdown-it, or the feed's HTML;
paragraphs, list items, headings and hard-broken lines one a
line), with `index.jsonl` (file, title, published, source) and `split.json`: every other
statement in `tune` (the only ones whose misses are printed) and `test`. Then builds them all
through the pipeline (no Prefect) and reports, per part, quality.py's clean-statement checks
(unchanged, title exact, dates on or up to 30 days before publication, own dates found), how
many complete statements were flagged truncated and how many were kept only as another
statement's duplicate (each release is a statement of its own: these should be 0, but for a
release published twice).
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import html
import json
import re
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).parent))
from quality import SHARED, clean_checks  # noqa: E402

HERE = Path(__file__).parent
FOLDER = "statements-releases/"
_SOURCE_PATH = re.compile(r"statements-releases/[\w./%-]+?\.md|https://www\.state\.gov/\?page_id=\d+")
_RSS_ITEM = re.compile(r"<item>(.*?)</item>", re.S)
_RSS_FIELD = {name: re.compile(rf"<{name}[^>]*>(.*?)</{name}>", re.S) for name in ("title", "guid", "pubDate")}
_RSS_CREATOR = re.compile(r"<dc:creator><!\[CDATA\[(.*?)\]\]></dc:creator>", re.S)
_RSS_CONTENT = re.compile(r"<content:encoded><!\[CDATA\[(.*?)\]\]></content:encoded>", re.S)
_STRAY_EMPHASIS = re.compile(r"\*{2,}")
_END_MARK = re.compile(r"^[#*\s]+$")  # "# # #", or an emphasis mark left alone on a line
MIN_CHARS, MAX_CHARS = 800, 30_000  # corpus-extra's range


def used_sources(earlier: list[Path]) -> set[str]:
    """Every release a shared folder, a benchmark set, a labelled sample or an `earlier` draw names:
    never drawn."""
    named: set[str] = set()
    for path in [*SHARED.rglob("*.jsonl"), *SHARED.rglob("*.json"), *HERE.glob("*.json"),
                 *(folder / "index.jsonl" for folder in earlier)]:
        named.update(_SOURCE_PATH.findall(path.read_text(encoding="utf-8", errors="replace")))
    return named


class _Blocks(HTMLParser):
    """The text of each paragraph, list item and heading of rendered markdown, one a block."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.BLOCKS:
            self._flush()
        if tag == "br":  # a line of its own on the page: a name in a list, a table's row, a time
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._open.append(data)

    def _flush(self) -> None:
        # Emphasis markers markdown left unpaired ("**Background", "**MSNBC: **Katy") and the
        # site's end mark ("# # #") go, as corpus-extra's own making removed them.
        text = _STRAY_EMPHASIS.sub("", "".join(self._open).replace("\xa0", " ").replace("\u2060", ""))
        text = " ".join(text.split())
        self._open = []
        if text and not _END_MARK.match(text):
            self.blocks.append(text)


def release_statement(markdown: str) -> tuple[str, str, str] | None:
    """(title, published date, text in corpus-extra's format), or None for a release without both."""
    if not markdown.startswith("---"):
        return None
    front, _, body = markdown[3:].partition("\n---\n")
    meta = yaml.safe_load(front) or {}
    title = " ".join(html.unescape(str(meta.get("title", ""))).replace("\u2060", "").split())
    if not title or not meta.get("date"):
        return None
    return title, str(meta["date"]), _statement(title, MarkdownIt("commonmark").render(body))


def _statement(title: str, rendered_html: str, issuer: str | None = None) -> str:
    parser = _Blocks()
    parser.feed(rendered_html)
    parser.close()
    parser._flush()
    blocks = parser.blocks
    if issuer and blocks and blocks[0] == issuer:  # the byline, which corpus-extra keeps in its index
        blocks = blocks[1:]
    return title + "\n\n" + "\n\n".join(blocks) + "\n"


def rss_statements(rss: str) -> list[tuple[str, str, str, str]]:
    """(guid, title, published date in Washington, text) of each item of a feed that has all four."""
    found = []
    for item in _RSS_ITEM.findall(rss):
        fields = {name: pattern.search(item) for name, pattern in _RSS_FIELD.items()}
        content = _RSS_CONTENT.search(item)
        if not all(fields.values()) or not content:
            continue
        title = " ".join(html.unescape(fields["title"][1]).split())
        published = email.utils.parsedate_to_datetime(fields["pubDate"][1].strip())
        day = published.astimezone(zoneinfo.ZoneInfo("America/New_York")).date().isoformat()
        creator = _RSS_CREATOR.search(item)
        issuer = " ".join(creator[1].split()) if creator else None
        found.append((fields["guid"][1].strip(), title, day, _statement(title, content[1], issuer)))
    return found


def wh_releases(wh: Path, count: int, seed: int, earlier: list[Path], folders: tuple[str, ...] = (FOLDER,)
                ) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(source, the markdown file as the clone holds it, (title, published, text)) of `count`
    releases in `folders` that no set names, by a seeded hash of their path."""
    listed = _git(wh, "ls-tree", "-r", "--name-only", "HEAD", *folders).split()
    used = used_sources(earlier)
    order = sorted((p for p in listed if p.endswith(".md") and p not in used),
                   key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    drawn = []
    for source, markdown, made in _rendered(wh, order):
        if made and MIN_CHARS <= len(made[2]) <= MAX_CHARS:
            drawn.append((source, markdown, made))
        if len(drawn) == count:
            break
    return drawn


def listed_wh(wh: Path, paths: list[str]) -> list[tuple[str, str, str, str]]:
    """(source, title, published, text) of the listed releases, as wh_releases renders them."""
    return [(source, *made) for source, _, made in _rendered(wh, paths) if made]


def _rendered(wh: Path, paths: list[str]) -> Iterator[tuple[str, str, tuple[str, str, str] | None]]:
    """(source, markdown, its statement or None) of each path at the clone's HEAD, one at a time."""
    commit = _git(wh, "rev-parse", "HEAD").strip()
    for path in paths:
        markdown = _git(wh, "show", f"HEAD:{path}")
        yield f"github:brian14708/wh-briefings {path} @ {commit}", markdown, release_statement(markdown)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def draw_state(state: Path, count: int, seed: int, earlier: list[Path]) -> list[tuple[str, str, str, str]]:
    """(source, title, published, text) of `count` press releases of any version of data.rss that no
    set names, by a seeded hash of their guid (each item as the newest version holding it gives it)."""
    commits = subprocess.run(["git", "-C", str(state), "log", "--format=%H", "--", "data.rss"], capture_output=True,
                             text=True, check=True).stdout.split()
    wanted = "".join(f"{commit}:data.rss\n" for commit in commits).encode()
    feeds = subprocess.run(["git", "-C", str(state), "cat-file", "--batch"], input=wanted, capture_output=True,
                           check=True).stdout
    used = used_sources(earlier)
    items: dict[str, tuple[str, str, str, str]] = {}
    at = 0
    for commit in commits:  # newest first
        header_end = feeds.index(b"\n", at)
        size = int(feeds[at:header_end].split()[2])
        rss = feeds[header_end + 1 : header_end + 1 + size].decode("utf-8", errors="replace")
        at = header_end + 1 + size + 1
        for guid, title, published, text in rss_statements(rss):
            if guid not in items and guid not in used and MIN_CHARS <= len(text) <= MAX_CHARS:
                items[guid] = (f"github:markschaver/State-Department-PR data.rss @ {commit} (RSS item guid {guid})",
                               title, published, text)
    order = sorted(items, key=lambda guid: hashlib.sha256(f"{seed}:{guid}".encode()).hexdigest())
    return [items[guid] for guid in order[:count]]


def write_set(out: Path, drawn: list[tuple[str, str, str, str]]) -> dict[str, list[str]]:
    out.mkdir(parents=True, exist_ok=True)
    rows, split = [], {"tune": [], "test": []}
    for number, (source, title, published, text) in enumerate(drawn):
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        name = f"{number:03d}_{published}_{slug}"
        (out / f"{name}.txt").write_text(text, encoding="utf-8")
        rows.append({"file": f"{name}.txt", "title": title, "published": published, "source": source})
        split["tune" if number % 2 == 0 else "test"].append(name)
    (out / "index.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (out / "split.json").write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    return split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wh", type=Path, help="a clone (or bare git directory) of wh-briefings")
    source.add_argument("--state", type=Path, help="a clone (or bare git directory) of State-Department-PR")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--misses", action="store_true", help="list what went wrong on the tune part")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier draws (their --out folders)")
    parser.add_argument("--folders", nargs="*", default=[FOLDER], help="the wh-briefings clone's folders to draw from")
    parser.add_argument("--sources", type=Path, default=None,
                        help="a committed draw (benchmarks/presidential_actions.json): exactly its releases, in order")
    args = parser.parse_args()
    if (args.out / "split.json").is_file():
        split = json.loads((args.out / "split.json").read_text(encoding="utf-8"))
    elif args.wh and args.sources:
        split = write_set(args.out, listed_wh(args.wh, json.loads(args.sources.read_text(encoding="utf-8"))["sources"]))
    elif args.wh:
        split = write_set(args.out, [(source, *made) for source, _, made in
                                     wh_releases(args.wh, args.count, args.seed, args.exclude, tuple(args.folders))])
    else:
        split = write_set(args.out, draw_state(args.state, args.count, args.seed, args.exclude))
    results, own_date_misses = clean_checks(args.out, {name: set(names) for name, names in split.items()})
    for part, r in results.items():
        print(f"{part}: {r.files} statements; kept only as another's duplicate {len(r.absorbed)}; "
              f"unchanged {r.files - len(r.changed)}; titles exact {r.titles_exact}; "
              f"flagged truncated {len(r.flagged_truncated)}; dates found {r.dates_found}, on or up to 30 days "
              f"before publication {r.dates_within}; event dates found {r.events_found}, on or up to 30 days before "
              f"{r.events_within}; writing their publication date out {r.writes_own_date}, "
              f"found {r.own_date_found} (as date of issue {r.own_date_as_date})")
        if args.misses and part == "tune":
            for line in [*r.changed, *(f"flagged truncated: {n}" for n in r.flagged_truncated),
                         *(f"title: {n}" for n in r.title_misses)]:
                print(f"- {line}")
    if args.misses:
        for line in own_date_misses:
            print(f"- own date missed, tune: {line}")


if __name__ == "__main__":
    main()
