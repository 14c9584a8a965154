"""Put paragraphs back together: words hyphenated at line ends, hard-wrapped lines, page-break splits."""

from __future__ import annotations

import re
import statistics
from collections import Counter

from commclean.config import RepairConfig
from commclean.repair.lexicon import is_known
from commclean.repair.shapes import (
    LIST_ITEM_END,
    LIST_MARKER,
    PARAGRAPH_SPLIT,
    WRAPPER_MARKER,
    ends_sentence,
    paragraphs,
)

# "infra-" at a line end, with any hyphen a PDF uses (ASCII, U+2010, U+00AC "not" sign from some OCR).
_HYPHENATED_END = re.compile(r"([A-Za-z]+)[-\u2010\u00ac]$")
_DATELINE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},?\s+\d{4}\b",
    re.IGNORECASE,
)
# Marks a line end where de-hyphenation removed the hyphen of a word to be joined back.
WORD_JOINER = "\u2060"
_HYPHENS = ("-", "\u2010", "\u00ac")
# A word as _LazyVocabulary counts them: a hyphenated compound ("well-known") is one.
_WORD = re.compile(r"[^\W\d_]+(?:[-\u2010][^\W\d_]+)*")
_WORDS_FOUND_ONE_BY_ONE = 64
_OCCURRENCES_LOOKED_AT = 1_000
# The characters at a paragraph's end that tell whether the next one goes on with its sentence.
_END_READ = 200
_REGNAL_NUMBER = re.compile(r"[IVX]{1,4}")
# A line wholly in brackets under a title is a note of its own: "[Read the Declaration … here]".
_BRACKETED = re.compile(r"\[[^\[\]]+\]")
_OPEN_CLAUSE = re.compile(r"[,;](?:\s+(?:and|or))?$")
_FIRST_WORD = re.compile(r"^([a-z]+)(.*)$", re.DOTALL)
# A numbered line under a title opens the body's first section ("1. Preamble", "(a) Scope"): it
# never continues the title, however short the title's lines are.
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)]|\((?:[a-z]{1,3}|\d{1,3})\))\s")


def dehyphenate_line_ends(text: str, config: RepairConfig) -> tuple[str, int]:
    """ "infra-\\nstructure" becomes "infrastructure" where the joined word is a known word or the
    document uses it unsplit; "well-\\nknown" keeps its hyphen."""
    if "-\n" not in text and "\u2010\n" not in text and "\u00ac\n" not in text:
        return text, 0
    lines = text.split("\n")
    vocabulary = _LazyVocabulary(text)
    joined = 0
    for index in [i for i, line in enumerate(lines[:-1]) if line.endswith(_HYPHENS)]:
        head = _HYPHENATED_END.search(lines[index][-60:])
        tail = _FIRST_WORD.match(lines[index + 1].lstrip())
        if head and tail and _joins_to_word(head.group(1), tail.group(1), vocabulary, config):
            # The hyphen gives way to a joiner of the same length, so that unwrapping still sees
            # the lines as the printer set them, and then joins the word without a space.
            lines[index] = lines[index][:-1] + WORD_JOINER
            joined += 1
    return ("\n".join(lines) if joined else text), joined


