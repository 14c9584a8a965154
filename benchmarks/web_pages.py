"""Statements as scrapers save them (whole web pages, markdown exports), and how well commclean
reads them back.

Each clean statement (title on the first line, paragraphs after) is rendered into four page
layouts written before the extractor ran on any of them (an agency's press page, a White House
style briefing page, an old table layout with <br> paragraphs and no date markup, a printer-
friendly page), each with the chrome scraped pages carry: navigation, a cookie banner, scripts
and styles, sharing links, related articles with their own titles and dates, footers; and into
two markdown exports of a static site (YAML front matter, its heading or none; TOML front
matter). The layouts draw their chrome at random (seeded), so no two pages of a set are alike.

    python benchmarks/web_pages.py [--gold DIR] [--split benchmarks/dev_split.json] [--cut]

With --cut, each statement is first cut short at a word (at 5-50% of its words after the title,
seeded), as a page saved while it loaded or a scraper's truncated copy would be: the text read
back must be the cut statement.

builds each layout's pages into a raw folder, runs the pipeline on it (build_candidate, no
publish) and reports per layout: texts equal to the statement, CER against it, titles exact,
dates from markup right (layouts that carry it), dates where the markup states none (must be
none or the text's own), chrome words leaked into the text, and milliseconds per page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from commclean.config import Config  # noqa: E402
from commclean.pipeline import build_candidate  # noqa: E402
from commclean.schema import corpus_rows  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
LAYOUTS = ("agency", "briefing", "legacy", "printer", "hugo", "toml")
MARKUP_DATED = frozenset({"agency", "briefing", "printer", "hugo", "toml"})  # layouts whose markup states the date
STEP = {"agency": "extract_page_text", "briefing": "extract_page_text", "legacy": "extract_page_text",
        "printer": "extract_page_text", "hugo": "read_front_matter", "toml": "read_front_matter"}
# Words of the chrome below that no statement of the sets uses: any of them in a text is chrome leaked.
CHROME_MARKERS = ("Skip to main content", "We use cookies", "Accept all", "Related Articles", "Share on",
                  "Privacy Policy", "Subscribe to updates", "dataLayer", "function(", "Back to top",
                  "Print this page", "Previous post", "Next post", "Sign up for", "Search this site")
NAV = ("Home", "News", "Countries & Areas", "Bureaus & Offices", "About", "Policy Issues", "Careers",
       "Travel", "Briefing Room", "Administration", "Contact")
SITES = ("U.S. Department of State", "The White House", "Embassy News", "Ministry of Foreign Affairs")
KINDS = ("Media Note", "Press Statement", "Joint Statement", "Readout", "Statements and Releases")


@dataclass(frozen=True)
class Statement:
    name: str
    title: str
    paragraphs: tuple[str, ...]
    published: dt.date | None

    @property
    def text(self) -> str:
        return "\n\n".join((self.title, *self.paragraphs))


def split_part(split: str | None) -> set[str] | None:
    """The statement names (without .txt) of one part of a committed split, "FILE:PART"; None: all."""
    if not split:
        return None
    file, part = split.rsplit(":", 1)
    return set(json.loads(Path(file).read_text(encoding="utf-8"))[part])


def load_statements(gold: Path, names: set[str] | None = None) -> list[Statement]:
    index = {}
    for line in (gold / "index.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        index[entry["file"]] = entry
    found = []
    for name in sorted(index):
        if names is not None and Path(name).stem not in names and name not in names:
            continue
        title, *paragraphs = (gold / name).read_text(encoding="utf-8").strip().split("\n\n")
        published = index[name].get("date") or index[name].get("published")
        found.append(Statement(name, title, tuple(paragraphs),
                               dt.date.fromisoformat(published) if published else None))
    return found


def cut_short(s: Statement, rng: random.Random) -> Statement:
    """The statement cut after a share of its words (5-50%), within a paragraph or at its end."""
    words = sum(len(p.split()) for p in s.paragraphs)
    keep = max(1, round(words * rng.uniform(0.05, 0.5)))
    kept: list[str] = []
    for paragraph in s.paragraphs:
        taken = paragraph.split()[:keep]
        kept.append(" ".join(taken) if len(taken) < len(paragraph.split()) else paragraph)
        keep -= len(taken)
        if keep <= 0:
            break
    return Statement(s.name, s.title, tuple(kept), s.published)


def _nav(rng: random.Random) -> str:
    items = rng.sample(NAV, rng.randint(4, len(NAV)))
    return "<ul>" + "".join(f'<li><a href="/{i.lower().replace(" ", "-")}/">{html.escape(i)}</a></li>'
                            for i in items) + "</ul>"


def _related(rng: random.Random, others: list[Statement]) -> str:
    picked = rng.sample(others, min(len(others), rng.randint(2, 4)))
    items = "".join(
        f'<li><a href="/r/{n}">{html.escape(s.title)}</a> <span class="date">'
        f'{(s.published or dt.date(2021, 1, 1)):%B %d, %Y}</span></li>' for n, s in enumerate(picked))
    return f'<aside class="related"><h2>Related Articles</h2><ul>{items}</ul></aside>'


def _scripts(rng: random.Random) -> str:
    return rng.choice([
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        "gtag('js',new Date());gtag('config','G-XXXX');</script>",
        '<script src="/assets/app.min.js" defer></script><script>(function(){var s=document.createElement'
        "('script');s.src='/a.js';document.head.appendChild(s);})();</script>",
    ])


def _cookie(rng: random.Random) -> str:
    return rng.choice(["", '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your '
                       'experience on our site.</p><button>Accept all</button><button>Settings</button></div>'])


def _paragraph_html(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def agency_page(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    site, kind = rng.choice(SITES), rng.choice(KINDS)
    when = s.published or dt.date(2022, 1, 1)
    stamp = f"{when.isoformat()}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00-05:00"
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(s.title)} - {html.escape(site)}</title>
<meta property="og:title" content="{html.escape(s.title)}"><meta property="og:site_name" content="{html.escape(site)}">
<meta property="article:published_time" content="{stamp}">
<link rel="stylesheet" href="/css/site.css"><style>.nav li{{display:inline}} .hidden{{display:none}}</style>
{_scripts(rng)}</head>
<body class="post-template"><a class="skip-link" href="#main">Skip to main content</a>{_cookie(rng)}
<header class="site-header"><div class="logo"><a href="/">{html.escape(site)}</a></div>
<nav class="nav" aria-label="Main">{_nav(rng)}</nav>
<form role="search"><input type="search" placeholder="Search this site"><button>Search</button></form></header>
<main id="main"><nav class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news/">News</a></nav>
<article><p class="article-meta__kind">{kind}</p><h1 class="featured-content__headline">{html.escape(s.title)}</h1>
<p class="article-meta__author">Office of the Spokesperson</p><p class="article-meta__date">{when:%B} {when.day}, {when.year}</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a> <a href="#">Email</a></div>
<div class="entry-content">
{_paragraph_html(s.paragraphs)}
</div>
<div class="tags">Tags: <a href="/t/1">Diplomacy</a>, <a href="/t/2">Bilateral Relations</a></div></article>
{_related(rng, others)}</main>
<footer class="site-footer"><ul><li><a href="/privacy">Privacy Policy</a></li><li><a href="/foia">FOIA</a></li>
<li><a href="/subscribe">Subscribe to updates</a></li></ul><p>&copy; {html.escape(site)}</p>
<a href="#top">Back to top</a></footer>{_scripts(rng)}</body></html>
"""


