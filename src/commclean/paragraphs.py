"""Put paragraphs back together: words hyphenated at line ends, hard-wrapped lines, page-break splits."""

from __future__ import annotations

import re
import statistics

from commclean.config import RepairConfig
from commclean.lexicon import is_known
from commclean.shapes import (
    LIST_ITEM_END,
    LIST_MARKER,
    PARAGRAPH_SPLIT,
    ends_sentence,
    paragraphs,
)

# "infra-" at a line end, with any hyphen a PDF uses (ASCII, U+2010, U+00AC "not" sign from some OCR).
_HYPHENATED_END = re.compile(r"([A-Za-z]+)[-\u2010\u00ac]$")
_HYPHENS = ("-", "\u2010", "\u00ac")
_FIRST_WORD = re.compile(r"^([a-z]+)(.*)$", re.DOTALL)


def dehyphenate_line_ends(text: str, config: RepairConfig) -> tuple[str, int]:
    """ "infra-\\nstructure" becomes "infrastructure" where the joined word is a known word or the
    document uses it unsplit; "well-\\nknown" keeps its hyphen. The completed word moves up a line."""
    lines = text.split("\n")
    vocabulary = _LazyVocabulary(text)
    joined = 0
    index = 0
    while index < len(lines) - 1:
        if lines[index].rstrip()[-1:] not in _HYPHENS:
            index += 1
            continue
        head = _HYPHENATED_END.search(lines[index].rstrip())
        tail = _FIRST_WORD.match(lines[index + 1].lstrip())
        if head and tail:
            keep_hyphen = not _joins_to_word(head.group(1), tail.group(1), vocabulary, config)
            stem = lines[index].rstrip()[: head.end(1)]
            lines[index] = stem + ("-" if keep_hyphen else "") + tail.group(1)
            rest = tail.group(2).lstrip()
            joined += not keep_hyphen
            if rest:
                lines[index + 1] = rest
            else:
                del lines[index + 1]
        index += 1
    return "\n".join(lines), joined


class _LazyVocabulary:
    """How often the document uses a word (as a substring of its lower-cased text: cheap, and
    close enough to tell "infrastructure" used elsewhere from a fragment that never is)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lowered: str | None = None

    def __getitem__(self, word: str) -> int:
        if self._lowered is None:
            self._lowered = self._text.lower()
        return self._lowered.count(word)


def _joins_to_word(head: str, tail: str, vocabulary, config: RepairConfig) -> bool:  # noqa: ANN001
    hyphenated = f"{head}-{tail}".lower()
    if vocabulary[hyphenated] or vocabulary[hyphenated.replace("-", "‐")]:
        return False
    return is_known(head + tail, vocabulary, config.known_word_zipf)


def unwrap_lines(text: str, config: RepairConfig) -> tuple[str, int]:
    """Hard-wrapped lines rejoin into paragraphs; list items and short closing lines stay apart."""
    width = _wrap_width(text, config)
    joins = 0
    blocks = []
    for block in PARAGRAPH_SPLIT.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        merged = lines[:1]
        for previous, line in zip(lines, lines[1:]):
            if _is_wrapped(previous, line, width, config):
                merged[-1] = _join_wrapped(merged[-1], line)
                joins += 1
            else:
                merged.append(line)
        blocks.append("\n\n".join(merged))
    return "\n\n".join(b for b in blocks if b), joins


def _join_wrapped(previous: str, line: str) -> str:
    # "COVID-" + "19": a hyphen right after a word joins without a space; "threat -" + "and" does not.
    hyphen_after_word = previous[-1:] in ("-", "\u2010") and previous[-2:-1].isalnum()
    return previous + line if hyphen_after_word else f"{previous} {line}"


def _wrap_width(text: str, config: RepairConfig) -> int | None:
    """The width a hard-wrapping tool used (a high percentile of the lengths of lines that fit it),
    or None where too few lines fit for the text to be hard-wrapped at all."""
    lengths = [len(line.strip()) for line in text.split("\n")]
    wrapped = [n for n in lengths if 0 < n <= config.hard_wrap_max_width]
    if len(wrapped) < config.min_wrapped_lines:
        return None
    return int(statistics.quantiles(wrapped, n=10)[-1])


def _is_wrapped(previous: str, line: str, width: int | None, config: RepairConfig) -> bool:
    """Whether `line` continues the paragraph `previous` ended on, given the text's wrap width."""
    if LIST_MARKER.match(line) or max(len(previous), len(line)) > config.hard_wrap_max_width:
        return False
    if line[:1].islower() and not LIST_ITEM_END.search(previous):
        return True
    if width is None:
        return False
    fill = len(previous) / width
    return fill >= config.full_line_fill or (fill >= config.partial_line_fill and not ends_sentence(previous))


def rejoin_page_breaks(text: str, config: RepairConfig) -> tuple[str, int]:
    """A paragraph that stops mid-sentence and one that goes on where it left off were one paragraph."""
    merged: list[str] = []
    joins = 0
    vocabulary = _LazyVocabulary(text)
    for paragraph in paragraphs(text):
        if merged and _split_mid_sentence(merged[-1], paragraph):
            merged[-1] = _join_across(merged[-1], paragraph.lstrip(), vocabulary, config)
            joins += 1
        else:
            merged.append(paragraph)
    return ("\n\n".join(merged) if joins else text), joins


def _split_mid_sentence(previous: str, following: str) -> bool:
    tail = previous.rstrip()
    if not tail or ends_sentence(tail) or LIST_ITEM_END.search(tail) or LIST_MARKER.match(following):
        return False
    # Only a lower-case start is evidence enough: real statements do end a paragraph on "on" before
    # "2 March 2022" (corpus-dev 072 does), so a dangling word or a digit alone joins nothing.
    return following.lstrip()[:1].islower()


def _join_across(previous: str, following: str, vocabulary, config: RepairConfig) -> str:  # noqa: ANN001
    head = _HYPHENATED_END.search(previous[-60:]) if previous[-1:] in _HYPHENS else None
    tail = _FIRST_WORD.match(following)
    if head and tail:
        keep = not _joins_to_word(head.group(1), tail.group(1), vocabulary, config)
        stem = previous[: len(previous) - len(previous[-60:]) + head.end(1)]
        return stem + ("-" if keep else "") + following
    return f"{previous} {following}"


def tidy_layout(text: str) -> str:
    """Paragraphs separated by exactly one blank line, no blank lines around the text."""
    return "\n\n".join(p.strip() for p in paragraphs(text))
