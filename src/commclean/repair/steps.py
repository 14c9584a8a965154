"""Named text repairs, each doing one thing and reporting whether it changed the text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import ftfy
import ftfy.fixes

from commclean.config import RepairConfig
from commclean.repair.furniture import (
    strip_debris_paragraphs,
    strip_page_furniture,
    strip_release_wrapper,
    strip_site_chrome,
    strip_trailing_boilerplate,
)
from commclean.repair.ocr import drop_stray_opening_quotes, fix_ocr_misreads
from commclean.repair.paragraphs import dehyphenate_line_ends, rejoin_page_breaks, tidy_layout, unwrap_lines
from commclean.repair.shapes import paragraphs

Repair = Callable[[str, RepairConfig], tuple[str, int]]
# Told of each repair that changed a text: its name, the text before it and after it.
Noted = Callable[[str, str, str], None]


_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are the original's, not damage
    fix_line_breaks=False,  # normalize_line_breaks reports this on its own
    unescape_html=False,  # done before, on the whole text, by ftfy's own unescape_html
    explain=True,
)
# ftfy's explanation speaks of encode/decode steps for mojibake; everything else is a named fixer.
_FTFY_TRANSCODE_STEPS = frozenset({"encode", "decode", "transcode"})

# The replacement character between a word and a contraction ending stands for a lost ’.
_LOST_CLOSING_QUOTE = re.compile(r"â€\ufffd?(?![\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122])")
_LOST_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\ufffd(?=(?:s|t|re|ll|ve|d|m)\b)")
# What ftfy can fix leaves traces a plain character class finds far faster than ftfy's own
# badness heuristics. Mojibake: a UTF-8 lead byte read as Latin-1/cp1252, then a continuation byte.
# One pattern opening on one class of characters: the engine then scans for that class alone,
# 31 us a 4 KB text against 83 for the same pattern written "[lead][tail]|\ufffd".
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4\ufffd](?:(?<=\ufffd)|[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122])"
)
# The characters a mojibake trace opens on, looked for one by one first: `in` finds a character
# in a text as a string, and most texts hold none of them (an accented name sends it on to the class).
_MOJIBAKE_LEADS = "".join(map(chr, range(0xC2, 0xF5))) + "\ufffd"
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_SIMPLE_FIXERS: tuple[tuple[re.Pattern[str], Callable[[str], str]], ...] = (
    (re.compile("[\x80-\x9f]"), ftfy.fixes.fix_c1_controls),
    (re.compile("[\ufb00-\ufb06]"), ftfy.fixes.fix_latin_ligatures),
    (re.compile("[\uff01-\uff5e\u3000]"), ftfy.fixes.fix_character_width),
    (re.compile("[\ud800-\udfff]"), ftfy.fixes.fix_surrogates),
    (re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufff9-\ufffc]"), ftfy.fixes.remove_control_chars),
)
# The simple fixers' traces as one class: most texts that need ftfy (an accented name sends a
# text there) need none of them, and one scan costs a fifth of five.
_SIMPLE_TRACES = re.compile("[" + "".join(trace.pattern[1:-1] for trace, _ in _SIMPLE_FIXERS) + "]")
# One character class holding the first character of every trace above (an entity's "&", a
# mojibake lead, the simple fixers'): a single fast scan.
_FTFY_TRACES = re.compile("[&\u00c2-\u00f4\ufffd" + _SIMPLE_TRACES.pattern[1:])
# Looked for one by one (`in` scans a text ten times faster than a class of characters does).
_INVISIBLE_CHARACTERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e"
# Joiners (U+200C, U+200D) shape the scripts and emoji that use them ("👷\u200d♂️" is one
# glyph): only next to a Latin character, a space (typographic ones too: normalize_spaces makes
# them plain spaces after this, and a joiner left beside one went on the next pass) or a line's
# end are they noise.
_LATIN_OR_SPACE = "[\\x00-\u024f\u2000-\u200a\u202f\u205f\u3000]"
_INVISIBLE = re.compile(f"[\u00ad\u200b\u2060\ufeff\u180e]|[\u200c\u200d](?={_LATIN_OR_SPACE}|$)"
                        f"|(?<={_LATIN_OR_SPACE})[\u200c\u200d]")
_ODD_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# A soft hyphen at a line's end where the word goes on in lower case: one ending a title ("… and
# HHS\u00ad", then "WASHINGTON –") split no word.
_SOFT_HYPHEN_AT_LINE_END = re.compile("(?<=[A-Za-z])\u00ad[ \t]*\n(?=\\s*[a-z])")
_SPACE_RUN = re.compile(r"(?<=\S) {2,}(?=\S)")
_EDGE_SPACE = re.compile(r"^ +| +$", re.MULTILINE)

def _gap(match: re.Match[str]) -> str:
    """What stands where a leftover is removed: one space between a word and the next, nothing at
    a line's edge or before punctuation ("met ** and" → "met and", "met **." → "met.")."""
    text, start, end = match.string, match.start(), match.end()
    if start == 0 or end == len(text) or text[start - 1].isspace():
        return ""
    return " " if text[end].isalnum() or text[end] in "(\"'“‘[" else ""


