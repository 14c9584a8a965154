"""Every date a statement's header, opening and signature state, each scored for how surely it dates the statement."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from dateutil import parser as date_parser

from commclean.records import PartialDate

_MONTH_NAMES = sorted(
    {name for name in (*calendar.month_name[1:], *calendar.month_abbr[1:])} | {"Sept"},
    key=len,
    reverse=True,
)
# Two figures joined by a date's separator: most sentences have none, and this scan is half the
# cost of looking for a date in figures. One pattern a separator, each opening on it: the engine
# searches for a character as a string, where it tests every character against a class (six times slower).
_FIGURES_JOINED = tuple(re.compile(rf"{re.escape(mark)}(?<=\d{re.escape(mark)})(?=\d)") for mark in "-/.")
_MONTH_WORD = rf"(?:{'|'.join(_MONTH_NAMES)})\.?"
_MONTH = rf"(?P<month>{_MONTH_WORD})"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DASH = r"\s*(?:[-–—]{1,2}|to|and)\s*"
# Each pattern opens on a lookahead for the character its matches can start with (a month's
# initial, a digit, the "t" of "the"): Python's engine then skips to those characters, where it
# would try an alternation of month names at every position (half of the date search's time).
_MONTH_INITIALS = "".join(sorted({m[0] for m in _MONTH_NAMES}))
_AT_MONTH = f"(?=[{_MONTH_INITIALS}])"
_AT_DAY = r"(?=\d)"
_AT_DAY_OR_THE = r"(?=[t\d])"


def _date_pattern(opening: str, pattern: str) -> re.Pattern[str]:
    return re.compile(opening + pattern, re.IGNORECASE)


# A range dates a statement by its last day ("May 16-17, 2022", "12-13 May 2022",
# "October 31–November 1, 2022"); its first day is only matched as part of it.
_RANGE_PATTERNS = (
    _date_pattern(_AT_MONTH, rf"\b{_MONTH_WORD}\s+[0-3]?\d(?:st|nd|rd|th)?{_DASH}{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    _date_pattern(_AT_DAY, rf"\b[0-3]?\d(?:st|nd|rd|th)?\s+{_MONTH_WORD}{_DASH}{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    _date_pattern(_AT_MONTH, rf"\b{_MONTH}\s+[0-3]?\d(?:st|nd|rd|th)?{_DASH}{_DAY},?\s+{_YEAR}\b"),
    _date_pattern(_AT_DAY, rf"\b[0-3]?\d(?:st|nd|rd|th)?{_DASH}{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
)
_DATE_PATTERNS = (
    *_RANGE_PATTERNS,
    # "the 5th of May 2022"
    _date_pattern(_AT_DAY_OR_THE, rf"\b(?:the\s+)?{_DAY}\s+(?:day\s+)?of\s+{_MONTH},?\s+{_YEAR}\b"),
    _date_pattern(_AT_MONTH, rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
    _date_pattern(_AT_DAY, rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"),
    # "05-Jun-2021", "5/Jun/2021": a day, a month's name and a year joined by dashes or slashes.
    _date_pattern(_AT_DAY, rf"\b{_DAY}[-/]{_MONTH}[-/]{_YEAR}\b"),
    _date_pattern(_AT_MONTH, rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s*\d)"),
    _date_pattern(_AT_DAY, rf"\b{_DAY}\s+{_MONTH}\b(?!,?\s*\d)"),
)
# A date written out in words, as proclamations, treaties and declarations sign themselves: "this
# twenty-seventh day of September, in the year of our Lord two thousand twenty-four", "Done at
# Lima, this fifth day of May, 2022". dateutil and dateparser read neither the words nor the formula.
_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNIT_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth".split()
_TEEN_ORDINALS = ("tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
                  "nineteenth").split()
_NUMBER_WORDS = {**{w: i + 1 for i, w in enumerate(_UNITS)}, **{w: i + 10 for i, w in enumerate(_TEENS)},
                 **{w: 10 * (i + 2) for i, w in enumerate(_TENS)},
                 **{w: i + 1 for i, w in enumerate(_UNIT_ORDINALS)}, **{w: i + 10 for i, w in enumerate(_TEEN_ORDINALS)},
                 "twentieth": 20, "thirtieth": 30}
# Compound numbers are joined by any hyphen ("twenty‑six" with U+2011, as a web page may write it).
_JOINED = r"[-\s\u2010\u2011]"
_SPELLED_ORDINAL = (rf"(?:(?:twenty|thirty){_JOINED}(?:{'|'.join(_UNIT_ORDINALS)})|{'|'.join(_UNIT_ORDINALS)}|"
                    rf"{'|'.join(_TEEN_ORDINALS)}|twentieth|thirtieth)")
_SPELLED_UNDER_100 = rf"(?:(?:{'|'.join(_TENS)})(?:{_JOINED}(?:{'|'.join(_UNITS)}))?|{'|'.join(_TEENS)}|{'|'.join(_UNITS)})"
_SPELLED_YEAR = (rf"(?:two\s+thousand(?:\s+(?:and\s+)?{_SPELLED_UNDER_100})?|"
                 rf"nineteen\s+(?:hundred\s+(?:and\s+)?)?{_SPELLED_UNDER_100})")
_SPELLED_DATE = re.compile(
    rf"\b(?P<day>{_SPELLED_ORDINAL}|[0-3]?\d(?:st|nd|rd|th)?)\s+day\s+of\s+{_MONTH},?\s+"
    rf"(?:(?:in\s+)?the\s+year\s+(?:of\s+our\s+lord\s+)?)?(?P<year>(?:19|20)\d\d|{_SPELLED_YEAR})\b", re.IGNORECASE)
_DAY_OF = re.compile(r"\bday\s+of\b", re.IGNORECASE)
_THIS_BEFORE = re.compile(r"\bthis\s+$", re.IGNORECASE)
_SIGNED_THIS_DAY = re.compile(r"\bthis\s+\S+\s+day\s+of\b", re.IGNORECASE)


def _spelled_number(words: str) -> int:
    """The number English words write out: "twenty-seventh" 27, "two thousand and twenty-four" 2024,
    "nineteen ninety-nine" 1999."""
    tokens = [word for word in re.split(rf"{_JOINED}+", words.lower()) if word != "and"]
    if tokens[0] == "nineteen" and tokens[1:2] not in ([], ["hundred"]):
        return 1900 + _spelled_number(" ".join(tokens[1:]))
    total = part = 0
    for word in tokens:
        if word == "thousand":
            total, part = total + max(part, 1) * 1000, 0
        elif word == "hundred":
            part = max(part, 1) * 100
        else:
            part += _NUMBER_WORDS[word]
    return total + part


def _spelled_dates(text: str) -> list[DateMention]:
    found = []
    for match in _SPELLED_DATE.finditer(text):
        day, year = match["day"], match["year"]
        day_number = int(re.match(r"\d+", day)[0]) if day[0].isdigit() else _spelled_number(day)
        year_number = int(year) if year.isdigit() else _spelled_number(year)
        month = _parsed(match["month"], "1", None).month  # type: ignore[union-attr]
        try:
            dt.date(year_number, month, day_number)
        except ValueError:
            continue
        found.append(DateMention(PartialDate(month, day_number, year_number), match.start(), match.end()))
    return found


# Dates in figures, in the two orders no reader can mistake: the year first ("2022-05-05", ISO,
# and "2022/05/05", "2022.05.05"), and the day first between full stops ("05.05.2022", as Europe
# writes it). A day and month between slashes ("05/06/2022") is left: the United States reads it
# as May, most of the world as June, and no text says which it means.
_NUMERIC_DATE = re.compile(
    r"(?=\d)(?<![\d/.-])(?:(?P<year>(?:19|20)\d\d)(?P<sep>[-/.])(?P<month>0?[1-9]|1[0-2])(?P=sep)(?P<day>[0-3]?\d)|"
    r"(?P<dotted_day>[0-3]?\d)\.(?P<dotted_month>0?[1-9]|1[0-2])\.(?P<dotted_year>(?:19|20)\d\d))(?![\d/-]|\.\d)")
# Month names as English writes them (capitalised, or in a capitals header): "may" the verb is none.
_ANY_MONTH = re.compile(rf"\b(?:{'|'.join(_MONTH_NAMES)}|{'|'.join(m.upper() for m in _MONTH_NAMES)})\b")
# What every such name starts with, as a pattern that opens on a character class: the engine
# skips ahead to those capitals, where an alternation of fifty names is tried at every position
# (this scan alone was a third of the date search). It only decides whether _ANY_MONTH must look.
_MONTH_START = re.compile(f"[{_MONTH_INITIALS}](?:"
                          + "|".join(sorted({m[1:3] for m in _MONTH_NAMES} | {m[1:3].upper() for m in _MONTH_NAMES}))
                          + ")")
# A weekday before a date, in full or as headers shorten it ("Wed, 21 Jun 2023", "Thu. 5 May").
WEEKDAY_NAME = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?)"
_WEEKDAY = rf"(?:{WEEKDAY_NAME},?\s+)"


@dataclass(frozen=True)
class DateMention:
    date: PartialDate
    start: int
    end: int


def find_dates(text: str) -> list[DateMention]:
    """Every date-shaped span, ranges and full dates before partial ones (parsed by dateutil), and
    dates in figures where their order is certain."""
    found = _numeric_dates(text) if any(joined.search(text) for joined in _FIGURES_JOINED) else []
    if not _MONTH_START.search(text) or not _ANY_MONTH.search(text):  # most sentences name no month
        return found
    if _DAY_OF.search(text):
        found += _spelled_dates(text)
    taken = [range(m.start, m.end) for m in found]
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span or match.end() - 1 in span for span in taken):
                continue
            parsed = _parse(match)
            if parsed:
                found.append(DateMention(parsed, match.start(), match.end()))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _numeric_dates(text: str) -> list[DateMention]:
    found = []
    for match in _NUMERIC_DATE.finditer(text):
        year, month, day_of_month = (match["year"], match["month"], match["day"]) if match["year"] else (
            match["dotted_year"], match["dotted_month"], match["dotted_day"])
        try:
            day = dt.date(int(year), int(month), int(day_of_month))
        except ValueError:
            continue
        found.append(DateMention(PartialDate(day.month, day.day, day.year), match.start(), match.end()))
    return found


def _parse(match: re.Match[str]) -> PartialDate | None:
    year = match.groupdict().get("year")
    return _parsed(match["month"], match["day"], year)


@lru_cache(maxsize=20_000)
def _parsed(month: str, day: str, year: str | None) -> PartialDate | None:
    """dateutil's reading (0.2 ms each): a corpus names the same days again and again."""
    try:
        parsed = date_parser.parse(f"{month} {day} {year or 2000}")
    except (ValueError, OverflowError):
        return None
    return PartialDate(parsed.month, parsed.day, int(year) if year else None)


