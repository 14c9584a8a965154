"""Title, date, place and document type where a copy's header states them, each with its source."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from dateutil import parser as date_parser

from commclean.config import MetadataConfig
from commclean.records import Field, Metadata, PartialDate

_MONTH_NAMES = sorted(
    {name for name in (*calendar.month_name[1:], *calendar.month_abbr[1:])} | {"Sept"},
    key=len,
    reverse=True,
)
_MONTH = rf"(?P<month>(?:{'|'.join(_MONTH_NAMES)})\.?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = (
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s*\d)", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH}\b(?!,?\s*\d)", re.IGNORECASE),
)
# A browser's print header ("6/3/23, 2:17 PM"), a URL, or a page counter never dates a document.
# OCR may drop a slash of it ("1/823, 9:32 AM"): a number pair and a clock time are enough.
_PRINT_HEADER = re.compile(r"\b\d{1,2}/\d{1,4}(?:/\d{2,4})?,?\s+\d{1,2}:\d{2}|https?://|\bpage \d+ of \d+\b", re.I)
_PLACE = r"[A-Z][A-Za-z.'’-]+(?: (?:[A-Z][A-Za-z.'’-]+|de|del|da|of))*(?:, [A-Z][A-Za-z.'’-]+(?: (?:[A-Z][A-Za-z.'’-]+|of))*)?"
_PLACE_AFTER_DATE = re.compile(rf"^,?\s*[-–—]?\s*(?P<place>{_PLACE})\s*$")
# What may follow a dateline's date besides a place: the White House's " • STATEMENTS AND RELEASES".
_RELEASE_CATEGORY = re.compile(r"^\s*[•·|]\s*[A-Za-z ,&]+$")
_PLACE_BEFORE_DATE = re.compile(rf"(?:^|[\s(])(?P<place>{_PLACE}),?\s*[-–—:]?\s*$")
# "met today in Rome", "held the second session of the Dialogue in Ljubljana", "took place
# yesterday, May 25, in Madrid, Spain", "hosted the Minister in Washington, D.C.": a meeting verb,
# then within the clause " in <Place>". Not "meeting" (the text may recall "the meeting of 5 April
# 2017 in Brussels"), not "meet" (a next meeting's place), and not across " to " ("met to discuss
# the situation in Syria"). Full stops inside the first sentence are abbreviations ("U.S.-Poland").
_MEETING_VERBS = r"met|gathered|convened|assembled|held|hosted|received|took place"
_MEETING_PLACE = re.compile(rf"\b(?:{_MEETING_VERBS})\b(?:(?! to )[^;:]){{0,160}}? in (?P<place>{_PLACE})")
# "launched ... at the inaugural meeting of the Working Group in Dubai": the event being reported;
# a recalled meeting carries its date ("the meeting of 5 April 2017 in Brussels"), so no digits.
_EVENT_PLACE = re.compile(
    rf"\bat the (?:[\w-]+ ){{0,3}}?(?:meeting|summit|conference|session|dialogue)\b(?:(?! to )[^;:\d]){{0,100}}? "
    rf"in (?P<place>{_PLACE})"
)
# "convened a virtual ... meeting", "met virtually": the place is a virtual one.
_VIRTUAL = re.compile(rf"\b(?:{_MEETING_VERBS})\b[^;:]{{0,40}}?\bvirtual(?:ly)?\b", re.I)
# "This Working Group is being held in Denver": the reported event in the present tense, which
# the second paragraph gives when the first sets the scene.
_PRESENT_PLACE = re.compile(rf"\b(?:is|are) (?:being held|taking place|meeting) in (?P<place>{_PLACE})")
# "met today ... on <date>": the day of the meeting is the day of issue only when the text says "today";
# "met on April 5" in a communiqué issued days later is the meeting's date, not the document's.
_MEETING_ON = re.compile(r"\b(?:met|meet|convened|gathered|assembled)\b[^.;]{0,150}?\btoday\b[^.;]{0,150}?\bon\s+$")
# Two openings that date the statement itself: "On 23 November 2025, representatives ... met in
# Geneva" (the date leads the sentence reporting the meeting), and the signatories' own "WE, the
# Leaders ..., gathered ... on November 12, 2022" of a declaration.
_ON_DATE_LEAD = re.compile(r"^\W*on\s+$", re.I)
_MEETING_VERB_AFTER = re.compile(rf"^,?[^;]{{0,160}}?\b(?:{_MEETING_VERBS})\b")
_WE_GATHERED_ON = re.compile(
    r"^\W*(?:\d+\s+)?we\b[^;]{0,300}?\b(?:gathered|met|assembled|convened)\b[^;]{0,250}?\bon\s+$", re.I
)
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[a-z])[.)]\s+")
# A sentence ends at . ! ? before a capital, but not after an initial ("Joseph R. Biden"), "U.S."
# or a title ("Jr.", "Mr."), which are followed by capitals all the time.
_FIRST_SENTENCE = re.compile(
    r"^.*?(?<!\b[A-Z])(?<!\bU\.S)(?<!\bJr)(?<!\bSr)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMrs)"
    r"[.!?](?=\s+[A-Z0-9“\"]|\s*$)",
    re.S,
)
_WRAPPER_LINE = re.compile(
    r"^(?:media note|press statement|press release|fact sheet|readout|for immediate release|"
    r"office of the spokesperson.*|the white house|begin text:?|end text\.?|[*#=\s-]+|"
    r"the following\b.*)$",
    re.IGNORECASE,
)
# Who issued a statement, as a header names them: the White House, an office ("Office of the
# Spokesperson"), a ministry or department, or an official's byline ("Antony J. Blinken, Secretary
# of State"); the office's own "Washington, D.C." may follow. A page title's site name counts too
# ("G7 Leaders' Statement - The White House"), a little less surely.
_ISSUER_NAME = (
    r"(?:the )?white house|office of the [a-z ]+?|(?:the )?(?:ministry|department|office) (?:of|for) [a-z ,'’]+?|"
    # a name of at most five words: a longer phrase before ", Secretary ..." is a heading
    r"[a-z][a-z.'’-]*(?: [a-z][a-z.'’-]*){0,4}, (?:secretary|minister|spokesperson|president|prime minister|"
    r"high representative)"
    r"\b[a-z ,'’]*?"
)
_ISSUER_LINE = re.compile(rf"^[\W_]*(?P<issuer>{_ISSUER_NAME})[\W_]*(?:washington,?\s*d\.?\s*c\.?)?[\W_]*$", re.I)
_SITE_SUFFIX = re.compile(rf"\s[-–—|]\s+(?P<issuer>(?:[\w.]+ ){{0,3}}?(?:{_ISSUER_NAME}))\s*$", re.I)
# "Phnom Penh, Kingdom of Cambodia", "Doha, State of Qatar": the country by its common name. Not
# "Republic of": "Republic of Korea" and "Democratic People's Republic of Korea" must stay apart.
_FORMAL_STATE = re.compile(r",\s+(?:the\s+)?(?:Hashemite\s+)?(?:Kingdom|State|Sultanate|Principality|Grand Duchy)\s+of\s+")
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "on", "in"})
DOC_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("joint communiqué", r"\bjoint communiq[uú][eé]\b"),
        ("chair's statement", r"\bchair(?:'|’)?s statement\b|\bstatement (?:of|by) the chair\b"),
        ("leaders' statement", r"\bleaders(?:'|’)? (?:joint )?statement\b|\bstatement (?:of|by) (?:the )?leaders\b"),
        ("joint statement", r"\bjoint statement\b"),
        (
            "ministerial statement",
            r"\bministers(?:'|’)? statement\b|\bministerial statement\b|"
            r"\bstatement (?:of|by) (?:the )?(?:\w+ )?ministers\b",
        ),
        ("declaration", r"\bdeclaration\b"),
        ("communiqué", r"\bcommuniq[uú][eé]\b"),
        ("press statement", r"\bpress statement\b"),
        ("media note", r"\bmedia note\b"),
        ("statement", r"\bstatement\b"),
    )
)
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_TIME_WORDS = frozenset(
    name.lower() for name in (*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name, "Sept")
)

# Source reliability ranks: lower wins when the copies of a document disagree.
RANK_HEADER, RANK_OPENING, RANK_PARTIAL = 0, 1, 2


@dataclass(frozen=True)
class DateMatch:
    date: PartialDate
    start: int
    end: int


def find_dates(text: str) -> list[DateMatch]:
    """Every date-shaped span, full dates before partial ones; parsed by dateutil, not by hand."""
    found: list[DateMatch] = []
    taken: list[range] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            parsed = _parse(match)
            if parsed:
                found.append(DateMatch(parsed, match.start(), match.end()))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _parse(match: re.Match[str]) -> PartialDate | None:
    year = match.groupdict().get("year")
    try:
        parsed = date_parser.parse(f"{match['month']} {match['day']} {year or 2000}")
    except (ValueError, OverflowError):
        return None
    return PartialDate(parsed.month, parsed.day, int(year) if year else None)


def header_and_opening(text: str, config: MetadataConfig) -> tuple[list[str], list[str]]:
    """The short paragraphs before the statement's first body paragraph, and the first two body
    paragraphs (fewer if the text has fewer)."""
    paragraphs = [p.strip() for p in _PARAGRAPH_SPLIT.split(text.strip()) if p.strip()]
    header: list[str] = []
    for paragraph in paragraphs[: config.header_paragraphs]:
        if not _is_header_line(paragraph, config):
            break
        header.append(paragraph)
    return header, paragraphs[len(header) : len(header) + 2]


def _is_header_line(paragraph: str, config: MetadataConfig) -> bool:
    """Headings, datelines and wrapper lines are short; a prose sentence of any length is body."""
    if len(paragraph) > config.max_title_chars:
        return False
    is_prose = bool(re.search(r"[.!?][\"'”’)]*$", paragraph)) and len(paragraph.split()) >= config.min_prose_words
    return not is_prose or bool(_WRAPPER_LINE.match(paragraph))


def extract_metadata(text: str, config: MetadataConfig) -> Metadata:
    header, body = header_and_opening(text, config)
    opening = body[0] if body else ""
    usable = [p for p in header if not _PRINT_HEADER.search(p)]
    is_media_note = any(p.strip().lower() == "media note" for p in usable)
    date, date_place = _header_date(usable, "media-note header" if is_media_note else "dateline")
    title = _title(usable)
    return Metadata(
        title=title,
        date=date or _opening_date(opening) or _partial_header_date(usable),
        # The spokesperson's "WASHINGTON, D.C." line is where the office sits, not where the statement
        # was made: only a dateline or the opening sentence gives the place.
        location=date_place or _opening_place(body),
        doc_type=_doc_type(title.value if title else None, usable),
        issuer=_issuer(header),
    )


def _issuer(header: list[str]) -> Field[str] | None:
    """An issuer line of the header, else a page title's site name (print headers included: a
    browser prints the page title, which names the site that published the page)."""
    lines = [line.strip() for paragraph in header for line in paragraph.splitlines() if line.strip()]
    for line in lines:
        match = _ISSUER_LINE.match(line)
        if match:
            return Field(_tidy_issuer(match["issuer"]), "header line", RANK_HEADER)
    for line in lines:
        match = _SITE_SUFFIX.search(line)
        if match:
            return Field(_tidy_issuer(match["issuer"]), "page title", RANK_OPENING)
    return None


def _tidy_issuer(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.-–—|")
    if not name.isupper():
        return name
    words = name.lower().split(" ")
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _header_date(header: list[str], source: str) -> tuple[Field[PartialDate] | None, Field[str] | None]:
    """A full date heading or closing a short header paragraph, with the place beside it."""
    for paragraph in header:
        for match in find_dates(paragraph):
            if match.date.year is None:
                continue
            before, after = paragraph[: match.start], paragraph[match.end :]
            if _RELEASE_CATEGORY.match(after) and not before.strip():
                return Field(match.date, source, RANK_HEADER), None
            place = _PLACE_AFTER_DATE.match(after) or (_PLACE_BEFORE_DATE.search(before) if not after.strip(" ,.") else None)
            if after.strip(" ,.") and not place:
                continue  # a date in the middle of a heading is something the heading mentions
            located = Field(_tidy_place(place["place"]), source, RANK_HEADER) if place else None
            return Field(match.date, source, RANK_HEADER), located
    return None, None


def _partial_header_date(header: list[str]) -> Field[PartialDate] | None:
    for paragraph in header:
        for match in find_dates(paragraph):
            if match.date.year is None:
                return Field(match.date, "heading (month and day only)", RANK_PARTIAL)
    return None


def _opening_date(opening: str) -> Field[PartialDate] | None:
    """The date the opening sentence gives the statement: the meeting held "today" ("met today in
    Rome on June 28, 2021"), a date leading the sentence that reports the meeting, or the date the
    signatories say they gathered on. Other dates it mentions ("recalling the meeting of 5 April
    2017") are not the date."""
    sentence = _sentence(opening)
    for match in find_dates(sentence):
        if match.date.year is None:
            continue
        before, after = sentence[: match.start], sentence[match.end :]
        dated_opening = _ON_DATE_LEAD.match(before) and _MEETING_VERB_AFTER.match(after)
        if _MEETING_ON.search(before) or dated_opening or _WE_GATHERED_ON.match(before):
            return Field(match.date, "opening sentence", RANK_OPENING)
    return None


def _opening_place(body: list[str]) -> Field[str] | None:
    """Where the opening sentence says the meeting was, or a virtual meeting, or where the second
    paragraph says the event is being held."""
    opening = _first_sentences(body[0], 2) if body else []
    for pattern in (_MEETING_PLACE, _EVENT_PLACE):
        match = pattern.search(opening[0]) if opening else None
        if match and not _is_time_word(match["place"]):  # "met in December" names a time
            return Field(_tidy_place(match["place"]), "opening sentence", RANK_OPENING)
    if any(_VIRTUAL.search(sentence) for sentence in opening):
        return Field("Virtual", "opening sentence (virtual meeting)", RANK_OPENING)
    match = _PRESENT_PLACE.search(_sentence(body[1])) if len(body) > 1 else None
    if match and not _is_time_word(match["place"]):
        return Field(_tidy_place(match["place"]), "second paragraph", RANK_OPENING)
    return None


def _first_sentences(paragraph: str, count: int) -> list[str]:
    sentences = []
    while paragraph.strip() and len(sentences) < count:
        sentences.append(_sentence(paragraph))
        paragraph = paragraph[len(_first_sentence(paragraph)) :].lstrip()
    return sentences


def _sentence(paragraph: str) -> str:
    """The paragraph's first sentence on one line (hard-wrapped copies break it anywhere)."""
    return re.sub(r"\s+", " ", _first_sentence(paragraph))


def _is_time_word(place: str) -> bool:
    first = place.split(",")[0].split()[0].rstrip(".").lower()
    return first in _TIME_WORDS


def _first_sentence(paragraph: str) -> str:
    match = _FIRST_SENTENCE.match(_LEADING_NUMBER.sub("", paragraph))
    return match.group(0) if match else paragraph


def _tidy_place(place: str) -> str:
    place = place.strip(" ,.-–—:")
    if place.isupper():
        place = " ".join(word if "." in word and len(word) <= 5 else word.capitalize() for word in place.split())
    place = re.sub(r"(?<=[a-z]) (D\.C\.?)$", r", \1", place)
    place = _FORMAL_STATE.sub(", ", place)
    return place + "." if place.endswith("D.C") else place


def _title(header: list[str]) -> Field[str] | None:
    """The first heading paragraph that is not a wrapper line, a dateline or a sentence."""
    for index, paragraph in enumerate(header):
        if _WRAPPER_LINE.match(paragraph) or _is_doc_type_only(paragraph) or paragraph.endswith("."):
            continue
        title = _SITE_SUFFIX.sub("", _without_dateline(paragraph))
        if not title or not re.search(r"[A-Za-z]{3}", title) or _ISSUER_LINE.match(title):
            continue
        following = header[index + 1] if index + 1 < len(header) else ""
        if title.endswith(":") and following and not _WRAPPER_LINE.match(following):
            title = f"{title} {_without_dateline(following) or following}"
        return Field(title, "heading", RANK_HEADER)
    return None


def _without_dateline(paragraph: str) -> str:
    """A heading less the date (and the place beside it) that closes or forms it."""
    for match in find_dates(paragraph):
        after = paragraph[match.end :]
        if not after.strip(" ,.") or _PLACE_AFTER_DATE.match(after):
            before = paragraph[: match.start]
            if not after.strip(" ,."):
                before = _PLACE_BEFORE_DATE.sub("", before) if _looks_like_place_tail(before) else before
            return before.strip(" ,–—-")
    return paragraph.strip()


def _looks_like_place_tail(before: str) -> bool:
    """'... Daesh/ISIS Copenhagen, Denmark,' ends in a place; a bare heading before a date does not."""
    return bool(re.search(r",\s*[A-Z][\w.'’-]+,?\s*$", before)) or not before.strip()


def _is_doc_type_only(paragraph: str) -> bool:
    lowered = paragraph.strip().lower()
    return any(pattern.fullmatch(lowered) for _, pattern in DOC_TYPES)


def _doc_type(title: str | None, header: list[str]) -> Field[str] | None:
    for rank, source, texts in ((RANK_HEADER, "title", [title or ""]), (RANK_OPENING, "header", header)):
        for text in texts:
            for name, pattern in DOC_TYPES:
                if pattern.search(text):
                    return Field(name, source, rank)
    return None