# Each rule with the plain substring it needs: a rule whose clue is absent costs nothing. The
# last two take what the others leave: LaTeX decoration inside a line, and asterisk runs no pair
# of them matched (an unbalanced **, a bold cut by a paragraph break).
_MARKUP_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # A line of LaTeX decoration such as $\star\star\star$ left by a converter.
    (("\\",), re.compile(r"^[ \t]*\$?(?:\\[A-Za-z]+[ \t{}]*)+\$?[ \t]*$", re.MULTILINE), ""),
    (("\\",), re.compile(r"\\([$%&_#{}])"), r"\1"),
    (("***", "---", "___", "* *"), re.compile(r"^[ \t]*(?:\*[ \t]*){3,}$|^[ \t]*[-_]{3,}[ \t]*$", re.MULTILINE), ""),
    (("#",), re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE), ""),
    (("**",), re.compile(r"\*\*(?=\S)((?:(?!\n\s*\n)[^*])+?)(?<=\S)\*\*"), r"\1"),
    (("__",), re.compile(r"__(?=\S)((?:(?!\n\s*\n)[^_])+?)(?<=\S)__"), r"\1"),
    (("*",), re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"), r"\1"),
    # (A link's text holds no "[": a run of them would each be read to the line's end.)
    (("](",), re.compile(r"\[([^\[\]\n]+)\]\((?:https?://|/)[^)\s]*\)"), r"\1"),
    (("$\\",), re.compile(r"[ \t]*\$(?:\\[A-Za-z]+[ \t{}]*)+\$[ \t]*"), _gap),
    (("**",), re.compile(r"[ \t]*\*{2,}[ \t]*"), _gap),
)
# Elements of a page's body a scraper leaves in a text: text, lists, tables, figures, and the form
# fields a feed's content carries ('<input type="hidden" data-filter="…" />' in the State
# Department's). Named one by one: "a < b" or a quoted "<Name>" is no tag.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|strong|em|b|i|u|a|li|ul|ol|h[1-6]|blockquote|section|article|sup|sub|small|"
    r"img|hr|figure|figcaption|table|thead|tbody|tfoot|tr|td|th|caption|input|button|label|form)\b[^>\n]*>",
    re.IGNORECASE,
)

# The end of a block element, with the spaces and line breaks after it (one paragraph break).
_HTML_BLOCK_END = re.compile(
    r"[ \t]*</(?:p|div|h[1-6]|li|blockquote|section|article|figcaption|tr|caption)>(?:[ \t]*\n)*[ \t]*",
    re.IGNORECASE)
_HTML_LINE_BREAK = re.compile(r"[ \t]*<br\b[^>\n]*>[ \t]*", re.IGNORECASE)
_HTML_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)


@dataclass(frozen=True)
class RepairResult:
    text: str
    repairs: tuple[str, ...]  # names of the repairs that changed the text, in the order applied
    # The leading paragraphs as they stood before a release wrapper ("MEDIA NOTE ... NOVEMBER 14,
    # 2019 ... Begin text:") came off: where a copy states its date. Empty when there was no wrapper.
    lead: str = ""

    @property
    def metadata_text(self) -> str:
        """The text the metadata extractor reads: with the wrapper's header where there was one."""
        return self.lead or self.text


def fix_unicode(text: str) -> tuple[str, tuple[str, ...]]:
    """Mojibake, HTML entities, ligatures, C1 controls and the like, named as ftfy's fixers are.

    ftfy's full fix (with its costly badness checks) runs only on lines that show a mojibake
    trace, line by line as ftfy's own fix_text works; ftfy's single-purpose fixers handle the
    rest where their traces appear. Clean text costs one regex scan."""
    if not _needs_ftfy(text):
        return text, ()
    names: dict[str, None] = {}
    if _ENTITY.search(text):
        text = _apply(ftfy.fixes.unescape_html, text, names)
    if _has_mojibake(text):
        text = _fix_mojibake_lines(text, names)
    for trace, fixer in _SIMPLE_FIXERS if _SIMPLE_TRACES.search(text) else ():
        if trace.search(text):
            text = _apply(fixer, text, names)
    if not unicodedata.is_normalized("NFC", text):
        text = _apply(_normalize_nfc, text, names)
    return text, tuple(names)


