"""Tell whether a text stops mid-sentence, as a copy cut off by a scraper or a failed download does."""

from __future__ import annotations

import re

from commclean.repair.lexicon import known_words
from commclean.repair.shapes import TITLE_ABBREVIATIONS, is_annex_heading

_COMPLETE_ENDING = re.compile(r"[.!?…][\"'”’)\]»]*\s*$")
# Nor does a full stop after a title before a name ("Dr.", "No.") or "U.S.", which American style
# writes as an adjective only ("the United States" is the noun). (A name's initial, "Antony J.",
# is left: "Annex A." ends sentences.)
# A word of its own: the "Gov." of "InternetForAll.Gov." is a domain's.
_TITLE_ABBREVIATIONS = (*TITLE_ABBREVIATIONS, "No")
_BEFORE_A_NOUN = re.compile(rf"(?<![\w.])(?:{'|'.join(_TITLE_ABBREVIATIONS)}|U\.S)\.\s*$")
# A colon, a comma or a semicolon ends no document: "Begin text:" with nothing after it was cut.
_OPEN_PUNCTUATION_AT_END = re.compile(r"[:,;]\s*$")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_DANGLING_WORDS = frozenset(
    "a an the of to and or but nor in on at by for with from into onto upon as than that which who whose "
    "whom our their its his her my your this these those is are was were be been being will would shall "
    "should can could may might must has have had not".split()
)
_NEVER_LAST = frozenset("a an the and or but nor our their its my your".split())
# Words that open sentences and no signature line: "The United States and …", "We …", "Through …".
_SENTENCE_OPENERS = frozenset(
    "we they it today together both all each in on at as during while since through throughout following "
    "under after before over across among between against within without beyond despite including "
    "moreover furthermore additionally similarly likewise finally however also meanwhile separately "
    "consequently accordingly therefore thus when if because although though unless whereas".split()
)
_COMMON_ZIPF = 3.0  # a word this common ("president", "today") is no name standing alone
# Small words a name, a title or an office may hold in lower case ("Minister of Foreign Affairs").
_NAME_PARTICLES = frozenset("of and for the de da del der von van al bin la le on".split())
# Titles and honorifics a sentence names a person by ("President Biden met …", "Dr. Sherwood-Randall");
# a signature gives the full name.
_TITLES = frozenset(
    "president minister secretary chancellor king queen prince princess ambassador governor senator "
    "premier emir sheikh sultan administrator commissioner director envoy chair chairman chairwoman "
    "mayor speaker general admiral representative spokesperson taoiseach pope dr mr mrs ms".split()
)
_BARE_NAME = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*")  # letters, maybe hyphenated: "Sherwood-Randall"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A letter's valediction, alone on its line: what follows is its signature, whatever words the
# signer's office holds ("Sincerely," / "Dana A. Remus" / "Counsel to the President").
_VALEDICTION = re.compile(r"(?:(?:very )?(?:sincerely|respectfully|cordially|faithfully|truly)(?: yours)?|"
                          r"yours (?:sincerely|faithfully|truly)|with (?:best|kind|warm) regards),", re.I)
MAX_SIGNATURE_PARAGRAPHS = 3
MAX_ANNEX_HEADING_CHARS = 120  # "Appendix A: " and a title of up to 60 characters, with room to spare
MAX_CLOSING_WORDS = 12
MAX_LABEL_WORDS = 3  # "See also:", "Media contact:": a label, not a sentence leading into a list
# A list's items may be a sentence long ("January 11: Deputy Secretary Sherman will meet with …",
# a delegate's name and offices); prose paragraphs are longer.
MAX_LIST_ITEM_WORDS = 40
LIST_TAIL_CHARS = 1_000  # three such items
_ITEM_GOES_ON = re.compile(r"[;,]\s*(?:and|or)?\s*$")
# Words a full stop shortens, which end no sentence before a name: "Rev. Dr. Teresa …", "Gen. Milley".
_ABBREVIATIONS = frozenset(a.lower() for a in _TITLE_ABBREVIATIONS) | frozenset("sgt jr sr st vs inc ltd co".split())
# A possessive wants its noun: "Today’s", "President Biden’s" end no text.
_POSSESSIVE_AT_END = re.compile(r"\w[’']s\s*$")
# A word in lower case or a number, then a full stop: a sentence ended ("by 2030.", "act.”"; the
# "U.S." of a title is none).
_SENTENCE_END = re.compile(r"(?:[a-z]{2}|\d)[\"'”’)\]]?[.!?…]")
# An item's number or letter: "7.", "iv.", "(b)", "B)".
_LIST_MARKER = re.compile(r"\(?(?:\d{1,3}|[ivxlc]{1,6}|[IVXLC]{1,6}|[a-zA-Z])[.)]")
# A numbered paragraph opens an item or a section ("7. The United", "III. Trade"), never a signature.
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}|[IVX]{2,5}|I|[a-z])[.)]\s")
# A source or stage direction in brackets after the last sentence: "…lands.” [Statement, 9/20/23]".
# So does a footnote's or an end mark after it: "… in the coming days. *", "… the region. ###".
_ASIDE_AT_END = re.compile(r"\s*(?:\[[^\[\]\n]{1,60}\]|\([^()\n]{1,60}\)|[*†‡#]{1,3})\s*$")
# A transcript's or a release's end mark after its last sentence, on the same line when a
# scraper joined them: "… Thank you all. END 7:52 P.M. EDT", "… (Applause.) END", "… today. ###".
_END_MARK_AFTER_A_SENTENCE = re.compile(r"[.!?…)\]\"”’]\s+(?:END|#\s?#\s?#|-30-)"
                                        r"(?:\s+\d{1,2}:\d{2}\s*[AP]\.?M\.?(?:\s+[A-Z]{2,4})?)?\s*$")
