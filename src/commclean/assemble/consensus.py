"""The best text from all copies: a word of the kept copy that its other copies agree to read otherwise is replaced."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter

from rapidfuzz.distance import Levenshtein

from commclean.repair.lexicon import known_words

_TOKEN = re.compile(r"\S+")
_EDGE = ".,;:!?()[]{}“”\"‘’'«»"
# Signs of a damaged word: OCR's digits or bars among letters, mojibake, a replacement character.
_DAMAGE = re.compile(r"[A-Za-z][0-9|]|[0-9|][a-z]|[ÃÂâ€]|\ufffd")
_STRAIGHT = str.maketrans({"'": "’", '"': "”"})
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\w)")
# Print's dashes and curly quotes, as plain-text exports and OCR flatten them.
_FLATTENED = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'}
_FLATTEN = str.maketrans(_FLATTENED)
_DOTS_AND_SPACES = re.compile(r"[\s.]")


def consensus_text(canonical: str, others: Sequence[str], known_zipf: float, max_tokens: int = 100_000
                   ) -> tuple[str, int]:
    """Align each other copy with the canonical word by word; where copies read a word of the
    canonical differently, the canonical's reading is replaced when
    - it is damaged (a word wordfreq has not seen at `known_zipf`, low so that a rare spelling such
      as "stabilisation" is no damage; OCR digits among letters, mojibake, straight quotes where the
      others print curly ones) and the others' reading is not, with at least as many copies for it; or
    - two or more other copies agree on another reading and none shares the canonical's (a
      re-spelling), unless theirs is the poorer one (fewer dots, stops or accents: "US" for "U.S.");
    - the others' reading is the canonical's with marks it lost ("U.S." for "US", "Fernández" for
      "Fernandez") and at least as many copies read it so as read the canonical's, itself included.
    Whitespace and paragraphs stay the canonical's. Returns the text and the words replaced."""
    if all(other == canonical for other in others):
        return canonical, 0
    words = canonical.split()  # the runs _TOKEN finds (str.split and \s agree on what is a space)
    if len(words) > max_tokens:
        return canonical, 0
    # Only where a copy reads a word otherwise is there anything to decide; agreement elsewhere is
    # kept as spans, counted at those places only (a document is thousands of words, most agreed).
    differing: dict[int, dict[str, int]] = {}  # position -> reading -> copies reading it so
    agreeing: list[list[tuple[int, int]]] = []
    for other in others:
        if other == canonical:  # another file with the same text agrees everywhere
            agreeing.append([(0, len(words))])
            continue
        theirs = other.split()
        if len(theirs) > max_tokens:
            continue
        equal = []
        for tag, a0, a1, b0, b1 in Levenshtein.opcodes(words, theirs):
            if tag == "equal":
                equal.append((a0, a1))
            elif tag == "replace" and a1 - a0 == b1 - b0:
                for position, reading in zip(range(a0, a1), theirs[b0:b1]):
                    votes = differing.get(position)
                    if votes is None:
                        differing[position] = votes = {}
                    votes[reading] = votes.get(reading, 0) + 1
        agreeing.append(equal)
    known = known_words(known_zipf)
    choices = {}
    for position, votes in differing.items():
        votes[words[position]] = sum(_covers(spans_, position) for spans_ in agreeing)
        choice = _better_reading(words[position], votes, known)
        if choice is not None:
            choices[position] = choice
    if not choices:
        return canonical, 0
    return _with_words_replaced(canonical, choices), len(choices)


def _with_words_replaced(text: str, choices: dict[int, str]) -> str:
    """The text with its n-th word (a run of non-spaces) replaced by choices[n]; spaces kept."""
    pieces, done = [], 0
    for position, word in enumerate(_TOKEN.finditer(text)):
        if position in choices:
            pieces += [text[done : word.start()], choices[position]]
            done = word.end()
    return "".join(pieces) + text[done:]


def _covers(spans: list[tuple[int, int]], position: int) -> bool:
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]


def _better_reading(word: str, votes: dict[str, int], known: frozenset[str]) -> str | None:
    # Most read first, ties in the order the copies were met (as Counter.most_common gives them).
    ranked = sorted(votes.items(), key=itemgetter(1), reverse=True)
    others = [(reading, count) for reading, count in ranked if reading != word]
    if not others:
        return None
    reading, count = others[0]
    if len(others) > 1 and others[1][1] == count:
        return None  # the other copies disagree among themselves
    same = votes[word]
    if _damaged(word, known) and not _damaged(reading, known) and count >= same and _close(word, reading):
        return reading
    if count >= 2 and same == 0 and _respelled(word, reading) and not _poorer(reading, word):
        return reading
    if count >= same + 1 and restores_marks(reading, word):
        return reading
    return None


def restores_marks(reading: str, text: str) -> bool:
    """`reading` is `text` with marks `text` lost: the same letters, with more dots inside words,
    accented letters, dashes or curly quotes. Copies lose such marks far more often than they gain
    them, so in a tie the marked reading is the original."""
    if reading == text or reading.isascii() and "." not in reading:
        return False  # no marks to restore: the common case, decided without looking at letters
    return _skeleton(reading) == _skeleton(text) and _marks(reading) > _marks(text)


def _marks(text: str) -> int:
    return len(_INNER_DOT.findall(text)) + sum(not c.isascii() and (c.isalpha() or c in _FLATTENED) for c in text)


def _respelled(word: str, reading: str) -> bool:
    """The same word spelled otherwise: at most two letters apart and about as long ("labour",
    "labor"; "US", "U.S."), not two words the copies split differently ("Uruguay—", "Uruguay—met")."""
    a, b = _letters(word).lower(), _letters(reading).lower()
    return abs(len(a) - len(b)) <= 1 and Levenshtein.distance(a, b, score_cutoff=2) <= 2


def _poorer(reading: str, word: str) -> bool:
    """Copies lose marks far more often than they gain them (the dots of "U.S.", the accent of
    "Fernández", a full stop): a majority never takes them away from the kept copy. A re-spelling
    ("labour", "labor") loses no mark."""
    lost_marks = len(reading) < len(word) and _letters(reading) == _letters(word)
    lost_accents = sum(not c.isascii() for c in reading) < sum(not c.isascii() for c in word)
    return lost_marks or lost_accents and _fold(reading) == _fold(word)


def _letters(word: str) -> str:
    return "".join(c for c in word if c.isalnum())


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word.translate(_FLATTEN)).encode("ascii", "ignore").decode("ascii").lower()


def _skeleton(text: str) -> str:
    """What a copy keeps of a text when it loses marks: letters, digits, hyphens, straight quotes."""
    return _DOTS_AND_SPACES.sub("", _fold(text))


@lru_cache(maxsize=1 << 14)  # titles: each copy of a document states the same one or so
def damaged_words(text: str, known_zipf: float = 1.0) -> int:
    """How many words of a short text (a title) look damaged: a way to rank two readings."""
    known = known_words(known_zipf)
    return sum(_damaged(word, known) for word in _TOKEN.findall(text))


@lru_cache(maxsize=1 << 16)  # the words copies read differently recur across documents
def _damaged(word: str, known: frozenset[str]) -> bool:
    core = word.strip(_EDGE)
    if _DAMAGE.search(word) or "'" in word or '"' in word:
        return True
    return core.isalpha() and core.islower() and core not in known


def _close(word: str, reading: str) -> bool:
    """The same word read two ways (a misread, a re-spelling, quotes), not two different words."""
    a, b = (w.translate(_STRAIGHT).lower().replace(".", "") for w in (word, reading))
    return Levenshtein.normalized_distance(a, b) <= 0.34
