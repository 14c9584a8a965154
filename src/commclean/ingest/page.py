"""Web pages saved whole (HTML): the page's main text, its title and the date its markup states."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from configparser import ConfigParser
from dataclasses import dataclass
from datetime import date
from typing import Any

from commclean.config import DecodeConfig

TOO_MANY_ELEMENTS = "web page (HTML) too large to read (over {} elements)"
# A page as a browser or a scraper saves it: the markup opens with a doctype or an <html>, <head>
# or <body> element, after at most an XML declaration and comments. A text that only quotes a tag
# or keeps a few stray inline tags is no page (strip_html_tags takes those off).
_PAGE_OPENING = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
# Inline elements of trafilatura's tree: text runs on through them.
_INLINE = frozenset({"ref", "hi", "del"})
_SPACES = re.compile(r"[ \t\r\f\v]+")


@dataclass(frozen=True)
class PageText:
    """What a saved web page says: the title, the main text as paragraphs (title first, one blank
    line between paragraphs, as the corpus writes them), and the publication date its markup states."""

    title: str
    text: str
    stated_date: date | None


def is_web_page(text: str) -> bool:
    return _PAGE_OPENING.match(text[:4096]) is not None


def page_text(markup: str, config: DecodeConfig) -> PageText | str | None:
    """The page's main text by trafilatura (what datatrove uses too), without the navigation,
    scripts, styles, sharing buttons and footers; None when it finds none; or why the page was
    not read (more elements than any statement's page has: trafilatura's time grows with them,
    14 s for 300,000). The date is read from the markup only (meta tags, <time> elements):
    htmldate's search of the text itself would take any date the statement mentions, and the
    date column is never guessed."""
    from trafilatura import bare_extraction  # its lxml import costs a run with no pages nothing
    from trafilatura.utils import load_html

    tree = load_html(markup)
    if tree is None:
        return None
    if sum(1 for _ in tree.iter()) > config.page_max_elements:
        return TOO_MANY_ELEMENTS.format(config.page_max_elements)
    headings = [_one_line(h.text_content()) for h in tree.iter("h1", "h2", "h3")]
    # The title element and og:title as written: trafilatura trims a site's name off its title,
    # and takes " – " in "United States – Italy Joint Statement" for such a separator.
    named = [_one_line(t) for t in (*tree.xpath("//head/title/text()"),
                                     *tree.xpath("//meta[@property='og:title']/@content")) if isinstance(t, str)]
    dates = {"original_date": True, "extensive_search": False,
             "min_date": config.page_dates_from, "max_date": config.page_dates_until}
    # Links are kept as elements so that a layout table's menu can be told from its text; the
    # text is the same. favor_recall kept a printer page's own header and footer (tried and dropped).
    document = bare_extraction(tree, with_metadata=True, include_comments=False, include_tables=True,
                               include_links=True, date_extraction_params=dates,
                               config=_trafilatura_settings(config.page_rescue_below_chars))
    if document is None or document.body is None:
        return None
    blocks = [(tag, text) for tag, text in _blocks(document.body) if text and tag != "menu"]
    page_title = _one_line(document.title or "")
    shown = _shown_title([page_title, *named], headings)
    title, paragraphs = _title_and_paragraphs(blocks, shown, named, config.page_title_within_blocks)
    if not title or not paragraphs:
        return None
    return PageText(title, "\n\n".join([title, *paragraphs]), _iso_date(document.date))


@functools.lru_cache(maxsize=4)
def _trafilatura_settings(rescue_below_chars: int) -> ConfigParser:
    from trafilatura.settings import use_config

    settings = use_config()
    settings.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(rescue_below_chars))
    return settings


def _shown_title(titles: list[str], headings: list[str]) -> str:
    """The title as the page shows it: the longest heading that one of the page's own titles
    holds ("Print: <heading>", "<heading> | <site>"), else trafilatura's title (the first)."""
    held = [heading for heading in headings if heading and any(heading in title for title in titles)]
    return max(held, key=len) if held else titles[0]


def _title_and_paragraphs(blocks: list[tuple[str, str]], shown: str, named: list[str],
                          within: int) -> tuple[str, list[str]]:
    """The statement starts at its title where the main text shows it. What stands above it (a
    kind label, a breadcrumb, a layout table's menu) is the page's, not the statement's. Where
    the text shows no title, the page's title heads the text; failing that, the first heading.
    The title is looked for among the first `within` blocks only."""
    for position, (_, text) in enumerate(blocks[:within]):
        line = _one_line(text)
        if line == shown or line in named:
            return line, [text for _, text in blocks[position + 1 :]]
    if shown:
        return shown, [text for _, text in blocks]
    if blocks and blocks[0][0] == "head":
        return _one_line(blocks[0][1]), [text for _, text in blocks[1:]]
    return "", []


def _blocks(container: Any) -> Iterator[tuple[str, str]]:
    """(tag, text) for each block of trafilatura's main-content tree; a list's items and a data
    table's rows each make one. A layout table (cells holding paragraphs) is read cell by cell,
    and so is a container of blocks."""
    for element in container:
        if element.tag == "div" and any(child.tag not in _INLINE and child.tag != "lb" for child in element):
            # trafilatura's rescue of a short page's text hands back its containers whole
            yield from _cell_blocks(element)
        elif element.tag == "list":
            yield from (("item", _text_of(item)) for item in element.findall("item"))
        elif element.tag == "table":
            yield from _table_blocks(element)
        else:
            yield element.tag, _text_of(element)


def _table_blocks(table: Any) -> Iterator[tuple[str, str]]:
    for row in table.iter("row"):
        cells = row.findall("cell")
        if not any(len(cell) for cell in cells):
            yield "row", " | ".join(_text_of(cell) for cell in cells)
            continue
        for cell in cells:
            yield from _cell_blocks(cell)


def _cell_blocks(cell: Any) -> Iterator[tuple[str, str]]:
    """A layout cell's blocks, and the runs of text between them (up to a line break). A run
    that is links and separators only ("Print this page | Back to top") is the page's menu."""
    run: list[str] = [cell.text or ""]
    links: list[str] = []
    for child in cell:
        if child.tag in _INLINE:
            text = "".join(child.itertext())
            run.append(text)
            if child.tag == "ref":
                links.append(text)
            run.append(child.tail or "")
            continue
        yield _run_block(run, links)
        if child.tag != "lb":
            yield from _blocks([child])
        run, links = [child.tail or ""], []
    yield _run_block(run, links)


def _run_block(run: list[str], links: list[str]) -> tuple[str, str]:
    text = _one_line("".join(run))
    rest = text
    for link in links:
        rest = rest.replace(link.strip(), "", 1)
    return ("menu" if links and not any(c.isalnum() for c in rest) else "p"), text


def _text_of(element: Any) -> str:
    """The element's text (not its tail); a line break (<br>) inside it stays a line break."""
    for lb in element.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    text = (element.text or "") + "".join(t for child in element for t in child.itertext(with_tail=True))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