# A text may end on an address: "The report is available at https://www.state.gov/reports/", a
# press office's "… CONTACT THE NEWS DESK AT NEWS-DESK@FEMA.DHS.GOV".
_ADDRESS_AT_END = re.compile(r"(?:https?://|www\.)\S+\s*$|\S+\.(?:gov|org|int|com|net|edu)(?:/\S*)?\s*$", re.I)

# A web page's last line may be a link's text, which no full stop ends: "Learn more about the
# Partnership on Cancer Research", "Read the full text of the Declaration here"; or a table's
# source note: "Source: 50 State Plans Submitted to CMS".
_END_NOTE = re.compile(r"^(?:(?:learn more|read more|read the|click here|visit|download|watch|view the)\b|"
                       r"(?:sources?|notes?)\s*:)", re.I)
# ... or a sentence pointing to one, whose last words are the link: "To view this fact sheet in your
# browser, click here".
_LINK_AT_END = re.compile(r"\b(?:click|tap) here\W*$", re.I)

# A table the converter flattened into one paragraph ends on its last row's figure: "… Wisconsin
# 91,070 18,466 Wyoming 7,484 1,745", "… Grand Total $16,635,088,533". Its last words are mostly
# figures, as no sentence's are.
_FIGURE = re.compile(r"[$€£]?\d[\d,.]*%?")
TABLE_TAIL_WORDS = 30
TABLE_MIN_FIGURE_SHARE = 0.4


def ends_mid_sentence(text: str) -> bool:
    """No terminal punctuation at the end, or a sentence that closes on an article or a conjunction;
    but a statement may end on a closing formula with no full stop: the signatories' names and
    offices, a date, "###"; or on an annex's heading alone, a link to what the statement attaches
    ("DONALD J. TRUMP" / "Annex"). (A text cut inside its annex is cut: only a heading last is left out.)"""
    stripped = text.rstrip()
    last_break = stripped.rfind("\n\n", max(0, len(stripped) - MAX_ANNEX_HEADING_CHARS))
    if last_break > 0 and is_annex_heading(stripped[last_break:]):
        stripped = stripped[:last_break].rstrip()
    tail = stripped[-400:]  # the end is all that matters; patterns anchored at $ would scan it all
    if not tail:
        return True
    end = tail[-80:]  # the end is in its last 80 characters
    last_word = _LAST_WORD.search(end)
    # A sentence may end on a preposition or an auxiliary ("the region we want to live in."), never
    # on an article, a conjunction or a possessive ("agreed to the."); without its full stop, on none.
    word = last_word.group(1) if last_word else ""
    # A word in brackets is an abbreviation or an aside, never a dangling article or preposition:
    # a state's code after a governor's name, "(IN)", "(OR)", "(ME)".
    bracketed = bool(last_word) and end[last_word.start() - 1 : last_word.start()] == "(" and \
        last_word.group(0).strip().startswith(word + ")")
    if not bracketed and (word in _NEVER_LAST or word.lower() in _DANGLING_WORDS and not _COMPLETE_ENDING.search(end)):
        return True
    if _BEFORE_A_NOUN.search(end) or _OPEN_PUNCTUATION_AT_END.search(end) or _POSSESSIVE_AT_END.search(end):
        return True
    if _COMPLETE_ENDING.search(end) or _END_MARK_AFTER_A_SENTENCE.search(end):
        return False
    aside = _ASIDE_AT_END.search(end)
    if aside and _COMPLETE_ENDING.search(end[: aside.start()]):
        return False
    parts = _PARAGRAPH_BREAK.split(tail)
    # A statement signs off after saying something, and one paragraph after a lead-in is the text
    # it leads into: a title, "… is attributable to the Spokesperson:" and the first words of a
    # paragraph are a copy cut off, not a signature or a list.
    said = _SENTENCE_END.search(stripped[: -len(parts[-1])])
    one_item = len(parts) > 1 and parts[-2].rstrip().endswith(":")
    # Nor does a signature follow a sentence that leads in: "Participants included representatives
    # from:" and one name is a list cut after its first item. A label ("See also:") may head one
    # line, a link's title: "See Also:" / "Accompanying Chair’s Statement".
    led_in = one_item and len(parts[-2].split()) > MAX_LABEL_WORDS
    signed = said and not led_in and (is_closing_formula(parts[-1]) and not _NUMBERED.match(parts[-1])
                                      or _signs_a_letter(parts))
    listed = (said or not one_item) and _ends_a_list(_PARAGRAPH_BREAK.split(stripped[-LIST_TAIL_CHARS:]))
    last_words = parts[-1].split()
    titled = one_item and not led_in and len(last_words) <= MAX_CLOSING_WORDS and _capitalised(last_words)
    noted = said and len(parts) > 1 and (_is_end_note(parts[-1]) or titled)
    tabled = _ends_a_table(tail) and bool(_SENTENCE_END.search(stripped[:-200]))
    return not (signed or listed or noted or tabled or _ADDRESS_AT_END.search(tail[-200:]))