# "The Ministers, meeting in Münster on 3 November, …": "meeting" as a participle reports the
# meeting as "met" does (after a comma, or opening the sentence); as a noun it only names one.
# Written as one alternative of a word group ("\b(?:met|…|<this>)\b"): as a pattern of its own
# beside the group, every search tried it at every position.
MEETING_PARTICIPLE = r"meeting(?:(?<=, meeting)|(?<=^meeting)|(?<=^\Wmeeting))(?!\s+(?:of|was|is|will|has|had)\b)"

# What the words before a date in its sentence say of it. Each cue is general English, not a
# sentence seen once: a report of the event ("met", "held", "spoke by phone") or "today" makes the
# date the statement's; a recalled, future, bounding or anniversary date ("recalling", "will",
# "until", "since", "the meeting of 5 April 2017") is something the statement mentions.
_REPORTED_EVENT = re.compile(
    r"\b(?:met|meet|held|hosted|convened|gathered|assembled|spoke|signed|launched|took place|opened|"
    r"concluded|co-chaired|chaired|visited|welcomed|received|participated|issued|announced|"
    r"endorsed|reaffirmed|conducted|published|released|" + MEETING_PARTICIPLE + r")\b", re.I)
_EVENT_NOUN = re.compile(
    r"\b(?:summit|meeting|dialogue|conference|consultations?|talks|session|forum|ministerial|visit|call|"
    r"gathering|round)\b", re.I)