def _apply(fixer: Callable[[str], str], text: str, names: dict[str, None]) -> str:
    fixed = fixer(text)
    if fixed != text:
        names[fixer.__name__] = None
    return fixed


def _normalize_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fix_mojibake_lines(text: str, names: dict[str, None]) -> str:
    """ftfy on each line with a mojibake trace. A document is usually garbled one way throughout,
    so the plan ftfy found for one line (say, encode as sloppy cp1252, decode as UTF-8) is tried
    first on the next, through ftfy's own apply_plan: the same result at a fraction of the cost."""
    lines = text.split("\n")
    plan: list[tuple[str, str]] | None = None
    for index, line in enumerate(lines):
        if not _MOJIBAKE.search(line):
            continue
        fixed = _apply_plan(line, plan) if plan else None
        if fixed is None:
            fixed, explanation = ftfy.fix_and_explain(line, config=_FTFY_CONFIG)
            steps = list(explanation or ())
            plan = steps if steps and all(action in _FTFY_TRANSCODE_STEPS for action, _ in steps) else plan
            for action, step in steps:
                names["fix_mojibake" if action in _FTFY_TRANSCODE_STEPS else step] = None
        else:
            names["fix_mojibake"] = None
        lines[index] = fixed
    return "\n".join(lines)


def _apply_plan(line: str, plan: list[tuple[str, str]]) -> str | None:
    try:
        fixed = ftfy.apply_plan(line, plan)
    except (UnicodeError, ValueError):
        return None
    return None if _MOJIBAKE.search(fixed) or fixed == line else fixed


def _has_mojibake(text: str) -> bool:
    return any(lead in text for lead in _MOJIBAKE_LEADS) and _MOJIBAKE.search(text) is not None


def _needs_ftfy(text: str) -> bool:
    return bool(_FTFY_TRACES.search(text)) or not unicodedata.is_normalized("NFC", text)


def normalize_line_breaks(text: str, config: RepairConfig) -> tuple[str, int]:
    """CRLF, CR and Unicode separators become newlines; a form feed (a page break) gets a line of its own."""
    fixed = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    fixed = fixed.replace("\f", "\n\f\n") if "\f" in fixed else fixed
    return fixed, int(fixed != text)


def remove_invisible_characters(text: str, config: RepairConfig) -> tuple[str, int]:
    """Soft hyphens, zero-width spaces and stray BOMs: invisible in print, noise in a corpus.
    A soft hyphen at a line end marks where a word was split, so it becomes a hyphen there for
    de-hyphenation to judge."""
    if not any(character in text for character in _INVISIBLE_CHARACTERS):
        return text, 0
    text, at_line_end = _SOFT_HYPHEN_AT_LINE_END.subn("-\n", text)
    text, inside = _INVISIBLE.subn("", text)
    return text, at_line_end + inside


def normalize_spaces(text: str, config: RepairConfig) -> tuple[str, int]:
    """No-break and typographic spaces become plain spaces; indentation, runs of spaces inside a
    line (pdftotext -layout justifies with them) and trailing spaces go."""
    text, odd = _ODD_SPACES.subn(" ", text)
    text = text.replace("\t", " ")
    runs = edges = 0
    if "  " in text:
        text, runs = _SPACE_RUN.subn(" ", text)
    if "\n " in text or " \n" in text or text[:1] == " " or text[-1:] == " ":
        text, edges = _EDGE_SPACE.subn("", text)
    return text, odd + runs + edges


def restore_lost_closing_quotes(text: str, config: RepairConfig) -> tuple[str, int]:
    """ "Resilienceâ€" is ” read as cp1252 by a decoder that dropped its last byte (0x9D, which
    cp1252 leaves undefined) or replaced it ("â€�"): no other quote mark leaves "â€" alone. Done
    before ftfy, which takes "â€?" and "â€�" for a lost character and leaves U+FFFD, a lossy file."""
    return _LOST_CLOSING_QUOTE.subn("”", text) if "â" in text and "â€" in text else (text, 0)


