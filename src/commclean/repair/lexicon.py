"""Is this a word? English word frequencies from wordfreq, plus the words a document itself uses."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import wordfreq

_LETTER_BYTES = bytes(byte if 65 <= byte <= 90 or 97 <= byte <= 122 else 32 for byte in range(256))


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    # wordfreq's own table; a dictionary lookup is far cheaper than zipf_frequency's tokenizing,
    # and gives the same number for a single lower-case word.
    return wordfreq.get_frequency_dict("en", wordlist="best")


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of a lower-case word: 7 for "the", 3 for once per million words, 0 unseen."""
    frequency = _frequencies().get(word, 0.0)
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


@lru_cache(maxsize=4)
def known_words(min_zipf: float) -> frozenset[str]:
    """Every word wordfreq rates at or above min_zipf, for fast membership tests."""
    floor = 10 ** (min_zipf - 9)
    return frozenset(word for word, frequency in _frequencies().items() if frequency >= floor)


def is_known(word: str, vocabulary: Mapping[str, int], min_zipf: float) -> bool:
    """A common English word, or one the document itself uses more than once."""
    lowered = word.lower()
    return zipf(lowered) >= min_zipf or vocabulary[lowered] >= 2


def count_unknown_words(text: str, min_zipf: float) -> int:
    """Distinct lower-case words of the text that wordfreq does not know: misreads and garbage
    mostly (names are capitalised, so they do not count against a copy). A word is a run of two
    or more ASCII letters, all lower-case, between characters that are not ASCII letters."""
    # Bytes, not a regular expression: a non-ASCII character becomes "?", every non-letter a
    # space, and splitting gives the runs (the pattern's look-arounds cost 0.1 ms a document).
    runs = set(text.encode("ascii", errors="replace").translate(_LETTER_BYTES).decode("ascii").split())
    # Known words first: most runs are, and a set difference is cheaper than testing each run.
    return sum(1 for run in runs - known_words(min_zipf) if len(run) >= 2 and run.islower())