# The event named right before its date: "during their meeting in Rome on 5 May", "at the Energy
# Council on 5 May" (an event noun, or a name after "at the"; a place may come between).
_EVENT_ON = re.compile(
    rf"(?:(?i:{_EVENT_NOUN.pattern})|\b(?i:at the)\s+[A-Z][\w.’'-]*(?:\s+(?:[A-Z][\w.’'-]*|of|on|for|and))*)"
    rf"(?:\s+(?i:in|at)\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*,?)?\s+(?i:on)\s+(?i:{_WEEKDAY})?$")
# A heading's date that names the event after it ("November 14 Ministerial meeting", "The May 5,
# 2022 Leaders' Summit"), where other words after a date go on with what the heading mentions ("the
# January 6th Insurrection", "the September 11, 2001 Terrorist Attacks").
_EVENT_NAMED_AFTER = re.compile(rf"^\s+(?:[A-Z][\w.’'-]*\s+){{0,4}}?(?i:{_EVENT_NOUN.pattern})")
# "today, Tuesday, April 12, 2022", "this evening, Tuesday, March 1, 2022": the day of issue.
_SAME_DAY = r"\b(?:today|tonight|this (?:morning|afternoon|evening))"
_TODAY_BEFORE = re.compile(rf"{_SAME_DAY}\s*[(,]?\s*{_WEEKDAY}?$", re.I)
_TODAY = re.compile(_SAME_DAY, re.I)
_TODAY_REACH = 60  # characters before a date that "today" may stand in and still be its day
_ON_BEFORE = re.compile(rf"\bon\s+{_WEEKDAY}?$", re.I)
_SENTENCE_OPENS_ON = re.compile(rf"^\W*on\s+{_WEEKDAY}?$", re.I)
_MENTIONED = re.compile(
    r"\b(?:recall\w*|since|dated|adopted|until|till|following|anniversary|"
    r"last|previous|prior|earlier|next|will|would|shall|upcoming|scheduled|expected|planned|later|"
    r"force|ahead|deadline|expire\w*|ago|updated|modified|revised|"
    # what someone is sent or enabled to attend lies ahead ("a Delegation … to attend the
    # Inauguration … on March 11", "their right to participate in Serbia's elections on April 3")
    r"to (?:attend|participate in|take part in))\b", re.I)
