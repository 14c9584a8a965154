"""Named text repairs, each doing one thing and reporting whether it changed the text."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import ftfy

from commclean.config import RepairConfig

Repair = Callable[[str, RepairConfig], tuple[str, int]]

# Quotes and brackets may close a sentence after its full stop: `He said "yes."` ends there.
_CLOSERS = "\"'”’)]»"
_SENTENCE_END = re.compile(rf"[.!?…:][{re.escape(_CLOSERS)}]*$")
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–—]|\((?:[a-z]{1,3}|\d{1,3})\)|[a-z][.)])\s")
_PARAGRAPH_SPLIT = re.compile(r"\n[ \t]*\n+")
# "…disinformation;" or "…cooperation; and" closes an item of a list that goes on in lower case.
_LIST_ITEM_END = re.compile(r";(?:\s+(?:and|or))?$")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are the original's, not damage
    fix_line_breaks=False,  # normalize_line_breaks reports this on its own
    unescape_html="auto",
    explain=True,
)
# ftfy's explanation speaks of encode/decode steps for mojibake; everything else is a named fixer.
_FTFY_TRANSCODE_STEPS = frozenset({"encode", "decode", "transcode"})

# The replacement character between a word and a contraction ending stands for a lost ’.
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\ufffd(?=(?:s|t|re|ll|ve|d|m)\b)")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e]")
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)

_MARKUP_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # A line of LaTeX decoration such as $\star\star\star$ left by a converter.
    (re.compile(r"^[ \t]*\$?(?:\\[A-Za-z]+[ \t{}]*)+\$?[ \t]*$", re.MULTILINE), ""),
    (re.compile(r"\\([$%&_#{}])"), r"\1"),
    (re.compile(r"^[ \t]*(?:\*[ \t]*){3,}$|^[ \t]*[-_]{3,}[ \t]*$", re.MULTILINE), ""),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE), ""),
    (re.compile(r"\*\*(?=\S)((?:(?!\n\s*\n)[^*])+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)((?:(?!\n\s*\n)[^_])+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    (re.compile(r"\[([^\]\n]+)\]\((?:https?://|/)[^)\s]*\)"), r"\1"),
)
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|strong|em|b|i|u|a|li|ul|ol|h[1-6]|blockquote|section|article)\b[^>\n]*>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RepairResult:
    text: str
    repairs: tuple[str, ...]  # names of the repairs that changed the text, in the order applied


def fix_unicode(text: str) -> tuple[str, tuple[str, ...]]:
    """Mojibake, HTML entities, ligatures, C1 controls and the like, named as ftfy explains them."""
    if text.isascii() and "&" not in text:
        return text, ()
    fixed, explanation = ftfy.fix_and_explain(text, config=_FTFY_CONFIG)
    if fixed == text:
        return text, ()
    names = ["fix_mojibake" if action in _FTFY_TRANSCODE_STEPS else step for action, step in explanation or ()]
    return fixed, tuple(dict.fromkeys(names)) or ("fix_unicode",)


def normalize_line_breaks(text: str, config: RepairConfig) -> tuple[str, int]:
    fixed = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return fixed, int(fixed != text)


def remove_invisible_characters(text: str, config: RepairConfig) -> tuple[str, int]:
    """Soft hyphens, zero-width spaces and stray BOMs: invisible in print, noise in a corpus."""
    return _INVISIBLE.subn("", text)


def normalize_spaces(text: str, config: RepairConfig) -> tuple[str, int]:
    """No-break and typographic spaces become plain spaces; trailing spaces go."""
    text, odd = _ODD_SPACES.subn(" ", text)
    text = text.replace("\t", " ")
    text, trailing = _TRAILING_SPACE.subn("", text)
    return text, odd + trailing


def restore_lost_apostrophes(text: str, config: RepairConfig) -> tuple[str, int]:
    """U+FFFD where an earlier lossy decode dropped the apostrophe of "world’s" or "don’t"."""
    return _LOST_APOSTROPHE.subn("’", text)


def strip_markup(text: str, config: RepairConfig) -> tuple[str, int]:
    """Markdown and LaTeX leftovers of scrapers and converters: **bold**, *italic*, \\$, $\\star$."""
    total = 0
    for pattern, replacement in _MARKUP_RULES:
        text, count = pattern.subn(replacement, text)
        total += count
    return text, total


def strip_html_tags(text: str, config: RepairConfig) -> tuple[str, int]:
    return _HTML_TAG.subn("", text)


def unwrap_lines(text: str, config: RepairConfig) -> tuple[str, int]:
    """Hard-wrapped lines rejoin into paragraphs; list items and short closing lines stay apart."""
    width = _wrap_width(text, config)
    joins = 0
    blocks = []
    for block in _PARAGRAPH_SPLIT.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        paragraphs = lines[:1]
        for previous, line in zip(lines, lines[1:]):
            if _is_wrapped(previous, line, width, config):
                paragraphs[-1] = _join_wrapped(paragraphs[-1], line)
                joins += 1
            else:
                paragraphs.append(line)
        blocks.append("\n\n".join(paragraphs))
    return "\n\n".join(b for b in blocks if b), joins


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
    if _LIST_MARKER.match(line) or max(len(previous), len(line)) > config.hard_wrap_max_width:
        return False
    if line[:1].islower():
        return True
    if width is None:
        return False
    fill = len(previous) / width
    return fill >= 0.85 or (fill >= 0.6 and not _SENTENCE_END.search(previous))


def _join_wrapped(previous: str, line: str) -> str:
    # A line-end hyphen stays: "well-" + "known" is right, "govern-" + "ment" is de-hyphenation's job.
    return previous + line if previous.endswith("-") else previous + " " + line


def strip_trailing_boilerplate(text: str, config: RepairConfig) -> tuple[str, int]:
    """Site chrome after the statement's last paragraph, such as a lone "Further information"."""
    paragraphs = _PARAGRAPH_SPLIT.split(text.strip())
    removed = 0
    while len(paragraphs) > 1 and _is_boilerplate(paragraphs[-1], config):
        paragraphs.pop()
        removed += 1
    return ("\n\n".join(paragraphs) if removed else text), removed


