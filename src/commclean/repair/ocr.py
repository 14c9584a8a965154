"""Conservative repair of OCR misreads: only words that are not words, only to words that are."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from commclean.config import RepairConfig
from commclean.repair.lexicon import known_words, zipf

# Glyph confusions of OCR engines, both ways where both ways happen (tesseract on print).
CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("m", "rn"), ("cl", "d"), ("li", "h"), ("vv", "w"), ("ii", "u"), ("tb", "th"),
    ("c", "o"), ("o", "c"), ("c", "e"), ("e", "c"), ("b", "h"), ("h", "b"), ("sn", "m"),
    ("1", "l"), ("l", "1"), ("0", "o"), ("o", "0"), ("5", "s"), ("8", "s"), ("|", "l"), ("|", "I"),
    ("fi", "h"), ("u", "n"), ("n", "u"), ("t", "f"), ("f", "t"),
)
# Candidates may be pieces of "U.S.-Iraq" or "Russia’s"; only whole words are replaced (below).
_PLAIN_WORD = re.compile(r"[a-z|][a-z0-9|]+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}“”\"‘’'"
_ANY_CASE_WORD = re.compile(r"[A-Za-z|][A-Za-z0-9|]+")
# A full stop after a word no sentence ends on, before a lower-case word: a speck, not punctuation.
# Patterns start on the punctuation and look behind it there, so the engine scans for a rare
# character instead of trying every word (the word-first forms took 7% of a file's processing).
_FUNCTION_WORDS = frozenset("of to and the a an in for with on by at from or".split())
# After a number, "a." is an item's letter ("subsection 123 a. of the Act"), not a word; after a
# full stop, the last letter of an abbreviation ("a d.e.a. from the École").
_SPECK_AFTER_FUNCTION_WORD = re.compile(
    r"\. (?=[a-z])(?:" + "|".join(rf"(?<=\b{word}\. )(?<!\d {word}\. )(?<!\.{word}\. )"
                                  for word in sorted(_FUNCTION_WORDS)) + ")")
# "was:announced": a colon or full stop between two lower-case words without a space. One pattern
# a mark, each opening on it: searched for as a string, six times quicker than a class of two.
_SPECKS_INSIDE_WORDS = tuple(re.compile(rf"{re.escape(mark)}(?<=[a-z]{{2}}{re.escape(mark)})(?=[a-z]{{2}})")
                             for mark in ".:")
# An address keeps its full stops: a known top-level domain, or any two letters (a country's).
_ADDRESS = re.compile(r"www|https?:|@|\.(?:gov|org|com|net|edu|int|mil|info|[a-z]{2})\b(?![.:]?[a-z])", re.IGNORECASE)
_ANY_SPECKS = (re.compile(r"\. ?[a-z]"), re.compile(r": ?[a-z]"))  # each opens on its mark: a fast scan
# Specks after a line's closing full stop ("the Basic Law. : /"): marks no sentence ends with.
_TRAILING_SPECKS = re.compile(r"([.!?][”’\"')\]]?)(?:[ \t]+[:;,./\\|‘'~_-]{1,2})+[ \t]*$", re.MULTILINE)


def fix_ocr_misreads(text: str, config: RepairConfig) -> tuple[str, int]:
    """Unknown words one glyph confusion away from a known word, and punctuation specks between words."""
    specks = 0
    if any(speck.search(text) for speck in _ANY_SPECKS):
        before = text
        text = _split_specks_inside_words(_SPECK_AFTER_FUNCTION_WORD.sub(" ", text))
        specks = int(text != before)  # the callbacks leave most matches as they were
    text, trailing = _TRAILING_SPECKS.subn(r"\1", text)
    specks += trailing
    lowered = text.lower()
    known = known_words(config.known_word_zipf)
    # Most tokens are known words as they stand; only the rest need their punctuation taken off.
    stripped = {token.strip(_EDGE_PUNCTUATION) for token in set(lowered.split()) - known}
    unknown = {word for word in stripped - known if _PLAIN_WORD.fullmatch(word)}
    fixable = [word for word in unknown if _is_misread(word, config)]
    # A name the document uses again is no misread: only words seen once are corrected.
    fixable = [word for word in fixable if lowered.count(word) == 1]
    corrections: dict[str, str] = {}
    if fixable:
        spelled = {word.lower(): word for word in _ANY_CASE_WORD.findall(text) if word.lower() in fixable}
        for word in fixable:
            original = spelled.get(word, word)
            replacement = None if _is_exempt(original) else best_correction(original, config)
            if replacement:
                corrections[original] = replacement
    text, fixes = _replaced_where_alone(text, corrections)
    return text, specks + fixes


def _replaced_where_alone(text: str, corrections: dict[str, str]) -> tuple[str, int]:
    """Each word replaced where it stands alone (not part of "U.S.-Iraq" or "Russia’s"), the
    leftmost first. Each occurs once or so (only words seen once are corrected): finding them
    costs less than compiling a pattern of them for every document that has some."""
    found = []
    for order, (word, replacement) in enumerate(corrections.items()):
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            alone = not (_joins_word(text[start - 1 : start]) or _joins_word(text[end : end + 1]))
            if alone and (not word[:1].isupper() or _opens_sentence(text, start)):
                found.append((start, order, end, replacement))
            start = text.find(word, start + 1)
    pieces, done = [], 0
    for start, _, end, replacement in sorted(found):
        if start >= done:
            pieces += [text[done:start], replacement]
            done = end
    return "".join(pieces) + text[done:], len(pieces) // 2


def _opens_sentence(text: str, start: int) -> bool:
    """Whether a word at `start` opens a paragraph or a sentence. A capital elsewhere makes a name
    ("vice Kenneth Steven Barbic"), whose spelling is no evidence of a misread ("Barbie")."""
    before = text[max(0, start - 3) : start].rstrip(" \t“\"‘'(")
    return not before or before[-1] in "\n.!?:"


def _joins_word(char: str) -> bool:
    """A character a word goes on through: a letter, digit or underscore (as \\w), or ’ ' -."""
    return char.isalnum() or char in "_’'-" if char else False