# A verb of origin dates where something began, not the event reported: "the Dialogue, first
# launched in Lima on 5 May 2021, has grown", "originally signed in 1999". ("The first meeting"
# is an adjective, and may be the very event reported.)
ORIGIN = re.compile(r"\b(?:first|originally|initially)\s+(?:[a-z]+ed|met|held|began|begun|set up|made|built)\b", re.I)
# A preposition that bounds a date says so only right before it ("by 5 May", "from 5 May"): "by"
# elsewhere in the clause is an agent or a means ("spoke by phone on 5 May", "chaired by …").
_BOUNDING = re.compile(
    rf"\b(?:by|through|from|before|after|between|starting|beginning|effective|until|till|since)\s+"
    rf"(?:the\s+)?(?:(?:end|beginning|start|middle) of\s+)?{_WEEKDAY}?$", re.I)
# A thing made on a date, named by what was done to it ("the agreement signed on 5 May 2017", "the
# framework established in Paris on …"): a reduced relative clause, so no object comes between and
# no "was" before ("the agreement was signed on …" reports the signing).
_MADE_ON = re.compile(
    r"(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bis )(?<!\bare )(?<!\bbe )"
    r"\b(?:signed|ratified|established|approved|enacted|issued|published|released|initiated|founded|created)\s+"
    rf"(?:(?:in|at)\s+[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*,?\s+)?on\s+(?:the\s+)?{_WEEKDAY}?$")
# A relative clause the date closes: "the ceasefire that began on 5 May" dates the ceasefire. Not a
# clause with its own subject ("announced that they met on 5 May" reports the meeting).
_RELATIVE_ON = re.compile(
    rf"\bthat\s+(?!(?:they|we|he|she|it|both|all|the)\b)(?:[\w’'-]+\s+){{1,3}}on\s+(?:the\s+)?{_WEEKDAY}?$", re.I)
