"""Is this a word? English word frequencies from wordfreq, plus the words a document itself uses."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache

import wordfreq

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")


@lru_cache(maxsize=500_000)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency: 7 for "the", 3 for a word used once per million words, 0 unseen."""
    return wordfreq.zipf_frequency(word, "en", wordlist="best")


def document_vocabulary(text: str) -> Counter[str]:
    return Counter(word.lower() for word in _WORD.findall(text))


def is_known(word: str, vocabulary: Mapping[str, int], min_zipf: float) -> bool:
    """A common English word, or one the document itself uses more than once."""
    lowered = word.lower()
    return zipf(lowered) >= min_zipf or vocabulary[lowered] >= 2