def restore_lost_apostrophes(text: str, config: RepairConfig) -> tuple[str, int]:
    """U+FFFD where an earlier lossy decode dropped the apostrophe of "world’s" or "don’t"."""
    return _LOST_APOSTROPHE.subn("’", text) if "\ufffd" in text else (text, 0)


def strip_markup(text: str, config: RepairConfig) -> tuple[str, int]:
    """Markdown and LaTeX leftovers of scrapers and converters: **bold**, *italic*, \\$, $\\star$."""
    total = 0
    for clues, pattern, replacement in _MARKUP_RULES:
        # A clue's first character looked for first: one character is found as fast as memory is
        # read, a longer string ten times slower, and most texts hold no "*", "_", "$" or "]".
        if any(clue[0] in text and clue in text for clue in clues):
            text, count = pattern.subn(replacement, text)
            total += count
    return text, total


def strip_html_tags(text: str, config: RepairConfig) -> tuple[str, int]:
    """Tags left by a scraper. Where a block element (a paragraph, a heading, a list item) ends,
    its paragraph does: a feed's content saved as a file has its <p> elements one to a line, or
    all on one, and no blank line between them."""
    if "<" not in text:  # most texts: spared patterns that open on spaces, tried everywhere
        return text, 0
    text, blocks = _HTML_BLOCK_END.subn("\n\n", text)
    # A line break and a table cell's end part words as a tag inside a word must not.
    text, breaks = _HTML_LINE_BREAK.subn("\n", text)
    text, cells = _HTML_CELL_END.subn(" ", text)
    text, tags = _HTML_TAG.subn("", text)
    return text.strip() if blocks else text, blocks + breaks + cells + tags


# Order matters: page furniture goes before de-hyphenation (a word can be split across a page
# footer), markup before unwrapping (bold can span a wrapped line), and boilerplate before
# page-break rejoining (a trailing "Further information" is no continuation).
LAYOUT_REPAIRS: tuple[Repair, ...] = (
    normalize_line_breaks,
    restore_lost_apostrophes,
    remove_invisible_characters,
    normalize_spaces,
    strip_page_furniture,
    strip_site_chrome,
    strip_markup,
    strip_html_tags,
    dehyphenate_line_ends,
    unwrap_lines,
)
CLOSING_REPAIRS: tuple[Repair, ...] = (
    strip_debris_paragraphs,
    strip_trailing_boilerplate,
    rejoin_page_breaks,
    fix_ocr_misreads,
    drop_stray_opening_quotes,
)


def repair_text(text: str, config: RepairConfig, noted: Noted | None = None) -> RepairResult:
    """Apply every repair in order; the result lists the ones that changed something, and
    `noted` (if given) hears of each change as it is made."""
    result = _repair_once(text, config, noted)
    if _has_mojibake(result.text) and ftfy.is_bad(result.text):
        # Removing an invisible character or joining lines can complete a mojibake sequence
        # that ftfy could not see on the first pass: one more pass settles it.
        again = _repair_once(result.text, config, noted)
        names = result.repairs + tuple(n for n in again.repairs if n not in result.repairs)
        result = RepairResult(again.text, names, result.lead or again.lead)
    return result


def _repair_once(text: str, config: RepairConfig, noted: Noted | None = None) -> RepairResult:
    noted = noted or _unheard
    names: list[str] = []
    text = _applied(restore_lost_closing_quotes, text, config, names, noted)
    fixed, applied = fix_unicode(text)
    for name in applied:
        noted(name, text, fixed)
    text = fixed
    names.extend(applied)
    for repair in LAYOUT_REPAIRS:
        text = _applied(repair, text, config, names, noted)
    unwrapped, removed = strip_release_wrapper(text, config)
    lead = ""
    if removed:
        names.append(strip_release_wrapper.__name__)
        noted(strip_release_wrapper.__name__, text, unwrapped)
        lead = "\n\n".join(paragraphs(text)[: config.wrapper_header_paragraphs + 2])
    text = unwrapped
    for repair in CLOSING_REPAIRS:
        text = _applied(repair, text, config, names, noted)
    return RepairResult(tidy_layout(text), tuple(names), lead)


def _applied(repair: Repair, text: str, config: RepairConfig, names: list[str], noted: Noted) -> str:
    repaired, changes = repair(text, config)
    if changes:
        names.append(repair.__name__)
        noted(repair.__name__, text, repaired)
    return repaired


def _unheard(name: str, before: str, after: str) -> None:
    """No one asked to hear of the changes."""
