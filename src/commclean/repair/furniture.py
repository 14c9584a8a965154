"""Remove what surrounds a statement rather than belongs to it: printed-page furniture, site chrome,
release wrappers and trailing boilerplate."""

from __future__ import annotations

import re
from collections import Counter

from commclean.config import RepairConfig
from commclean.repair.shapes import PARAGRAPH_SPLIT, WRAPPER_MARKER, ends_sentence, paragraphs

# A browser's print header opens with the print date and time: "9/13/23, 11:30 AM G7 Leaders’ ...".
_PRINT_STAMP = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?(?=\s|$)")
# Tokens of an address, even OCR-mangled ("http:1/2021-2025", "httpy/wwe.whitehouse-archive.net/..."):
# a scheme-like start, a www or a domain, a path of slugs ("briefing-room/statements", not "Energy/Health"),
# or a slug of four hyphenated pieces.
_ADDRESS_TOKEN = re.compile(
    r"^(?:[a-z]{3,6}[:;/]\S*|\S*www\S*|\S+\.(?:gov|org|net|com|edu|int|html?)\b\S*|\S*[a-z0-9][-._][a-z0-9]\S*/\S*|\S*/\S*[a-z0-9][-._][a-z0-9]\S*|"
    r"\S*[a-z0-9]+(?:-[a-z0-9]+){3,}\S*)$",
    re.IGNORECASE,
)
# A paragraph of nothing but OCR debris from a footer or a rule ("wl", ": /", "wn"): two lower-case
# letters at most, in punctuation. Digits and capitals are left alone ("2", "II" may be headings).
_DEBRIS = re.compile(r"^(?=.)[!-/:-@\[-`{-~‘’“”•·]{0,3}\s?[a-z]{0,2}\s?[!-/:-@\[-`{-~‘’“”•·]{0,3}$")
_COUNTER_TOKEN = re.compile(r"^\d{1,3}(?:/\d{1,3})?$")
_PAGE_COUNTER = re.compile(
    r"^\s*(?:page\s+)?\d{1,3}\s*(?:/|of)\s*\d{1,3}\s*$|^\s*[-–—]?\s*\d{1,3}\s*[-–—]?\s*$", re.IGNORECASE
)
# Chrome a site prints around every page; OCR adds a stray mark or two after it ("Tags a").
_CHROME_LINE = re.compile(
    r"^\s*(?:tags|back\W{0,2}to\W{0,2}top|skip to (?:main )?content|share|print|email|menu|related articles|"
    r"subscribe to updates)\b\W{0,4}\w?\W{0,4}$",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^\s*Home\s*[›>»)}\]|:]\s*\S", re.IGNORECASE)
_END_TEXT_RUN_ON = re.compile(r"\s+end text\.?\s*$", re.IGNORECASE)
_FOLLOWING_IS = re.compile(r"^the following\b.*\b(?:released|text|statement)\b.*[.:]$", re.IGNORECASE)
_DATE_ONLY = re.compile(r"^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}$|^\d{1,2} [A-Za-z]{3,9},? \d{4}$")


def _is_url_footer(line: str) -> bool:
    """A line that is an address, perhaps with a page counter or OCR debris beside it, and no
    prose: "The full report is available here: https://…" is a sentence, not a footer."""
    if len(line) > 300:  # before splitting: most lines of a web copy are whole paragraphs
        return False
    tokens = line.split()
    if not tokens:
        return False
    addresses = [t for t in tokens if len(t) >= 12 and _ADDRESS_TOKEN.match(t)]
    if not addresses:
        return False
    # Debris is what OCR makes of a counter or a rule: a token of at most two characters.
    prose = [t for t in tokens if t not in addresses and not _COUNTER_TOKEN.match(t) and len(t.strip(".,:;-–—…")) > 2]
    return len(prose) <= 1 and sum(map(len, addresses)) >= 0.6 * sum(map(len, tokens))


