"""Tell whether a text stops mid-sentence, as a copy cut off by a scraper or a failed download does."""

from __future__ import annotations

import re

from commclean.repair.lexicon import known_words

# A colon does not end a document: "Begin text:" with nothing after it was cut.
_COMPLETE_ENDING = re.compile(r"[.!?…][\"'”’)\]»]*\s*$")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_DANGLING_WORDS = frozenset(
    "a an the of to and or but nor in on at by for with from into onto upon as than that which who whose "
    "whom our their its his her my your this these those is are was were be been being will would shall "
    "should can could may might must has have had not".split()
)
# Words that open sentences and no signature line: "The United States and …", "We …", "In …".
_SENTENCE_OPENERS = frozenset("we they it today together both all each in on at as during while since".split())
_COMMON_ZIPF = 3.0  # a word this common ("president", "today") is no name standing alone
# Small words a name, a title or an office may hold in lower case ("Minister of Foreign Affairs").
_NAME_PARTICLES = frozenset("of and for the de da del der von van al bin la le on".split())
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MAX_CLOSING_WORDS = 12
MAX_LIST_ITEM_WORDS = 25
# A text may end on an address: "The report is available at https://www.state.gov/reports/".
_ADDRESS_AT_END = re.compile(r"(?:https?://|www\.)\S+\s*$|\S+\.(?:gov|org|int|com|net|edu)(?:/\S*)?\s*$")


def ends_mid_sentence(text: str) -> bool:
    """No terminal punctuation at the end, or a sentence that closes on a dangling function word;
    but a statement may end on a closing formula with no full stop: the signatories' names and
    offices, a date, "###"."""
    tail = text.rstrip()[-400:]  # the end is all that matters; patterns anchored at $ would scan it all
    if not tail:
        return True
    last_word = _LAST_WORD.search(tail[-80:])
    if last_word and last_word.group(1).lower() in _DANGLING_WORDS:
        return True
    if _COMPLETE_ENDING.search(tail[-80:]):
        return False
    parts = _PARAGRAPH_BREAK.split(tail)
    return not (is_closing_formula(parts[-1]) or _ends_a_list(parts) or _ADDRESS_AT_END.search(tail[-200:]))


def _ends_a_list(parts: list[str]) -> bool:
    """The last item of a list: it and the two paragraphs before it are short and none of them
    ends a sentence (items such as "• Strengthening democratic resilience")."""
    items = parts[-3:]
    return len(items) == 3 and all(
        len(item.split()) <= MAX_LIST_ITEM_WORDS and not _COMPLETE_ENDING.search(item) for item in items
    )


def is_closing_formula(paragraph: str) -> bool:
    """A short paragraph of names, offices, dates or marks: every word capitalised, a number, a
    mark, or a particle of a name. A cut-off sentence holds lower-case words; cut off just after
    a paragraph break, it is the first words of a sentence: one that opens as sentences do ("The
    Human Rights", "We"), or a single common word ("President")."""
    words = paragraph.split()
    if not words or len(words) > MAX_CLOSING_WORDS or _opens_a_sentence(words):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or not w[:1].isalnum() or w.lower() in _NAME_PARTICLES
               for w in words)


def _opens_a_sentence(words: list[str]) -> bool:
    first = words[0].strip("“\"‘'(").lower()
    if first in _DANGLING_WORDS or first in _SENTENCE_OPENERS:
        return True
    return len(words) == 1 and not words[0].isupper() and words[0].isalpha() and first in known_words(_COMMON_ZIPF)