def briefing_page(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    when = s.published or dt.date(2022, 1, 1)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="UTF-8"><title>{html.escape(s.title)} | The White House</title>
<meta name="description" content="{html.escape(s.paragraphs[0][:150])}">
{_scripts(rng)}</head>
<body><div id="page">{_cookie(rng)}<header><a class="skip" href="#content">Skip to main content</a>
<div class="menu">{_nav(rng)}</div><div class="signup">Sign up for updates <input type="email"></div></header>
<main id="content"><section class="page-header"><div class="cat"><a href="/briefing-room/statements-releases/">
Statements and Releases</a></div><h1 class="page-title">{html.escape(s.title)}</h1>
<div class="meta"><time datetime="{when.isoformat()}T12:00:00-04:00" class="posted-on">{when:%B} {when.day}, {when.year}</time>
&bull; <a href="/briefing-room/">Briefing Room</a></div></section>
<section class="body-content"><div class="container">
{_paragraph_html(s.paragraphs)}
<p>###</p>
</div></section>
<nav class="post-nav"><a rel="prev" href="/p">Previous post</a> <a rel="next" href="/n">Next post</a></nav>
</main>{_related(rng, others)}
<footer><div class="footer-links">{_nav(rng)}</div><p><a href="/privacy">Privacy Policy</a></p></footer></div>
{_scripts(rng)}</body></html>
"""


def legacy_page(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    body = "<br><br>\n".join(html.escape(p) for p in s.paragraphs)
    return f"""<HTML><HEAD><TITLE>{html.escape(s.title)}</TITLE>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=utf-8"></HEAD>
<BODY BGCOLOR="#FFFFFF"><TABLE WIDTH="100%"><TR><TD WIDTH="20%" VALIGN="top">
<FONT SIZE="2">{"<BR>".join(html.escape(n) for n in rng.sample(NAV, 6))}</FONT></TD>
<TD VALIGN="top"><FONT FACE="Arial"><B>{html.escape(s.title)}</B></FONT><BR><BR>
<FONT FACE="Times">{body}</FONT><BR><BR>
<A HREF="/print">Print this page</A> | <A HREF="#top">Back to top</A></TD></TR></TABLE>
<CENTER><FONT SIZE="1"><A HREF="/privacy.html">Privacy Policy</A></FONT></CENTER></BODY></HTML>
"""


def printer_page(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    when = s.published or dt.date(2022, 1, 1)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Print: {html.escape(s.title)}</title>
<meta name="date" content="{when.isoformat()}" /><meta name="robots" content="noindex" /></head>
<body onload="window.print()"><div class="print-header"><a href="javascript:window.print()">Print this page</a></div>
<div class="print-content"><h2>{html.escape(s.title)}</h2>
{_paragraph_html(s.paragraphs)}
</div><div class="print-footer">{html.escape(rng.choice(SITES))}</div></body></html>
"""


def _yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hugo_export(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    """A static-site export: YAML front matter, then the statement in markdown (its heading or not)."""
    when = s.published or dt.date(2022, 1, 1)
    stamp = rng.choice([when.isoformat(), f"{when.isoformat()}T{rng.randint(8, 20):02d}:00:00-05:00"])
    fields = [f"title: {_yaml_quoted(s.title)}", f"date: {stamp}",
              f"url: /briefing-room/statements-releases/{when:%Y/%m/%d}/{Path(s.name).stem[15:]}/",
              "categories:\n  - Statements and Releases", f"description: {_yaml_quoted(s.paragraphs[0][:120])}",
              "draft: false"]
    rng.shuffle(fields)
    heading = rng.choice(["", f"# {s.title}\n\n", f"## {s.title}\n\n"])
    return "---\n" + "\n".join(fields) + "\n---\n\n" + heading + "\n\n".join(s.paragraphs) + "\n"


def toml_export(s: Statement, rng: random.Random, others: list[Statement]) -> str:
    """The same with TOML front matter (Hugo's "+++")."""
    when = s.published or dt.date(2022, 1, 1)
    title = s.title.replace("\\", "\\\\").replace('"', '\\"')
    fields = [f'title = "{title}"', f"date = {when.isoformat()}T12:00:00Z", 'tags = ["diplomacy", "statements"]',
              f'slug = "{Path(s.name).stem[15:]}"']
    rng.shuffle(fields)
    return "+++\n" + "\n".join(fields) + "\n+++\n\n" + "\n\n".join(s.paragraphs) + "\n"


RENDER = {"agency": agency_page, "briefing": briefing_page, "legacy": legacy_page, "printer": printer_page,
          "hugo": hugo_export, "toml": toml_export}


def write_pages(statements: list[Statement], layout: str, folder: Path, seed: int) -> dict[str, Statement]:
    """One page per statement in the layout; returns file name -> statement."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:{layout}")
    written = {}
    for n, s in enumerate(statements):
        others = statements[:n] + statements[n + 1 :]
        name = f"{Path(s.name).stem}.{'md' if STEP[layout] == 'read_front_matter' else 'html'}"
        (folder / name).write_text(RENDER[layout](s, rng, others), encoding="utf-8")
        written[name] = s
    return written


@dataclass
class LayoutResult:
    pages: int = 0
    text_equal: int = 0
    edits: int = 0
    gold_chars: int = 0
    titles: int = 0
    dates_expected: int = 0
    dates_right: int = 0
    dates_when_unmarked: int = 0  # a date where the markup states none (the text's own may give one)
    unmarked_dates_published: int = 0  # ... that is the publication date
    chrome_leaked: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)  # "name: title or text as read", for --misses


def measure(statements: list[Statement], layout: str, work: Path, seed: int) -> LayoutResult:
    raw = work / layout / "raw"
    written = write_pages(statements, layout, raw, seed)
    started = time.perf_counter()
    candidate = build_candidate(raw, Config()).candidate
    result = LayoutResult(pages=len(written), seconds=time.perf_counter() - started)
    rows = {path: row for row in corpus_rows(candidate.built) for path in row.source_paths}
    for name, s in written.items():
        row = rows.get(name)
        if row is None:
            result.quarantined += 1
            continue
        gold = s.text
        result.text_equal += row.text == gold
        if row.text != gold:
            result.misses.append(f"{name}: {_first_difference(gold, row.text)}")
        result.edits += Levenshtein.distance(row.text, gold)
        result.gold_chars += len(gold)
        result.titles += row.metadata.title == s.title
        result.chrome_leaked += any(marker in row.text for marker in CHROME_MARKERS)
        if layout in MARKUP_DATED and s.published:
            result.dates_expected += 1
            result.dates_right += row.metadata.date == s.published
        elif row.metadata.date is not None:
            result.dates_when_unmarked += 1
            result.unmarked_dates_published += row.metadata.date == s.published
    return result


def _first_difference(gold: str, ours: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(gold, ours)) if a != b), min(len(gold), len(ours)))
    return f"statement {gold[max(0, at - 60) : at + 60]!r} read {ours[max(0, at - 60) : at + 60]!r}"


def measure_together(statements: list[Statement], work: Path, seed: int) -> tuple[int, int, int, int, int]:
    """Every layout of every statement in one raw folder: one document a statement, its text the
    statement's, its date the markup's. Returns documents, statements kept whole in one document,
    texts equal, dates right, and files."""
    raw = work / "together" / "raw"
    owner: dict[str, Statement] = {}
    for layout in LAYOUTS:
        written = write_pages(statements, layout, raw / layout, seed)
        owner.update({f"{layout}/{name}": s for name, s in written.items()})
    rows = corpus_rows(build_candidate(raw, Config()).candidate.built)
    whole = equal = dated = 0
    for row in rows:
        held = {owner[path].name for path in row.source_paths}
        statement = owner[row.source_paths[0]]
        whole += len(held) == 1 and len(row.source_paths) == len(LAYOUTS)
        equal += row.text == statement.text
        dated += row.metadata.date == statement.published
    return len(rows), whole, equal, dated, len(owner)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-dev")
    parser.add_argument("--split", default=None, help="FILE:PART: only that part's statements (e.g. dev_split.json:test)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--misses", action="store_true", help="list the texts not read back exactly")
    parser.add_argument("--cut", action="store_true", help="cut each statement short first (5-50%% of its words)")
    args = parser.parse_args()
    statements = load_statements(args.gold, split_part(args.split))
    if args.cut:
        rng = random.Random(f"{args.seed}:cut")
        statements = [cut_short(s, rng) for s in statements]
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(statements)} statements "
          f"from {args.gold.name}{' (' + args.split + ')' if args.split else ''}, seed {args.seed}"
          f"{', each cut short' if args.cut else ''}\n")
    print("| layout | pages | text equal | CER | titles exact | markup dates right | dates where markup has none "
          "(from the text) | chrome leaked | quarantined | ms a page |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    misses: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for layout in LAYOUTS:
            r = measure(statements, layout, Path(tmp), args.seed)
            dates = f"{r.dates_right}/{r.dates_expected}" if r.dates_expected else "–"
            print(f"| {layout} | {r.pages} | {r.text_equal}/{r.pages} | {r.edits / max(1, r.gold_chars):.4f} "
                  f"| {r.titles}/{r.pages} | {dates} | {r.dates_when_unmarked} ({r.unmarked_dates_published} the publication date) "
                  f"| {r.chrome_leaked} "
                  f"| {r.quarantined} | {1000 * r.seconds / r.pages:.1f} |", flush=True)
            misses += [f"{layout} {miss}" for miss in r.misses]
        documents, whole, equal, dated, files = measure_together(statements, Path(tmp), args.seed)
        print(f"\nAll {files} files in one raw folder: {documents} documents for {len(statements)} statements, "
              f"{whole} holding all {len(LAYOUTS)} copies of their statement and no other; text equal {equal}, "
              f"date right {dated}.")
    if args.misses:
        print("\nTexts not read back exactly:", *misses, sep="\n- ")


if __name__ == "__main__":
    main()