def _is_print_header_title(line: str) -> bool:
    """The line under a print stamp: "<page title> - <site name>", often cut with an ellipsis."""
    compact = line.strip()
    return len(compact) <= 200 and (compact.endswith("…") or bool(re.search(r" [-–] [A-Z][\w .’']{2,50}$", compact)))


def _repeats_as_heading(line: str, collapsed: str) -> bool:
    """The page title a print header shows under its stamp is the heading the page then prints."""
    key = " ".join(line.split())[:50]
    return len(key) >= 20 and not ends_sentence(line) and collapsed.count(key) >= 2


def _running_heads(lines: list[str], config: RepairConfig) -> set[str]:
    """Short lines repeated on several pages (running heads); page counters are caught by shape."""
    counts = Counter(line.strip() for line in lines)
    return {line for line, count in counts.items() if count >= 2 and _could_be_running_head(line, config)}


def _printed(text: str, lines: list[str]) -> bool:
    """Pages show: a form feed, a print stamp, a page counter or an address footer."""
    return "\f" in text or any(_is_page_edge(line) for line in lines if line.strip())


def _could_be_running_head(line: str, config: RepairConfig) -> bool:
    compact = line.strip()
    return config.min_running_head_chars <= len(compact) <= 160 and not ends_sentence(compact)


def strip_page_furniture(text: str, config: RepairConfig) -> tuple[str, int]:
    """Print headers and footers, URLs with page counters, page numbers, form feeds and running
    heads at a page's top or foot. A page break inside a paragraph leaves a single line break, for
    unwrapping to judge."""
    lines = text.split("\n")
    # Repeated lines are running heads only on printed pages: a clean text may repeat its title
    # as a heading, or a name in two lists.
    heads = _running_heads(lines, config) if _printed(text, lines) else set()
    by_edge = _near_page_edges(lines, config.running_head_reach) if heads else set()
    seen_heads: set[str] = set()
    keep: list[str | None] = []
    removed = 0
    after_stamp = False
    collapsed = ""  # the text on one line, made only once a print stamp needs it
    previous = ""  # the last line of text kept
    page_title = None  # the title a print header shows
    for number, line in enumerate(lines):
        if after_stamp and not collapsed:
            collapsed = " ".join(text.split())
        furniture = _is_furniture(line, heads if number in by_edge else set(), seen_heads, after_stamp, collapsed)
        furniture = furniture and not _finishes_the_sentence(line, previous)
        if furniture and page_title is None:
            page_title = _page_title(line, after_stamp)
        if line.strip():
            after_stamp = bool(_PRINT_STAMP.match(line)) and len(line.strip()) <= 30
            if not furniture:
                previous = line
        if furniture:
            removed += line.strip() != "\f"
            keep.append(None)
        else:
            keep.append(line)
    removed += _drop_footer_debris(keep)
    if not removed and "\f" not in text:
        return text, 0
    if page_title and len(page_title) <= config.max_page_title_chars:
        _set_title_apart(keep, page_title)
    return _close_gaps(keep), removed


def _page_title(line: str, after_stamp: bool) -> str | None:
    """The page's title a print header holds: beside its stamp ("12/4/26, 11:57 PM   <title>") or
    on the line under it."""
    stamp = _PRINT_STAMP.match(line)
    title = line[stamp.end() :].strip() if stamp else line.strip() if after_stamp else ""
    return title or None


def _set_title_apart(keep: list[str | None], page_title: str) -> None:
    """The page's heading, where its lines are the title the print header shows, ends there: the
    lines printed under it ("Via Teleconference", "Rose Garden", a city) are not the title's, though
    no blank line parts them and nothing in their widths tells."""
    heading = ""
    for number, line in enumerate(keep):
        if line is None or not line.strip():
            heading = ""
            continue
        heading = f"{heading} {line.strip()}" if heading else line.strip()
        if not page_title.startswith(heading):
            heading = line.strip() if page_title.startswith(line.strip()) else ""
        if heading == page_title:
            following = keep[number + 1] if number + 1 < len(keep) else None
            if following is not None and following.strip():
                keep.insert(number + 1, "")
            return