def _is_exempt(word: str) -> bool:
    """Numbers, acronyms and names with inner capitals ("FIUs", "eBay") are not OCR's to judge:
    their letters are no evidence of a misread."""
    capitals = sum(c.isupper() for c in word)
    return word[:1].isdigit() or capitals >= 2 or capitals == 1 and not word[:1].isupper()


def _split_specks_inside_words(text: str) -> str:
    """ "was:announced" splits; "www.state.gov", other addresses and identifiers stay whole. Each speck takes
    the two letters on either side with it, so "ab.cd.ef" is judged once, at its first mark."""
    pieces: list[str] = []
    done = 0  # text before this is copied or consumed by a speck's letters
    split = False
    for mark in _specks_inside_words(text):
        start, end = mark.start() - 2, mark.start() + 3
        if start < done:  # the token judged at its first mark: split through, or keep whole
            if split:
                pieces += [text[done : mark.start()], " ", text[mark.start() + 1 : end]]
                done = end
            continue
        token = _token_around(text, start, end)
        # Figures among the letters make an identifier or an address ("…5ep7eiodiad.onion"), not two words.
        split = not _ADDRESS.search(token) and not any(char.isdigit() for char in token)
        pieces += [text[done : start + 2], " " if split else text[start + 2], text[start + 3 : end]]
        done = end
    return "".join(pieces) + text[done:] if pieces else text


def _specks_inside_words(text: str) -> list[re.Match[str]]:
    return sorted((match for marks in _SPECKS_INSIDE_WORDS for match in marks.finditer(text)), key=re.Match.start)


def _token_around(text: str, start: int, end: int) -> str:
    first = text.rfind(" ", 0, start) + 1
    last = text.find(" ", end)
    return text[first : last if last != -1 else len(text)]


def _is_misread(word: str, config: RepairConfig) -> bool:
    """Unknown to wordfreq, or rare ("tbe" is seen, from OCR'd text) next to a far commoner
    correction ("the"): rare real words ("ore" beside "one") are left alone."""
    correction = best_correction(word, config)
    if correction is None:
        return False
    rarity = zipf(word)
    return rarity < config.ocr_unknown_zipf or zipf(correction.lower()) - rarity >= config.ocr_dominance


def best_correction(word: str, config: RepairConfig) -> str | None:
    return _best_correction(word, config.known_word_zipf)


@lru_cache(maxsize=4)
def _longest_known_word(min_zipf: float) -> int:
    """Also what keeps a run-on "word" of a hostile file (every confusion tried at each of its
    letters, each candidate as long as the word) from costing its length squared."""
    return max(map(len, known_words(min_zipf)))


