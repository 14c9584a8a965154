"""Tell whether a text stops mid-sentence, as a copy cut off by a scraper or a failed download does."""

from __future__ import annotations

import re

# A colon does not end a document: "Begin text:" with nothing after it was cut.
_COMPLETE_ENDING = re.compile(r"[.!?…][\"'”’)\]»]*\s*$")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_DANGLING_WORDS = frozenset(
    "a an the of to and or but nor in on at by for with from into onto upon as than that which who whose "
    "whom our their its his her my your this these those is are was were be been being will would shall "
    "should can could may might must has have had not".split()
)


def ends_mid_sentence(text: str) -> bool:
    """No terminal punctuation at the end, or a sentence that closes on a dangling function word."""
    tail = text.rstrip()[-80:]  # the end is all that matters; patterns anchored at $ would scan it all
    if not tail:
        return True
    if not _COMPLETE_ENDING.search(tail):
        return True
    last_word = _LAST_WORD.search(tail)
    return bool(last_word and last_word.group(1).lower() in _DANGLING_WORDS)