def _signs_a_letter(parts: list[str]) -> bool:
    """A valediction, then a signature of a few short lines: a letter's end."""
    for back in range(2, min(len(parts), MAX_SIGNATURE_PARAGRAPHS + 1) + 1):
        if _VALEDICTION.fullmatch(parts[-back].strip()):
            return all(len(line.split()) <= MAX_CLOSING_WORDS for line in parts[-back + 1 :])
    return False


def _ends_a_table(tail: str) -> bool:
    words = tail.split()[-TABLE_TAIL_WORDS:]
    figures = sum(1 for word in words if _FIGURE.fullmatch(word))
    return len(words) == TABLE_TAIL_WORDS and figures >= TABLE_MIN_FIGURE_SHARE * len(words) and \
        bool(_FIGURE.fullmatch(words[-1]))


def _is_end_note(paragraph: str) -> bool:
    return len(paragraph.split()) <= MAX_LIST_ITEM_WORDS and bool(
        _END_NOTE.match(paragraph.strip()) or _LINK_AT_END.search(paragraph))


def _ends_a_list(parts: list[str]) -> bool:
    """The last item of a list: it and the two paragraphs before it are short and none of them
    ends a sentence (items such as "• Strengthening democratic resilience"). Items that end on a
    semicolon or a comma go on until the last one, which ends on a full stop: without one, the list
    was cut."""
    items = parts[-3:]
    return len(items) == 3 and all(
        len(item.split()) <= MAX_LIST_ITEM_WORDS and not _COMPLETE_ENDING.search(item) for item in items
    ) and not any(_ITEM_GOES_ON.search(item) for item in items[:-1]) and not _goes_on_after_a_sentence(items[-1])


def _goes_on_after_a_sentence(item: str) -> bool:
    """A sentence ends inside it and another begins ("… for the 2023-2026 term. Professor Helfer is
    …"): prose, not an item, whatever its length (a title's "Rev." or "Dr." before a name is none)."""
    words = item.split()
    if words and _LIST_MARKER.fullmatch(words[0]):  # "vi. Empire Mine, Michigan": the item's number
        words = words[1:]
    return any(word[-1] in ".!?" and word[:-1].isalpha() and word[:-1].lower() not in _ABBREVIATIONS
               and len(word) > 2 and following[:1].isupper() for word, following in zip(words, words[1:]))


def is_closing_formula(paragraph: str) -> bool:
    """A short paragraph of names, offices, dates or marks: every word capitalised, a number, a
    mark, or a particle of a name. A cut-off sentence holds lower-case words; cut off just after
    a paragraph break, it is the first words of a sentence: one that opens as sentences do ("The
    Human Rights", "We"), or a single common word ("President")."""
    words = paragraph.split()
    if not words or len(words) > MAX_CLOSING_WORDS or _opens_a_sentence(words) or _names_by_title(words):
        return False
    if any(pair == ("and", "I") for pair in zip(words, words[1:])):  # "Jill and I": a sentence's subject
        return False
    return _capitalised(words)


def _capitalised(words: list[str]) -> bool:
    return all(w[:1].isupper() or w[:1].isdigit() or not w[:1].isalnum() or w.lower() in _NAME_PARTICLES
               for w in words)


def _opens_a_sentence(words: list[str]) -> bool:
    first = words[0].strip("“\"‘'(").rstrip(",;:").lower()  # "Finally, Federal …"
    if first in _DANGLING_WORDS or first in _SENTENCE_OPENERS or _is_gerund(first):
        return True
    return len(words) == 1 and not words[0].isupper() and words[0].isalpha() and first in known_words(_COMMON_ZIPF)


def _is_gerund(word: str) -> bool:
    """A heading or an item opens on one ("Launching the White House Campaign for …", "Ensuring
    Compliance"); a name or an office never does."""
    return len(word) > 5 and word.endswith("ing") and word in known_words(_COMMON_ZIPF)


def _names_by_title(words: list[str]) -> bool:
    """A title and a bare surname at the end or before "and" ("… and President Biden", "President
    Biden and King", "Dr. Sherwood-Randall"): the subject of a sentence, cut off."""
    return any(
        words[i].lower().rstrip(".") in _TITLES and words[i + 1][:1].isupper()
        and _BARE_NAME.fullmatch(words[i + 1])
        and (i + 2 == len(words) or words[i + 2] == "and")
        for i in range(len(words) - 1)
    )