def _finishes_the_sentence(line: str, previous: str) -> bool:
    """An address closing the sentence the line before left open, with its full stop ("Program can"
    / "be directed to fellows@who.eop.gov.", "can be found at" / "whitehouse.gov/formula."): a
    hard-wrapped sentence's last line, not a page's address footer, which closes no sentence."""
    last = line.split()[-1] if line.strip() else ""
    return (bool(previous) and not ends_sentence(previous) and last.endswith(".")
            and bool(_ADDRESS_TOKEN.match(last[:-1])) and _is_url_footer(line.strip()))


def _is_page_edge(line: str) -> bool:
    """A line that only a printed page's top or foot holds: a form feed, a print stamp, a page
    counter, an address footer."""
    return "\f" in line or bool(_PRINT_STAMP.match(line) or _PAGE_COUNTER.match(line)) or _is_url_footer(line)


def _near_page_edges(lines: list[str], reach: int) -> set[int]:
    """The numbers of the lines with at most `reach` lines of text between them and a page's edge
    (the text's end is one: a last page's foot)."""
    texts = [number for number, line in enumerate(lines) if line.strip()]
    edges = [rank for rank, number in enumerate(texts) if _is_page_edge(lines[number])] + [len(texts)]
    near: set[int] = set()
    for edge in edges:  # each edge marks its neighbours once: linear in the lines, however many pages
        near.update(texts[max(0, edge - reach - 1) : edge + reach + 2])
    return near


def _drop_footer_debris(keep: list[str | None]) -> int:
    """What OCR left of a footer beside it ("wl" under an address line): a line of debris next to
    removed furniture, with nothing else around it. Gone with the footer, it cannot run on into
    the last paragraph when the gap is closed."""
    removed = 0
    for number, line in enumerate(keep):
        if line is None or not _DEBRIS.match(line.strip()):
            continue
        around = [keep[i] if 0 <= i < len(keep) else "" for i in (number - 1, number + 1)]
        nearest = [_nearest_line(keep, number, step) for step in (-1, 1)]
        if all(a is None or not a.strip() for a in around) and None in nearest:
            keep[number] = None
            removed += 1
    return removed


def _is_furniture(line: str, heads: set[str], seen_heads: set[str], after_stamp: bool, collapsed: str) -> bool:
    compact = line.strip()
    if not compact:
        return False
    if compact == "\f" or _PRINT_STAMP.match(compact) or _PAGE_COUNTER.match(compact) or _is_url_footer(compact):
        return True
    if after_stamp and (_is_print_header_title(compact) or _repeats_as_heading(compact, collapsed)):
        return True
    if compact in heads:
        if compact in seen_heads:
            return True
        seen_heads.add(compact)  # the first one may be the title itself: keep it
    return False


def _nearest_line(keep: list[str | None], number: int, step: int) -> str | None:
    """The nearest line that is not blank (None where furniture was removed; "" past the edge)."""
    number += step
    while 0 <= number < len(keep):
        if keep[number] is None or keep[number].strip():
            return keep[number]
        number += step
    return ""


def _close_gaps(lines: list[str | None]) -> str:
    """Drop removed lines together with the blank lines around them, leaving one line break."""
    out: list[str] = []
    gap = False
    for line in lines:
        if line is None:
            gap = True
            while out and not out[-1].strip():
                out.pop()
            continue
        if gap and not line.strip():
            continue
        gap = False
        out.append(line)
    return "\n".join(out)