@lru_cache(maxsize=100_000)
def _best_correction(word: str, min_zipf: float) -> str | None:
    """The single known word one confusion away, keeping the word's capitalisation; None if no
    confusion gives a known word, or if two give different ones (then it is no clear misread)."""
    if len(word) > _longest_known_word(min_zipf) + 1:
        return None  # one confusion changes a word's length by one letter at most
    found: Counter[str] = Counter()
    lowered = word.lower() if not word[:1].isdigit() else word
    for wrong, right in CONFUSIONS:
        start = lowered.find(wrong)
        while start != -1:
            candidate = lowered[:start] + right + lowered[start + len(wrong) :]
            if candidate.isalpha() and zipf(candidate) >= min_zipf:
                found[candidate] += 1
            start = lowered.find(wrong, start + 1)
    if len(found) != 1:
        return None
    (candidate,) = found
    return candidate.capitalize() if word[:1].isupper() else candidate


# An opening single quote at a word's start ("‘We", "‘$4"): OCR reads a speck left of a capital so.
# Typed for an apostrophe (a year's elided century, "Fiscal Year ‘24"; a contraction or possessive
# set apart, "the Plan ‘s"; a word's elided start, "‘Twas the Night Before Christmas", "‘til", a
# poem's "‘neath"), it is the writer's, and stays.
_OPENING_QUOTE = re.compile(r"(?:(?<=\s)|^)‘(?=[\w$£€])(?!\d\ds?(?=[\s,.;:!?)’”-]|$)|(?:s|t|re|ll|ve|d|m)\b|"
                            r"(?i:twas|tis|til|em|cause|neath|bout|cept|nuff|gainst)\b)", re.MULTILINE)
# What closes one: a ’ or ' that ends a word (not the apostrophe of "Iraq’s"), as in "‘Never
# again,’ he said" or, quotes mixed, "‘Waters of the United States,'"; or a ” that closes it with
# the quotation around it ("… a future stamped ‘Made in America,” said the Adviser").
_CLOSING_QUOTE = re.compile(r"[’'”](?!\w)")


def drop_stray_opening_quotes(text: str, config: RepairConfig) -> tuple[str, int]:
    """An opening single quote that nothing closes in its paragraph is a speck OCR read as one.
    A quotation running over paragraphs opens each of them and closes only the last: an opening
    quote is kept when the paragraphs after it open one each until one closes it. So is the okina
    of Polynesian names, often typed as one ("Siaosi ‘Ofakivahafolau", "Hawai‘i"): before a vowel
    opening a word no English dictionary holds."""
    if "‘" not in text:
        return text, 0
    paragraphs = text.split("\n\n")
    known = known_words(config.known_word_zipf)
    # A quote is closed when a closing one comes anywhere after it: the paragraph's last one does.
    last_closes = [max((m.start() for m in _CLOSING_QUOTE.finditer(p)), default=-1) for p in paragraphs]
    quoted_on = _closed_quotations(paragraphs, last_closes)
    dropped = 0
    for index, paragraph in enumerate(paragraphs):
        if "‘" not in paragraph or quoted_on[index + 1]:
            continue
        kept: list[str] = []
        done = 0
        for quote in _OPENING_QUOTE.finditer(paragraph):
            if quote.end() <= last_closes[index] or _is_okina(paragraph, quote.end(), known):
                continue
            kept.append(paragraph[done : quote.start()])
            done = quote.end()
            dropped += 1
        paragraphs[index] = "".join(kept) + paragraph[done:]
    return ("\n\n".join(paragraphs), dropped) if dropped else (text, 0)


_WORD_AFTER = re.compile(r"\w+")


def _is_okina(paragraph: str, start: int, known: frozenset[str]) -> bool:
    word = _WORD_AFTER.match(paragraph, start)
    return word is not None and word[0][:1].lower() in "aeiou" and word[0].lower() not in known


def _closed_quotations(paragraphs: list[str], last_closes: list[int]) -> list[bool]:
    """For each paragraph (and one past the last), whether it opens a quotation that it or the
    paragraphs after it, each opening one too, close (`last_closes`: each one's last closing
    quote, -1 for none)."""
    closed = [False] * (len(paragraphs) + 1)
    for index in range(len(paragraphs) - 1, -1, -1):
        closes = last_closes[index] >= 0 or closed[index + 1]
        closed[index] = paragraphs[index].lstrip().startswith("‘") and closes
    return closed