# The statement names itself and says when it was made: "This statement was issued on 5 May 2022",
# "The present Declaration, done in Lima on …". Whatever else the sentence says, that is its date.
_SELF_NAMES = r"(?:statement|communiqu[eé]|declaration|release|readout)"
_SELF_NAMED_PATTERN = rf"\b(?:this|the present)\s+(?:[\w’'-]+\s+){{0,2}}{_SELF_NAMES}\b"
# What follows "this" or "present" in such a sentence: tried only where those words stand (a
# search of the whole pattern over every closing paragraph cost a hundredth of a file's time).
_SELF_NAMED_AFTER = re.compile(rf"\s+(?:[\w’'-]+\s+){{0,2}}{_SELF_NAMES}\b", re.I)
_SELF_NAMING_WORDS = ("this", "This", "THIS", "present", "PRESENT")
_SELF_DATED = re.compile(
    _SELF_NAMED_PATTERN + r"[^.;]{0,60}?\b(?:issued|released|published|adopted|done|signed|made)\b"
    rf"[^.;]{{0,40}}?\bon\s+(?:the\s+)?{_WEEKDAY}?$", re.I)
_OF_BEFORE = re.compile(r"\bof\s+(?:the\s+)?$", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:()–—]")
# What a place's own commas set apart ("in Rome, Italy, on"; "in Washington, DC,"): a name, or
# nothing, before the date's "on". Such a segment goes on the clause before it, so that "will meet
# in Rome, Italy, on 5 May" is one clause and its "will" is seen.
_PLACE_SEGMENT = re.compile(rf"\s*(?:[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)?\s*"
                            rf"(?i:on\s+(?:the\s+)?(?:{WEEKDAY_NAME})?\s*)?")
_ENDS_IN_NAME = re.compile(r"[A-Z][\w.’'-]*\s*$")

# Weights of the cues above and of where a date stands, for the two dates a statement can state.
# Its own date (the date of issue) stands alone in a dateline or a signature, closes a heading, is
# "today"'s in the opening, or the statement names itself beside it. A meeting's date is the event's,
# however the sentence puts it ("met in Brussels on 5 April 2022", "On 23 November 2025,
# representatives … met", "We, the Leaders, gathered … on"): statements are often issued days after
# the meeting they report (on the tune halves, 4 of the 9 whose opening leads with the meeting's
# date or is said by the signatories), and where nothing else states the date of issue, taking the
# meeting's for it is a guess.
WEIGHTS = {
    "dateline": 6.0, "signature": 5.0, "heading": 4.0, "header line": 4.0,
    "opening sentence": 2.0, "second sentence": 1.0, "later sentence": 0.5, "second paragraph": 0.5,
    "today before": 3.0, "today in sentence": 1.0, "on before": 1.0, "sentence opens on": 0.0,
    "reported event": 0.5, "event noun": 0.0, "mentioned": -4.0, "of before": -3.0, "event on": 0.0,
    "self dated": 5.0, "closing sentence": 0.0,
}
# Where a date stands alone as the statement's own, outside running text: never an event's date,
# and ranked with the header's fields when copies disagree.
OWN_DATE_POSITIONS = ("dateline", "signature", "heading", "header line", "closing sentence")
# The date of the event the statement reports: a meeting, talks or a call "on <date>". A date the
# sentence only mentions (a future, recalled or bounding one) is no such date, whatever event is
# named before it ("will host the Summit in Rome on 5 May").
EVENT_WEIGHTS = {
    **{name: weight for name, weight in WEIGHTS.items() if name not in OWN_DATE_POSITIONS},
    "reported event": 2.0, "event noun": 1.0, "sentence opens on": 2.0, "event on": 1.5, "mentioned": -6.0,
    "self dated": 0.0, "heading": WEIGHTS["heading"],
}


@dataclass(frozen=True)
class DateCandidate:
    mention: DateMention
    where: str  # a WEIGHTS position
    score: float  # as the date of issue
    event_score: float = float("-inf")  # as the date of the reported event (running text only)


def score_in_sentence(sentence: str, mention: DateMention, where: str) -> DateCandidate:
    """A date in running text: its position, plus what the words before it in the sentence say."""
    before = sentence[: mention.start]
    near = before[-200:]
    self_dated = bool(_SELF_DATED.search(before))
    cues = {
        where: True,
        "today before": bool(_TODAY_BEFORE.search(before)),
        # "met today in Rome on 5 May": "today" a few words before the date; far before it, the
        # date is another day's ("Today is a day of remembrance as we mourn … on September 11, 2001").
        "today in sentence": bool(_TODAY.search(before[-_TODAY_REACH:])) and not _TODAY_BEFORE.search(before),
        "on before": bool(_ON_BEFORE.search(before)),
        "sentence opens on": where == "opening sentence" and _opens_the_report(before, sentence[mention.end :]),
        # A clause of a single "on" ("…, on 12-13 May 2022") takes its verb from the one before it.
        "reported event": bool(_REPORTED_EVENT.search(near)),
        "event noun": bool(_EVENT_NOUN.search(near)),
        "event on": names_the_event_before(before),
        "mentioned": not self_dated and is_mentioned(before),
        "of before": bool(_OF_BEFORE.search(before)),
        "self dated": self_dated,
    }
    present = [name for name, found in cues.items() if found]
    return DateCandidate(mention, where, sum(WEIGHTS[n] for n in present), sum(EVENT_WEIGHTS[n] for n in present))


