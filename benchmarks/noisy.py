"""Generate noisy raw files with known gold text from clean statements, one noise kind at a time.

Each kind imitates what the dev set has little of; `make(kind, gold, rng)` returns the noisy text.
Used by benchmarks/repair_quality.py and to write the committed fixtures (tests/fixtures/noisy).
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable

PRINT_HEADER = "{date}, {time} {title} - United States Department of State"
FOOTER = "https://www.state.gov/{slug}/ {page}/{pages}"


def _paragraphs(gold: str) -> list[str]:
    return [p for p in gold.strip().split("\n\n") if p.strip()]


def hard_wrap(gold: str, rng: random.Random, hyphenate: bool = True) -> str:
    """Lines filled to a fixed width, long words split across line ends with a hyphen, as PDFs print."""
    width = rng.choice([64, 72, 80, 96])
    return "\n\n".join(
        "\n".join(_fill(paragraph, width, rng if hyphenate else None)) for paragraph in _paragraphs(gold)
    ) + "\n"


def _fill(paragraph: str, width: int, rng: random.Random | None) -> list[str]:
    """Greedy filling; a long lower-case word that does not fit may be split with a hyphen."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
            continue
        room = width - len(line) - 2  # a space and the hyphen
        if rng and word.isalpha() and word.islower() and len(word) >= 8 and room >= 3 and rng.random() < 0.6:
            cut = min(room, len(word) - 3)
            lines.append(f"{line} {word[:cut]}-")
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def paginate(gold: str, rng: random.Random) -> str:
    """A printed page's furniture: a browser's header and URL footer with page numbers, form feeds,
    and paragraphs split mid-sentence where a page ends."""
    title = _paragraphs(gold)[0][:60]
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    header = PRINT_HEADER.format(date=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2{rng.randint(2, 5)}",
                                 time=f"{rng.randint(1, 12)}:{rng.randint(10, 59)} {rng.choice(['AM', 'PM'])}",
                                 title=title)
    lines = hard_wrap(gold, rng, hyphenate=rng.random() < 0.5).split("\n")
    per_page = rng.randint(35, 50)
    pages = [lines[i : i + per_page] for i in range(0, len(lines), per_page)]
    out = []
    for number, page in enumerate(pages, 1):
        footer = FOOTER.format(slug=slug, page=number, pages=len(pages))
        if rng.random() < 0.5:
            footer = f"Page {number} of {len(pages)}"
        body = "\n".join(page).strip("\n")
        out.append(f"{header}\n\n{body}\n\n{footer}")
    return "\n\f".join(out) + "\n"


def page_break_splits(gold: str, rng: random.Random) -> str:
    """Paragraphs cut in two mid-sentence by a blank line, as scraped copies of printed pages are."""
    out = []
    for paragraph in _paragraphs(gold):
        words = paragraph.split(" ")
        if len(words) > 30 and rng.random() < 0.5:
            cut = rng.randint(10, len(words) - 10)
            while cut < len(words) - 1 and not words[cut][:1].islower():
                cut += 1
            if words[cut][:1].islower() and not re.search(r"[.!?:;]$", words[cut - 1]):
                out.extend([" ".join(words[:cut]), " ".join(words[cut:])])
                continue
        out.append(paragraph)
    return "\n\n".join(out) + "\n"


def mojibake(gold: str, rng: random.Random) -> str:
    """UTF-8 text read as cp1252 and saved again as UTF-8: ’ becomes â€™."""
    return gold.encode("utf-8").decode("cp1252", errors="ignore")


def markup(gold: str, rng: random.Random) -> str:
    """Leftovers of a markdown/LaTeX conversion, as in the seeds."""
    paragraphs = _paragraphs(gold)
    paragraphs[0] = f"**{paragraphs[0]}**"
    body = [re.sub(r"\$", r"\\$", p) for p in paragraphs[1:]]
    if body and rng.random() < 0.5:
        body[0] = f"*{body[0]}*"
    return "$\\star\\star\\star$\n\n" + "\n\n".join([paragraphs[0], *body]) + "\n"


def html_entities(gold: str, rng: random.Random) -> str:
    return html.escape(gold, quote=False).replace("’", "&rsquo;").replace("“", "&ldquo;").replace("”", "&rdquo;")


def ligatures_and_invisibles(gold: str, rng: random.Random) -> str:
    """PDF ligatures, soft hyphens, zero-width and no-break spaces."""
    text = gold.replace("fi", "ﬁ").replace("fl", "ﬂ")
    words = text.split(" ")
    for i in range(len(words)):
        roll = rng.random()
        if roll < 0.03 and len(words[i]) > 6:
            words[i] = words[i][:3] + "\u00ad" + words[i][3:]
        elif roll < 0.05:
            words[i] += "\u200b"
    return "\u00a0".join(words[:3]) + " " + " ".join(words[3:])


KINDS: dict[str, Callable[[str, random.Random], str]] = {
    "hard_wrap": hard_wrap,
    "paginated": paginate,
    "page_break_splits": page_break_splits,
    "mojibake": mojibake,
    "markup": markup,
    "html_entities": html_entities,
    "ligatures_invisibles": ligatures_and_invisibles,
}


def make(kind: str, gold: str, rng: random.Random) -> str:
    return KINDS[kind](gold, rng)