class _LazyVocabulary:
    """How often the document uses each word, as a whole word (a hyphenated compound, "well-known",
    is one): "anthro" is no word of a text that holds it only inside "philanthropic". The few words
    a text is asked about are found one by one; past _WORDS_FOUND_ONE_BY_ONE of them (a text of
    thousands of hyphenated line ends), or a word found in over _OCCURRENCES_LOOKED_AT places,
    every word is counted in one pass, so the cost stays in proportion to the text's length."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lowered: str | None = None
        self._found: dict[str, int] = {}
        self._counts: Counter[str] | None = None

    def __getitem__(self, word: str) -> int:
        if word not in self._found:
            if self._lowered is None:
                self._lowered = self._text.lower()
            found = None
            if self._counts is None and len(self._found) < _WORDS_FOUND_ONE_BY_ONE:
                found = _whole_word_count(self._lowered, word, _OCCURRENCES_LOOKED_AT)
            if found is None:
                if self._counts is None:
                    self._counts = Counter(_WORD.findall(self._lowered))
                found = self._counts[word]
            self._found[word] = found
        return self._found[word]


def _whole_word_count(text: str, word: str, most: int) -> int | None:
    """Occurrences of the word that no letter, or hyphen and letter, goes on from (as _WORD reads);
    None past `most` places holding it (inside other words too: "a" in a run of a's)."""
    count, looked_at, at = 0, 0, text.find(word)
    while at != -1:
        looked_at += 1
        if looked_at > most:
            return None
        end = at + len(word)
        if not _word_goes_on(text, at - 1, -1) and not _word_goes_on(text, end, 1):
            count += 1
        at = text.find(word, at + 1)
    return count


def _word_goes_on(text: str, at: int, step: int) -> bool:
    """Whether the character at `at` (before a word: step -1; after it: 1) continues it."""
    if not 0 <= at < len(text):
        return False
    if text[at].isalpha():
        return True
    beyond = at + step
    return text[at] in "-\u2010" and 0 <= beyond < len(text) and text[beyond].isalpha()


def _joins_to_word(head: str, tail: str, vocabulary, config: RepairConfig) -> bool:  # noqa: ANN001
    """Join "infra-" + "structure" (the joined word is known, or a part is no word at all);
    keep "well-" + "known" and "co-" + "host" (two words, and the joined form is no known word)."""
    hyphenated = f"{head}-{tail}".lower()
    if vocabulary[hyphenated] or vocabulary[hyphenated.replace("-", "‐")]:
        return False
    if is_known(head + tail, vocabulary, config.known_word_zipf):
        return True
    return not (is_known(head, vocabulary, config.known_word_zipf) and is_known(tail, vocabulary, config.known_word_zipf))


def unwrap_lines(text: str, config: RepairConfig) -> tuple[str, int]:
    """Hard-wrapped lines rejoin into paragraphs; list items and short closing lines stay apart."""
    width = _wrap_width(text, config)
    joins = 0
    blocks = []
    seen_text = False
    for block in PARAGRAPH_SPLIT.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        heading: list[str] = []
        if lines and not seen_text and width is not None:
            heading, lines, joined = _split_heading(lines, width, config)
            joins += joined
        seen_text = seen_text or bool(lines) or bool(heading)
        merged = [_Paragraph(line) for line in lines[:1]]
        for previous, line in zip(lines, lines[1:]):
            if _is_wrapped(previous, line, width, config):
                _join_wrapped(merged[-1], line)
                joins += 1
            else:
                merged.append(_Paragraph(line))
        blocks.append("\n\n".join(heading + [str(paragraph) for paragraph in merged]))
    return "\n\n".join(b for b in blocks if b), joins


class _Paragraph:
    """A paragraph put back together from pieces, made one string once, at the end: adding to a
    string copies it, and a text of a million wrapped lines would be copied a million times.
    Whether and how a piece joins reads only the paragraph's last characters (`end`)."""

    def __init__(self, first: str) -> None:
        self._pieces = [first]

    def end(self, width: int) -> str:
        """The last `width` characters."""
        tail, length = [], 0
        for piece in reversed(self._pieces):
            tail.append(piece)
            length += len(piece)
            if length >= width:
                break
        return "".join(reversed(tail))[-width:]

    def add(self, piece: str) -> None:
        self._pieces.append(piece)

    def drop_end(self, count: int) -> None:
        """Takes off the last `count` characters."""
        while count and self._pieces:
            last = self._pieces.pop()
            if len(last) > count:
                self._pieces.append(last[: len(last) - count])
                break
            count -= len(last)

    def __str__(self) -> str:
        return "".join(self._pieces)


def _split_heading(lines: list[str], width: int, config: RepairConfig) -> tuple[list[str], list[str], int]:
    """A title set in a larger font wraps at its own, shorter width: the lines before the first
    body line (a full one, or one that ends a sentence) are one heading unless a line ends a
    sentence or holds a dateline. Returns the heading paragraphs, the body lines and the joins."""
    body_start, widest = len(lines), 0
    for index, line in enumerate(lines):
        if _starts_body(widest, line, width, config):
            body_start = index
            break
        widest = max(widest, len(line))
    heading = lines[:body_start]
    if not heading:
        return [], lines, 0
    heading_width = max(len(line) for line in heading)
    merged = [_Paragraph(heading[0])]
    widest_above = 0  # a header field under the title ("BY THE PRESIDENT OF …") may be wider than its lines
    for previous, line in zip(heading, heading[1:]):
        widest_above = max(widest_above, len(previous))
        if (ends_sentence(previous) or _DATELINE.search(line) or _DATELINE.search(previous) or _NUMBERED.match(line)
                or _BRACKETED.fullmatch(line) or _would_have_fitted(previous, line, widest_above, config)
                or (line.isupper() and not previous.endswith(",")
                    and not _continues_in_capitals(previous, line, heading_width))):
            merged.append(_Paragraph(line))
        else:
            _join_wrapped(merged[-1], line)
    return [str(paragraph) for paragraph in merged], lines[body_start:], len(heading) - len(merged)


def _starts_body(widest_heading_line: int, line: str, width: int, config: RepairConfig) -> bool:
    """A full line, one that ends a sentence, or one clearly wider than every heading line before
    it: a wrapped paragraph's later lines are never wider than its first, so a much wider line
    after a title set in a larger font is the body's (where a long last line has the text's width
    overestimated, "full" alone would take the body's opening lines into the title)."""
    if len(line) >= config.full_line_fill * width or ends_sentence(line):
        return True
    return (widest_heading_line > 0 and len(line) >= config.partial_line_fill * width
            and len(line) > config.body_wider_than_heading * widest_heading_line)


def _would_have_fitted(previous: str, line: str, width: int, config: RepairConfig) -> bool:
    """A heading's line ends where its next word would not have fitted, as any wrapped line does:
    where it would have, with room to spare, the title ended there and a line of its own follows
    ("… at" / "the 2024 Girls Leading Change Celebration" / "The East Room", the venue)."""
    return len(previous) + 1 + len(line.split(" ", 1)[0]) <= config.heading_fit_tolerance * width


def _continues_in_capitals(previous: str, line: str, width: int) -> bool:
    """An all-capitals line starts a header field ("PRESS STATEMENT", "MEDIA NOTE") unless it
    goes on with a title set in capitals that wrapped there (its first word would not have fitted:
    "… ELEVATING UNITED" / "STATES-VIETNAM RELATIONS …", where "MEDIA NOTE" / "OFFICE OF THE
    SPOKESPERSON" would have), or is a name's regnal number ("… King Abdullah" / "II")."""
    if _REGNAL_NUMBER.fullmatch(line):
        return True
    wrapped = len(previous) + 1 + len(line.split(" ", 1)[0]) > width
    return wrapped and previous.isupper() and not WRAPPER_MARKER.match(line)


def _join_wrapped(paragraph: _Paragraph, line: str) -> None:
    previous = paragraph.end(3)
    if previous.endswith(WORD_JOINER):
        paragraph.drop_end(1)
        paragraph.add(line)
        return
    # "COVID-" + "19": a hyphen right after a word joins without a space; "threat -" + "and" does not.
    # So does a dash set close ("prosperity—" + "a free"), where a browser's print breaks lines too.
    # An abbreviation's full stop counts as its word's end ("U.S.-" + "Polish").
    before = previous[-3:-2] if previous[-2:-1] == "." else previous[-2:-1]
    hyphen_after_word = previous[-1:] in ("-", "\u2010", "\u2013", "\u2014") and before.isalnum()
    paragraph.add(line if hyphen_after_word else f" {line}")


def _wrap_width(text: str, config: RepairConfig) -> int | None:
    """The width a hard-wrapping tool used (a high percentile of the lengths of lines that fit it),
    or None where too few lines fit for the text to be hard-wrapped at all. Where enough lines have
    their paragraph go on after them, those alone tell it: a line standing alone (a title a
    converter wrote on one line above paragraphs wrapped at 72) was never wrapped, and would have
    the text's width its own. Where few do (paragraphs of two lines), every line counts."""
    blocks = [[len(line) for line in map(str.strip, block.split("\n")) if line] for block in PARAGRAPH_SPLIT.split(text)]
    continued = _fitting([n for lengths in blocks for n in lengths[:-1]], config)
    wrapped = continued if len(continued) >= config.min_wrapped_lines else _fitting(
        [n for lengths in blocks for n in lengths], config)
    if len(wrapped) < config.min_wrapped_lines:
        return None
    # (statistics.quantiles reaches past the longest line when there are few: no tool wrapped wider)
    return int(min(statistics.quantiles(wrapped, n=50)[-1], max(wrapped)))


def _fitting(lengths: list[int], config: RepairConfig) -> list[int]:
    return [n for n in lengths if n <= config.hard_wrap_max_width]


def _is_wrapped(previous: str, line: str, width: int | None, config: RepairConfig) -> bool:
    """Whether `line` continues the paragraph `previous` ended on, given the text's wrap width.

    A wrapping tool breaks a line only when the next word would not fit; so where it would have
    fitted after a finished sentence, the break was the paragraph's end."""
    if LIST_MARKER.match(line) or max(len(previous), len(line)) > config.hard_wrap_max_width:
        return False
    if line[:1].islower() and not LIST_ITEM_END.search(previous):
        return True
    if width is None:
        return False
    next_word = len(line.split(" ", 1)[0])
    would_have_fitted = len(previous) + 1 + next_word <= config.fit_tolerance * width
    if ends_sentence(previous):
        # A finished sentence on a line longer than the text's width is no wrapped line either:
        # pdftotext writes a paragraph's last line unjustified, sometimes wider than the rest.
        return not would_have_fitted and len(previous) <= config.overlong_line_fill * width
    return len(previous) >= config.partial_line_fill * width


def rejoin_page_breaks(text: str, config: RepairConfig) -> tuple[str, int]:
    """A paragraph that stops mid-sentence and one that goes on where it left off were one paragraph."""
    merged: list[_Paragraph] = []
    joins = 0
    vocabulary = _LazyVocabulary(text)
    parts = paragraphs(text)
    for number, paragraph in enumerate(parts):
        if (merged and _split_mid_sentence(merged[-1].end(_END_READ), paragraph)
                and not _in_list_of_clauses(parts, number)):
            _join_across(merged[-1], paragraph.lstrip(), vocabulary, config)
            joins += 1
        else:
            merged.append(_Paragraph(paragraph))
    return ("\n\n".join(map(str, merged)) if joins else text), joins


def _split_mid_sentence(previous: str, following: str) -> bool:
    tail = previous.rstrip()
    if not tail or ends_sentence(tail) or LIST_ITEM_END.search(tail) or LIST_MARKER.match(following):
        return False
    # Only a lower-case start is evidence enough: real statements do end a paragraph on "on" before
    # "2 March 2022" (corpus-dev 072 does), so a dangling word or a digit alone joins nothing.
    return following.lstrip()[:1].islower()


def _in_list_of_clauses(parts: list[str], number: int) -> bool:
    """Items of a list of clauses, one a paragraph ("ensuring …,", "advancing …,", "building …, and"):
    the paragraph before ends on a comma, as does this one or the one before that. A page break
    cuts one paragraph, never a run of them."""
    def open_clause(index: int) -> bool:
        return index >= 0 and bool(_OPEN_CLAUSE.search(parts[index].rstrip()))

    return open_clause(number - 1) and (open_clause(number) or open_clause(number - 2))


def _join_across(paragraph: _Paragraph, following: str, vocabulary, config: RepairConfig) -> None:  # noqa: ANN001
    end = paragraph.end(60)
    head = _HYPHENATED_END.search(end) if end[-1:] in _HYPHENS else None
    tail = _FIRST_WORD.match(following)
    if head and tail:
        keep = not _joins_to_word(head.group(1), tail.group(1), vocabulary, config)
        paragraph.drop_end(len(end) - head.end(1))
        paragraph.add(("-" if keep else "") + following)
    else:
        paragraph.add(f" {following}")


def tidy_layout(text: str) -> str:
    """Paragraphs separated by exactly one blank line, no blank lines around the text."""
    if WORD_JOINER in text:  # a joiner whose lines were never joined goes back to a hyphen
        text = text.replace(WORD_JOINER, "-")
    return "\n\n".join(p.strip() for p in paragraphs(text))