def _is_boilerplate(paragraph: str, config: RepairConfig) -> bool:
    words = re.sub(r"[^\w\s]", "", paragraph).strip().lower()
    return words in config.trailing_boilerplate


def rejoin_page_breaks(text: str, config: RepairConfig) -> tuple[str, int]:
    """A paragraph that stops mid-sentence and one that goes on in lower case were one paragraph."""
    paragraphs = _PARAGRAPH_SPLIT.split(text.strip())
    merged: list[str] = []
    joins = 0
    for paragraph in paragraphs:
        if merged and _split_mid_sentence(merged[-1], paragraph):
            merged[-1] = _join_wrapped(merged[-1], paragraph.lstrip())
            joins += 1
        else:
            merged.append(paragraph)
    return ("\n\n".join(merged) if joins else text), joins


def _split_mid_sentence(previous: str, following: str) -> bool:
    tail = previous.rstrip()
    if not tail or _SENTENCE_END.search(tail) or _LIST_ITEM_END.search(tail) or _LIST_MARKER.match(following):
        return False
    return following.lstrip()[:1].islower()


def tidy_layout(text: str) -> str:
    """Paragraphs separated by exactly one blank line, no blank lines around the text."""
    return "\n\n".join(p.strip() for p in _PARAGRAPH_SPLIT.split(text.strip()) if p.strip())


# Order matters: markup goes before unwrapping (bold can span a wrapped line), and
# boilerplate goes before page-break rejoining (a trailing "Further information" is no continuation).
TEXT_REPAIRS: tuple[Repair, ...] = (
    normalize_line_breaks,
    restore_lost_apostrophes,
    remove_invisible_characters,
    normalize_spaces,
    strip_markup,
    strip_html_tags,
    unwrap_lines,
    strip_trailing_boilerplate,
    rejoin_page_breaks,
)


def repair_text(text: str, config: RepairConfig) -> RepairResult:
    """Apply every repair in order; the result lists the ones that changed something."""
    result = _repair_once(text, config)
    if not result.text.isascii() and ftfy.is_bad(result.text):
        # Removing an invisible character or joining lines can complete a mojibake sequence
        # that ftfy could not see on the first pass: one more pass settles it.
        again = _repair_once(result.text, config)
        names = result.repairs + tuple(n for n in again.repairs if n not in result.repairs)
        result = RepairResult(again.text, names)
    return result


def _repair_once(text: str, config: RepairConfig) -> RepairResult:
    text, applied = fix_unicode(text)
    names = list(applied)
    for repair in TEXT_REPAIRS:
        text, changes = repair(text, config)
        if changes:
            names.append(repair.__name__)
    return RepairResult(tidy_layout(text), tuple(names))