def names_the_event_before(before: str) -> bool:
    """Whether the words before a date name the event held on it: "… Council Meeting on", "at the
    Energy Council on Thursday,"."""
    return bool(_EVENT_ON.search(before[-200:]))


def names_its_event(after: str) -> bool:
    return bool(_EVENT_NAMED_AFTER.match(after))


def sentence_opens_on(before: str) -> bool:
    """Whether the words before a date open its sentence on it: "On April 12, 2022, …", "On Tuesday, …"."""
    return bool(_SENTENCE_OPENS_ON.match(before))


def in_running_text(before: str) -> bool:
    """Whether a date stands in a clause, after "on" ("… Filling the South Lawn on April 10, 2023"),
    not set apart as a dateline's or a heading's own is."""
    return bool(_ON_BEFORE.search(before))


def is_mentioned(before: str) -> bool:
    """Whether the words before a date in its sentence make it one the statement only mentions: a
    recalled, future, bounding or revised date, a thing made on it, a clause it closes."""
    clause = _last_clause(before)
    return bool(_MENTIONED.search(clause) or ORIGIN.search(clause) or _BOUNDING.search(before)
                or _MADE_ON.search(before) or _RELATIVE_ON.search(before[-120:]))


def _last_clause(before: str) -> str:
    """The clause the date ends, a place's commas not breaking it."""
    parts = _CLAUSE_BREAK.split(before)
    start = len(parts) - 1
    while start > 0 and _PLACE_SEGMENT.fullmatch(parts[start]) and _ENDS_IN_NAME.search(parts[start - 1]):
        start -= 1
    return ",".join(parts[start:])


def signed_this_day(paragraph: str) -> bool:
    """ "this <day> day of", in any case. "day" is looked for first: the case-blind pattern tries
    every position of a long paragraph."""
    return "day" in paragraph.lower() and _SIGNED_THIS_DAY.search(paragraph) is not None


def names_itself(paragraph: str) -> bool:
    """Whether a paragraph may say when the statement was made ("This statement was issued on",
    "this fifth day of May"): a cheap test before its dates are looked for, since closing
    paragraphs are long and rarely do."""
    if signed_this_day(paragraph):
        return True
    for word in _SELF_NAMING_WORDS:
        start = paragraph.find(word)
        while start != -1:
            if _SELF_NAMED_AFTER.match(paragraph, start + len(word)):
                return True
            start = paragraph.find(word, start + 1)
    return False


def score_closing_sentence(sentence: str, mention: DateMention) -> DateCandidate | None:
    """A date in the closing paragraphs' running text dates the statement only where the statement
    names itself ("This statement was issued on 5 May 2022.") or signs itself on "this" day ("I have
    hereunto set my hand this fifth day of May, …", "Done at Lima this 5th day of May 2022"): a
    closing sentence otherwise reports or looks ahead to other things."""
    before = sentence[: mention.start]
    if not (_SELF_DATED.search(before) or _THIS_BEFORE.search(before) and _DAY_OF.search(sentence, mention.start, mention.end)):
        return None
    return DateCandidate(mention, "closing sentence", WEIGHTS["closing sentence"] + WEIGHTS["self dated"])


def _opens_the_report(before: str, after: str) -> bool:
    """"On 23 November 2025(,) representatives … met in Geneva": the date leads the sentence that
    reports the event (not one that recalls another: "On …, the Ministers recalled the meeting of …")."""
    event = _REPORTED_EVENT.search(after)
    return (sentence_opens_on(before) and event is not None
            and not _MENTIONED.search(after[: event.start()]))
