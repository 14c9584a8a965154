"""A markdown export's body as its readers see it: each paragraph, list item and heading one
paragraph (an ordered item with its number), lines a converter wrapped joined, links as their
words, emphasis and markup gone."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_WORDS = ("text", "code_inline")  # inline tokens that hold words; links, emphasis and images hold none
_TAG = re.compile(r"<[^<>]*>")
# In a block of raw HTML, where a paragraph, a list item, a heading or a quotation ends, or a line
# (an embedded post's <p> and <br />): a paragraph ends, as the page shows it. A table keeps its
# rows together, as a plain-text copy's flattened table does; a cell's end parts its words.
_HTML_BREAK = re.compile(r"<(?:br|/?(?:p|li|h[1-6]|blockquote))\b[^>]*>", re.IGNORECASE)
_HTML_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
# What a rendering drops besides marks: an image, a link's address, a tag, an address written out.
# (None holds the mark that opens it, and an address is read from its word's start: tried at every
# character of a long run of marks, each would read to the run's end, its length squared in all.)
_NOT_WORDS = re.compile(rf"!\[[^\[\]]*\]\([^()]*\)|\]\([^()\s]*\)|{_TAG.pattern}|(?<!\S)\S+?://\S+")
_WORD = re.compile(r"[^\W\d_]{2,}")
# The parser stops nesting blocks at a depth no statement reaches (20 quotes or lists) and drops
# what lies deeper: a rendering holding under this share of the body's words lost text. (Of 900
# real releases, every one keeps all of them by this count; hostile nesting keeps under 1%.)
MIN_WORDS_KEPT = 0.25


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def read_markdown(body: str) -> str:
    """markdown_paragraphs of the body, or the body as written where the rendering would lose its
    words (hostile nesting): the plain-text repairs then take it, and nothing is dropped unseen."""
    rendered = markdown_paragraphs(body)
    written = len(_WORD.findall(_NOT_WORDS.sub(" ", body)))
    return rendered if len(_WORD.findall(rendered)) >= MIN_WORDS_KEPT * written else body.strip("\n")


def markdown_paragraphs(body: str) -> str:
    """The body read as CommonMark (markdown-it-py), its blocks separated by blank lines. A soft
    line break is a space, as every renderer makes it: pandoc wraps a paragraph at 72 columns
    wherever a word ends, so no guess from line widths is needed. A block of raw HTML (a figure
    and its caption) keeps its words."""
    blocks: list[str] = []
    number = ""  # an ordered item's, for its first block: communiqués number their paragraphs "1."
    for token in _parser().parse(body):
        if token.type == "list_item_open" and token.info:
            number = f"{token.info}{token.markup} "
            continue
        if token.type == "inline":
            found = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            found = [token.content.strip("\n")]
        elif token.type == "html_block":
            found = [" ".join(_TAG.sub("", _HTML_CELL_END.sub(" ", part)).split())
                     for part in _HTML_BREAK.split(token.content)]
        else:
            continue
        found = [block for block in found if block.strip()]
        if found:
            blocks += [number + found[0], *found[1:]]
            number = ""
    return "\n\n".join(blocks)


def _inline_text(children: list[Token]) -> list[str]:
    """One block's words; a hard line break ("Antony J. Blinken\\" / "Secretary of State") starts
    another, as it starts a line of its own on the page."""
    lines: list[str] = []
    words: list[str] = []
    for child in children:
        if child.type in _WORDS:
            words.append(child.content)
        elif child.type == "softbreak":
            words.append(" ")
        elif child.type == "hardbreak":
            lines.append("".join(words))
            words = []
    lines.append("".join(words))
    return [line.strip() for line in lines]