def strip_site_chrome(text: str, config: RepairConfig) -> tuple[str, int]:
    """Breadcrumbs ("Home › Briefing Room › ..."), "Tags", "Back to top", "Share" and the like,
    around the statement: between two sentences of its prose, "MENU" heads a state dinner's menu."""
    lines = text.split("\n")
    crumbs = {number for number, line in enumerate(lines) if _BREADCRUMB.match(line)}
    chrome = [number for number, line in enumerate(lines) if _is_chrome(line)]
    if chrome:
        prose = [number for number, line in enumerate(lines) if _is_prose_line(line, config)]
        first, last = (prose[0], prose[-1]) if prose else (len(lines), -1)
        chrome = [number for number in chrome if number < first or number > last]
    dropped = crumbs.union(chrome)
    kept = [line for number, line in enumerate(lines) if number not in dropped]
    return ("\n".join(kept), len(dropped)) if dropped else (text, 0)


def _is_chrome(line: str) -> bool:
    """A button's or a label's word, capitalised as a page shows it: a wrapped sentence's last line
    ("… pay their fair" / "share.") is in lower case."""
    return bool(_CHROME_LINE.match(line)) and line.lstrip()[:1].isupper()


def _is_prose_line(line: str, config: RepairConfig) -> bool:
    return len(line.split()) >= config.min_prose_line_words and ends_sentence(line)


def strip_release_wrapper(text: str, config: RepairConfig) -> tuple[str, int]:
    """A media note's wrapper around the statement: "MEDIA NOTE", "OFFICE OF THE SPOKESPERSON",
    the release date, "The following ... :" and "Begin text:" / "End text."."""
    parts = paragraphs(text)
    header = parts[: config.wrapper_header_paragraphs]
    if not any(WRAPPER_MARKER.match(p) for p in header):
        return text, 0
    removed: list[str] = []
    kept: list[str] = []
    for index, part in enumerate(parts):
        in_header = index < config.wrapper_header_paragraphs and not _body_started(kept)
        if in_header and (WRAPPER_MARKER.match(part) or _DATE_ONLY.match(part) or _FOLLOWING_IS.match(part)):
            removed.append(part)
        elif index >= len(parts) - 2 and re.fullmatch(r"end text\.?", part, re.IGNORECASE):
            removed.append(part)
        else:
            kept.append(part)
    if kept and (closing := _END_TEXT_RUN_ON.search(kept[-1])):
        # "… is horrifically End text.": a cut copy whose last line ran on into the wrapper's close.
        kept[-1] = kept[-1][: closing.start()]
        removed.append(closing.group(0))
    return "\n\n".join(kept), len(removed)


def _body_started(kept: list[str]) -> bool:
    """After the first prose paragraph, nothing more is wrapper. A heading may run as long ("Readout
    of … Meeting with Quint Deputy National Security Advisors: Xavier Chatel of France, …") but
    ends no sentence."""
    return any(len(p) > 200 and ends_sentence(p) for p in kept)


def strip_trailing_boilerplate(text: str, config: RepairConfig) -> tuple[str, int]:
    """Site chrome after the statement's last paragraph, such as a lone "Further information"."""
    parts = PARAGRAPH_SPLIT.split(text.strip())
    removed = 0
    while len(parts) > 1 and _is_boilerplate(parts[-1], config):
        parts.pop()
        removed += 1
    return ("\n\n".join(parts) if removed else text), removed


def _is_boilerplate(paragraph: str, config: RepairConfig) -> bool:
    words = re.sub(r"[^\w\s]", "", paragraph).strip().lower()
    return words in config.trailing_boilerplate


def strip_debris_paragraphs(text: str, config: RepairConfig) -> tuple[str, int]:
    """Paragraphs of nothing but OCR debris ("wl", ": /") that a footer or a rule left behind.
    Run once paragraphs are settled: debris is told by standing alone."""
    parts = paragraphs(text)
    kept = [part for part in parts if not _DEBRIS.match(part.strip())]
    return ("\n\n".join(kept), len(parts) - len(kept)) if len(kept) < len(parts) else (text, 0)
