"""Title, date, place and document type where a copy's header states them, each with its source."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from commclean.config import MetadataConfig
from commclean.metadata.dates import (
    EVENT_WEIGHTS,
    MEETING_PARTICIPLE,
    OWN_DATE_POSITIONS,
    WEEKDAY_NAME,
    WEIGHTS,
    DateCandidate,
    DateMention,
    find_dates,
    in_running_text,
    is_mentioned,
    names_its_event,
    names_itself,
    names_the_event_before,
    score_closing_sentence,
    score_in_sentence,
    sentence_opens_on,
)
from commclean.metadata.places import (
    MAX_PLACE_WORDS,
    PLACE,
    PlaceCandidate,
    ends_on_a_state_abbreviation,
    last_place_in,
    opening_dateline,
    place_kind,
    place_line,
    places_in_sentence,
    score_standalone,
)
from commclean.records import Field, Metadata, PartialDate
from commclean.repair.shapes import is_annex_heading

# A browser's print header ("6/3/23, 2:17 PM"), a URL, or a page counter never dates a document.
# OCR may drop a slash of it ("1/823, 9:32 AM"): a number pair and a clock time are enough.
_PRINT_HEADER = re.compile(r"\b\d{1,2}/\d{1,4}(?:/\d{2,4})?,?\s+\d{1,2}:\d{2}|https?://|\bpage \d+ of \d+\b", re.I)
_PLACE_AFTER_DATE = re.compile(rf"^(?P<apart>,?\s*[-–—]?)\s*(?P<place>{PLACE})\s*$")
# "5 July 2023 (Shiraz)": a place in brackets after the date, taken where the gazetteer knows it
# (a wire service's tag, "(Reuters)", has the same shape).
_PLACE_IN_BRACKETS_AFTER_DATE = re.compile(rf"^,?\s*\((?P<place>{PLACE})\)\s*$")
# What may follow a dateline's date besides a place: the White House's " • STATEMENTS AND RELEASES",
# or fields set apart by bars ("| Press Release | Lima"), one of which may be the place.
# OCR reads the bullet as "*", "+" or "e": any one or two marks between date and category.
_RELEASE_CATEGORY = re.compile(r"^\s*(?:(?:[•·|]\s*[A-Za-z ,&.'’-]+)+|(?:[^\w\s,]{1,2}|[eo])\s*[A-Z][A-Z ,&]+)[.:]?$")
_FIELD_MARK = re.compile(r"\s*[•·|]\s*")
# A place may carry its country in brackets: "Novosibirsk (Russia), 31 January 2023".
_REGION_IN_BRACKETS = r"(?:\s+\([A-Z][\w .'’-]*\))?"
_PLACE_BEFORE_DATE = re.compile(rf"(?:^|[\s(])(?P<place>{PLACE}){_REGION_IN_BRACKETS},?\s*[-–—:|]?\s*$")
# What stands before a header's date in a place's stead: a label ("Date:", "Published:") or a
# release's number ("Press Release No. 36 –"), even where a gazetteer knows the word (Date, Japan).
_HEADER_LABEL = re.compile(
    r":\s*$|\b(?:date|published|posted|updated|issued|released?|press|media|note|statement|no|number)\b", re.I)
# A dateline leading the opening paragraph, "WASHINGTON, May 5, 2022 — …" or "(Brussels, 5 May 2022) –":
# a place (or nothing) before the date, a dash after it.
_LEAD_BEFORE = re.compile(  # "Tokyo, Japan – <date> –" too
    rf"^\W*(?:(?P<place>{PLACE}){_REGION_IN_BRACKETS}\s*[,–—-]?\s*)?\(?\s*$")
# A wire service may tag the dateline before its dash: "KINSHASA, July 26, 2024 /PRNewswire/ --",
# "LIMA, 5 May 2022 (Reuters) -".
_LEAD_AFTER = re.compile(r"^\s*\)?\s*(?:/[^/\n]{1,40}/\s*|\([^()\n]{1,40}\)\s*)?(?:--|[-–—:])\s+\S")
# A label ends on a colon or a dash, which would otherwise end the clause a mention cue is looked for in,
# and is a few words ("Last modified:", "Page last updated on"); a heading is more.
_LABEL_END = " :–—-|"
_LABEL_WORDS = 4
_ENDS_A_SENTENCE = re.compile(r"^,?\s+\w.*\s\w+[.!?][\"'”’)]*$")
_WEEKDAY_BEFORE = re.compile(rf"\b{WEEKDAY_NAME},?\s*$", re.I)
# A signature block's date: alone, or after "Done at <place>," or a place, at the end of a text.
# A place is capitalised: only the words around it are matched regardless of case.
# After "Done at <place>, <date>" the formula may go on: ", in two originals, in the English and
# French languages".
# The formula may name who issued it first: "Issued by the Press Office, Kyiv, 5 May 2022".
_SIGNATURE_BEFORE = re.compile(
    rf"^\W*(?:(?P<formula>(?i:done|signed|issued|adopted|released))\s+(?:(?i:by)\s+[^,\n]{{1,60}},\s*)?"
    rf"(?:(?:(?i:at|in)\s+)?(?P<at>{PLACE}),?\s*)?"
    rf"(?i:on\s+|this\s+)?|(?P<place>{PLACE}),?\s*)?$")  # "Done at Paris, this 5th day of May, 2022"
_SIGNATURE_AFTER = re.compile(rf"^[,\s]*(?:(?P<place>{PLACE}))?\W*$")
# "convened a virtual ... meeting", "met virtually", "met by videoconference": the place is a virtual one.
# "held their third meeting on 5 May 2022 by video teleconference": how they met, however far on.
# "participated virtually in the meeting", "Today, virtual … Consultations concluded", "virtually
# joined the Summit", "participated in the APEC Virtual Leaders’ Meeting", "During the virtual meeting,
# Cabinet leaders …", "hosted … for a virtual bilateral meeting", "At a virtual ceremony, …": the same.
_VIRTUAL = re.compile(r"\b(?:(?:met|gathered|convened|assembled|held|hosted|received|took place|participated|"
                      + MEETING_PARTICIPLE + r")\b(?:[^;:]{0,40}?"
                      r"\b(?:virtual(?:ly)?|video ?conferenc\w*|video ?link|teleconferenc\w*|online)\b|"
                      r"[^;:]*?\b(?:by|via|over) (?:a |secure )*(?:video|teleconferenc|virtual|online)\w*)|"
                      r"virtual (?:[\w’'-]+ ){0,8}?(?:meeting|summit|consultations|dialogue|conference|session|talks)\b"
                      r"(?:\s+\([^)]{1,12}\))? (?:met|concluded|convened|took place|was held|opened|began)|"
                      r"(?:during|in|at|for) (?:the|a|an|today['’]s|this) virtual (?:[\w’'-]+ ){0,6}?"
                      r"(?:meeting|summit|consultations|dialogue|conference|session|talks|ceremony|event)\b|"
                      r"virtually (?:met|joined|attended|participated|convened|hosted|held|gathered)\b|"
                      r"(?:participated|took part|joined|attended)\b[^;:]{0,80}?\bvirtual (?:[\w’'-]+ ){0,6}?"
                      r"(?:meeting|summit|consultations|dialogue|conference|session|talks)\b)", re.I)
# Words one of which every way of saying so holds: most sentences are spared the pattern, whose
# lazy runs to a clause's end cost 70 us a sentence.
_VIRTUAL_WORDS = ("virtual", "video", "teleconferenc", "online")
# A place line that says the event took place nowhere: "Via Teleconference" under a press call's title.
_VIRTUAL_PLACE_LINE = re.compile(r"(?i:(?:via|by) (?:a )?(?:video ?conference|video ?link|teleconference|"
                                 r"zoom|webex|webcast)|virtual(?:ly)?(?: event| meeting)?|online)\.?")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,3}|[a-z])[.)]\s+")
# A sentence ends at . ! ? before a capital, but not after an initial ("Joseph R. Biden"), "U.S."
# or a title ("Jr.", "Mr."), which are followed by capitals all the time.
# The engine scans for the punctuation first and looks behind it only there (a pattern that starts
# with the lookbehinds tries them at every character: 7% of a file's processing).
_SENTENCE_END = re.compile(
    r"[.!?](?<!\b[A-Z].)(?<!\bU\.S.)(?<!\bJr.)(?<!\bSr.)(?<!\bMr.)(?<!\bMs.)(?<!\bDr.)(?<!\bSt.)(?<!\bMrs.)"
    r"(?=\s+[A-Z0-9“\"]|\s*$)"
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
_OFFICE_SEAT = re.compile(r"^(?:the )?(?:U\.S\. )?(?:embassy|consulate|mission|office|ministry|department|"
                          r"permanent mission)\b[^,]*,", re.I)
_BYLINE = re.compile(r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,4}, [A-Z][\w ,'’-]*$")  # a person's name, then an office
_SITE_SUFFIX = re.compile(rf"\s[-–—|]\s+(?P<issuer>(?:[\w.]+ ){{0,3}}?(?:{_ISSUER_NAME}))\s*$", re.I)
# "Phnom Penh, Kingdom of Cambodia", "Doha, State of Qatar": the country by its common name. Not
# "Republic of": "Republic of Korea" and "Democratic People's Republic of Korea" must stay apart.
_FORMAL_STATE = re.compile(r",\s+(?:the\s+)?(?:Hashemite\s+)?(?:Kingdom|State|Sultanate|Principality|Grand Duchy)\s+of\s+")
_INITIALISM_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
# "… On the Passing of Eugene Peltola, Jr.": a heading's full stop that ends a name, not a sentence.
_NAME_SUFFIX_END = re.compile(r",? (?:Jr|Sr|Inc|Ltd|Co|Corp)\.$")
# A sentence's end inside a paragraph: a lower-case word's full stop before the next word.
_SENTENCE_INSIDE = re.compile(r"[a-z]{2}[.!?][\"'”’)]*\s+\S")
# "Public Schedule – June 25, 2021", "Department Press Briefing – April 8, 2022": a series' title
# names its day after a dash, as a heading that a dateline closes does not.
_DASH_BEFORE = re.compile(rf"\S\s+[–—]\s*(?:{WEEKDAY_NAME},?\s*)?$", re.I)
# A heading's last word that wants the date after it: "… dated October 8, 2021", "… the
# Anniversary of September 11". The date is the heading's own words, not a dateline closing it.
_WANTS_A_DATE = re.compile(rf"\b(?:of|the|on|for|in|to|from|since|until|dated|marking|commemorating)\s*"
                           rf"(?:{WEEKDAY_NAME},?\s*)?$", re.I)  # "… Meeting on Thursday, April 7, 2022"
# A heading never ends on these: a wrapped copy broke its line there ("… the United States and" / "Poland").
# A place line that says where the speaker was travelling to ("Aboard Air Force One" / "En Route
# Cleveland, OH"): the event took place on the way, not there.
_EN_ROUTE = re.compile(r"(?i:en route)\b")
_DANGLING_END = re.compile(r"\b(?:and|or|of|the|on|for|in|to|with|between|from|by|at|a|an)$")
_SMALL_WORDS = frozenset({"of", "the", "for", "and", "on", "in"})
_HEADING_SMALL_WORDS = _SMALL_WORDS | {"a", "an", "or", "to", "with", "from", "at", "by", "as", "into", "over", "vs."}
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
_BEGIN_TEXT = re.compile(r"^begin text\W*$", re.I)
_EPIGRAPH_QUOTE = re.compile(r"^[“\"‘'].*[”\"’'][.,]?$", re.S)
_ATTRIBUTION = re.compile(r"^[–—-]{1,2}\s*[A-Z]")
_TIME_WORDS = frozenset(
    name.lower() for name in (*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name, "Sept")
)

# Source reliability ranks: lower wins when the copies of a document disagree.
RANK_HEADER, RANK_OPENING, RANK_PARTIAL = 0, 1, 2


def header_and_opening(paragraphs: list[str], config: MetadataConfig) -> tuple[list[str], list[str], int]:
    """The short paragraphs before the statement's first body paragraph, and the first two body
    paragraphs (fewer if the text has fewer) after an epigraph or a "Begin text:", and where they start."""
    header: list[str] = []
    for index, paragraph in enumerate(paragraphs[: config.header_paragraphs]):
        if index == 0 and _is_long_heading(paragraph, config):
            header.append(paragraph)
            continue
        if (not _is_header_line(paragraph, config) or header and _cut_off_prose(paragraph, config)
                or header and _is_epigraph(paragraphs, index)):
            break
        header.append(paragraph)
    if len(header) == len(paragraphs) > 1 and _cut_off_prose(header[-1], config, sentence_ended=False):
        header.pop()  # a copy cut off in its first paragraph: what it holds of it is its opening
    start = len(header) + (2 if _is_epigraph(paragraphs, len(header)) else 0)
    # A release's preface, then "Begin text:": the statement itself begins after the marker.
    marker = next((i for i in range(start, min(start + 2, len(paragraphs))) if _BEGIN_TEXT.match(paragraphs[i])), None)
    if marker is not None:
        start = marker + 1
    return header, paragraphs[start : start + 2], start


def release_preface(paragraphs: list[str], opening_start: int) -> str | None:
    """The paragraph before "Begin text:" ("The following is the text of a joint statement …
    following their dialogue in Reykjavik on April 26.", "Representatives of … met in Washington
    D.C. on March 3 to discuss …"): a sentence about the statement, which may say where it was made."""
    marker = opening_start - 1
    # Never the title: a release that goes from its heading straight to "Begin text:" has no preface.
    return paragraphs[marker - 1] if marker >= 2 and _BEGIN_TEXT.match(paragraphs[marker]) else None


def _is_epigraph(paragraphs: list[str], index: int) -> bool:
    """A quotation and its attribution ("– Secretary Blinken, January 27, 2021") opening the text."""
    return (index + 1 < len(paragraphs) and bool(_EPIGRAPH_QUOTE.match(paragraphs[index]))
            and bool(_ATTRIBUTION.match(paragraphs[index + 1])))


def _is_header_line(paragraph: str, config: MetadataConfig) -> bool:
    """Headings, datelines and wrapper lines are short; a prose sentence of any length is body."""
    return not _is_prose(paragraph, config) or bool(_WRAPPER_LINE.match(paragraph))


def _is_prose(paragraph: str, config: MetadataConfig) -> bool:
    """A sentence: long, or ending on a full stop (or a preamble clause's semicolon) with enough
    words, and not in capitals (a dateline such as "AUGUST 9, 2021 • STATEMENTS AND RELEASES." is
    none, full stop or not). A sentence that introduces what follows ends on a colon ("The leaders
    … met in Jerusalem on 14 July 2022, and adopted the following Joint Declaration …:"); a
    heading that does is capitalised as one."""
    if len(paragraph) > config.max_title_chars:
        return True
    if len(paragraph.split()) < config.min_prose_words or paragraph == paragraph.upper():
        return False
    if paragraph.endswith(":"):
        return not _heading_cased(paragraph)
    return bool(re.search(r"[.!?;][\"'”’)]*$", paragraph)) and not _heading_despite_its_full_stop(paragraph, config)


def _heading_despite_its_full_stop(paragraph: str, config: MetadataConfig) -> bool:
    """A heading whose full stop ends a name, or one written with a full stop at its end."""
    return _heading_ending_on_a_name(paragraph) or _heading_with_a_full_stop(paragraph, config)


def _heading_ending_on_a_name(paragraph: str) -> bool:
    """"… On the Passing of Eugene Peltola, Jr.", "… $6.6 Million Settlement … by Keysight
    Technologies, Inc.": its full stop ends a name, and every word but the small ones and figures is
    capitalised, as a heading's are and a sentence's are not."""
    return bool(_NAME_SUFFIX_END.search(paragraph)) and _heading_cased(paragraph)


def _heading_with_a_full_stop(paragraph: str, config: MetadataConfig) -> bool:
    """"Notice on the Continuation of the National Emergency with Respect to … Organizations.": a
    heading some sites end on a full stop. Every word but the small ones is capitalised, as no
    sentence's are, it is not in capitals (an issuer's line) and no sentence ends inside it."""
    return (len(paragraph.split()) >= config.min_words_heading_with_full_stop and paragraph != paragraph.upper()
            and not _SENTENCE_INSIDE.search(paragraph[:-1]) and _heading_cased(paragraph))


def _is_long_heading(paragraph: str, config: MetadataConfig) -> bool:
    """A heading past max_title_chars: heading-cased, not in capitals, ending on no full stop."""
    return (config.max_title_chars < len(paragraph) <= config.max_long_title_chars and paragraph != paragraph.upper()
            and not re.search(r"[.!?;:][\"'”’)]*$", paragraph) and _heading_cased(paragraph))


def _heading_cased(paragraph: str) -> bool:
    return all(word[:1].isupper() or not word[:1].isalpha() or word in _HEADING_SMALL_WORDS
               for word in paragraph.split())


def _cut_off_prose(paragraph: str, config: MetadataConfig, sentence_ended: bool = True) -> bool:
    """A paragraph a copy was cut off in: enough words, not in capitals, and (unless it is the
    text's last) a sentence that ends inside it, more following ("… met … today in Tokyo. Deputy
    Secretary Sherman and"). Never the title."""
    if paragraph == paragraph.upper() or len(paragraph.split()) < config.min_prose_words:
        return False
    end = _SENTENCE_END.search(paragraph)
    return not sentence_ended or end is not None and end.end() < len(paragraph.rstrip())


def _closing(after_opening: list[str], config: MetadataConfig) -> list[str]:
    """The last few paragraphs after the opening one (a short statement's signature may be its
    second), and the last prose paragraph with however many short lines follow it: a signature
    block's date may come before a long list of signatories, and a proclamation's "IN WITNESS
    WHEREOF, I have hereunto set my hand this fifth day of May, …" before its annex. An annex (or
    an appendix) follows the statement's end: the closing is what comes before its heading, where
    prose follows it (a heading alone above the signature is a link to one: "APPENDIX" /
    "DONALD J. TRUMP" / "THE WHITE HOUSE," / "June 3, 2026.")."""
    annex = next((i for i, paragraph in enumerate(after_opening) if is_annex_heading(paragraph)), None)
    if annex is not None and any(_is_prose(paragraph, config) for paragraph in after_opening[annex + 1 :]):
        after_opening = after_opening[:annex]
    tail = len(after_opening)
    while tail > 0 and not _is_prose(after_opening[tail - 1], config):
        tail -= 1
    return after_opening[min(max(tail - 1, 0), max(0, len(after_opening) - config.closing_paragraphs)) :]


# A date the file states of itself outside its text (a saved web page's markup, a markdown
# export's front matter, a scraper's JSON record: ingest.page, ingest.frontmatter,
# ingest.datafiles) travels as this first line of the text metadata is read from: the result
# cache keeps that text, and a change of the extractor reads it again from there. It starts
# with a private-use character: no text has it.
_STATED_DATE_LINE = re.compile(r"\A\ue000stated date (\d{4})-(\d{2})-(\d{2}) by ([A-Za-z ]+)\n\n")


def with_stated_date(text: str, stated: dt.date, source: str) -> str:
    return f"\ue000stated date {stated.isoformat()} by {source}\n\n{text}"


def extract_metadata(text: str, config: MetadataConfig) -> Metadata:
    stated_outside = _STATED_DATE_LINE.match(text)
    if stated_outside:
        text = text[stated_outside.end() :]
    paragraphs = [p.strip() for p in _PARAGRAPH_SPLIT.split(text.strip()) if p.strip()]
    header, body, opening_start = header_and_opening(paragraphs, config)
    usable = [p for p in header if not _PRINT_HEADER.search(p)]
    is_media_note = any(p.strip().lower() == "media note" for p in usable)
    title_at = _title_at(usable, config)
    title = Field(title_at[1], "heading", RANK_HEADER) if title_at else None
    # After the opening paragraph (and an epigraph before it: a quotation's attribution is no signature).
    closing = _closing(paragraphs[opening_start + 1 :], config)
    opening = _opening_sentences(body, config.max_sentence_chars)
    preface = release_preface(paragraphs, opening_start)
    opening += ([(sentence, "second sentence") for sentence in _first_sentences(preface, 1, config.max_sentence_chars)]
                if preface else [])
    dates = _header_dates(usable, "media-note header" if is_media_note else "dateline",
                          title_at[0] if title_at else range(0), config)
    dates += _sentence_dates(opening) + _signature_dates(closing) + _closing_sentence_dates(closing)
    date = max(dates, key=lambda c: c.score, default=None)
    if stated_outside:  # what the file says of itself outranks what its text is read to say
        year, month, day = map(int, stated_outside.groups()[:3])
        source = stated_outside.group(4)
        stated: Field[PartialDate] | None = Field(PartialDate(month, day, year), source, RANK_HEADER)
    else:
        stated = _date_field(date, config) or _partial_header_date(usable, title_at[0] if title_at else range(0),
                                                                   config)
    issued = stated.value.complete() if stated else None
    event = max((c for c in dates if not _recalled(c.candidate.mention.date, issued, config)),
                key=lambda c: c.candidate.event_score, default=None)
    event_date = _event_date_field(event, config)
    return Metadata(
        title=title,
        date=stated,
        event_date=event_date,
        location=_best_place(usable, body, opening, dates, config,
                             [field.value for field in (stated, event_date) if field]),
        doc_type=_doc_type(title.value if title else None, usable),
        issuer=_issuer(header, title.value if title else None, config),
    )


@dataclass(frozen=True)
class _Dated:
    """A scored date with the place its dateline or signature puts beside it."""

    candidate: DateCandidate
    source: str
    place: str | None = None

    @property
    def score(self) -> float:
        return self.candidate.score


def _date_field(best: _Dated | None, config: MetadataConfig) -> Field[PartialDate] | None:
    if best is None or best.score < config.min_date_score:
        return None
    rank = RANK_HEADER if best.candidate.where in OWN_DATE_POSITIONS else RANK_OPENING
    return Field(best.candidate.mention.date, best.source, rank)


def _recalled(day: PartialDate, issued: dt.date | None, config: MetadataConfig) -> bool:
    """A date long before the one the statement was issued on is history it recites, not its event."""
    complete = day.complete()
    return bool(issued and complete) and (issued - complete).days > config.max_event_days_before_issue


def _event_date_field(best: _Dated | None, config: MetadataConfig) -> Field[PartialDate] | None:
    if best is None or best.candidate.event_score < config.min_event_date_score:
        return None
    return Field(best.candidate.mention.date, best.source, RANK_OPENING)


def _header_dates(header: list[str], source: str, title: range, config: MetadataConfig) -> list[_Dated]:
    """Full dates that form a header paragraph (a dateline, with the place beside it), close a
    heading ("… Summit, May 12, 2022") or stand among a header line's few other fields ("Posted on
    <date> by the Office of …", "<date> at 1:40 pm ET"); a date inside the title is something it
    mentions, and so is one inside a sentence that ends in a semicolon ("WE, the Leaders …, met
    on <date>, …;"), which a header may hold."""
    found = []
    for index, paragraph in enumerate(header):
        for mention in find_dates(paragraph):
            if mention.date.year is None:
                continue
            before = _WEEKDAY_BEFORE.sub("", paragraph[: mention.start])
            after = paragraph[mention.end :]
            if _RELEASE_CATEGORY.match(after) and not before.strip():
                found.append(_Dated(DateCandidate(mention, "dateline", WEIGHTS["dateline"]), source,
                                    _place_field(after)))
                continue
            if _in_a_deck(paragraph, mention, index in title, config):
                found.append(_Dated(score_in_sentence(paragraph, mention, "second sentence"), "subheading"))
                continue
            place_after = _place_after_date(after) or _known_place_in_brackets(after)
            if after.strip(" ,.") and not place_after:
                if index not in title and _is_field_line(paragraph, mention, config):
                    found.append(_Dated(_header_line_date(paragraph, mention),
                                        "header line" if source == "dateline" else source))
                elif names_its_event(after):  # "… the June 28, 2021 Ministerial Meeting"
                    weight = WEIGHTS["heading"] + (WEIGHTS["mentioned"] if _labels_a_mention(before) else 0.0)
                    found.append(_Dated(DateCandidate(mention, "heading", weight), "heading"))
                continue
            place_before = None if after.strip(" ,.") else _PLACE_BEFORE_DATE.search(before)
            if place_before and "|" in before[place_before.end("place"):] and \
                    place_kind(place_before["place"]) == "unknown place":
                place_before = None  # "Statements | <date>": a bar sets apart fields, one of them maybe a place
            place = place_after or (None if place_before and _is_header_label(before, place_before) else place_before)
            rest = before[: place_before.start("place")] if place_before else before
            # "Ministerial Meeting of the Coalition June 28, 2021, Rome": a dateline closing the heading.
            known_place_after = place_after is not None and place_kind(place_after["place"]) != "unknown place"
            where = "dateline" if not rest.strip(" ,.-–—(") or known_place_after else "heading"
            weight = WEIGHTS[where] + (WEIGHTS["mentioned"] if _labels_a_mention(before) or
                                       where == "heading" and _heading_mentions(before) else 0.0)
            if where == "heading" and place and (place_kind(place["place"]) == "unknown place" or
                                                 place is place_before and "," not in place["place"]):
                # "… COVID-19 Summit, May 12, 2022": a heading's last word, no place (though there
                # is a Summit, New Jersey); "… Directors Copenhagen, Denmark, January 29, 2020" is one.
                place = None
            candidate = DateCandidate(mention, where, weight)
            if where == "heading" and names_the_event_before(before):
                # "… Advisory Council Meeting on Thursday, April 7, 2022": the day of the meeting the
                # heading names, which a notice announces days or weeks ahead: the event's date.
                candidate = DateCandidate(mention, where, weight + WEIGHTS["mentioned"],
                                          EVENT_WEIGHTS["heading"] + EVENT_WEIGHTS["event on"])
            found.append(_Dated(candidate, source if where == "dateline" else "heading",
                                place["place"] if place else None))
    return found


def _place_after_date(after: str) -> re.Match[str] | None:
    """The place a dateline puts after its date ("May 12, 2022, Rome", "5 May 2022 – Nusa Dua"): set
    apart by a comma or a dash, or known to the gazetteer. Capitalised words that follow the date
    unmarked go on with the heading ("… Related to the September 11, 2001 Terrorist Attacks")."""
    match = _PLACE_AFTER_DATE.match(after)
    if match and not match["apart"].strip() and place_kind(match["place"]) == "unknown place":
        return None
    return match


def _known_place_in_brackets(after: str) -> re.Match[str] | None:
    bracketed = _PLACE_IN_BRACKETS_AFTER_DATE.match(after)
    return bracketed if bracketed and place_kind(bracketed["place"]) != "unknown place" else None


def _is_field_line(paragraph: str, mention: DateMention, config: MetadataConfig) -> bool:
    """Fewer words beside the date than a sentence has: fields, not a clause about something."""
    beside = len(paragraph[: mention.start].split()) + len(paragraph[mention.end :].split())
    return beside < config.min_prose_words


def _header_line_date(paragraph: str, mention: DateMention) -> DateCandidate:
    """A date among a header line's other fields (a label, a time, a byline) dates the statement,
    unless the words before it say it is another date ("Last updated", "valid until"). A short
    sentence that opens on its date ("On January 6th, 2021, American democracy endured a violent
    assault.") is the opening's, scored as the opening's sentences are."""
    if sentence_opens_on(paragraph[: mention.start]) and _ENDS_A_SENTENCE.search(paragraph[mention.end :]):
        return score_in_sentence(paragraph, mention, "opening sentence")
    mentioned = is_mentioned(paragraph[: mention.start].rstrip(_LABEL_END))
    return DateCandidate(mention, "header line", WEIGHTS["header line"] + (WEIGHTS["mentioned"] if mentioned else 0.0))


def _in_a_deck(paragraph: str, mention: DateMention, is_title: bool, config: MetadataConfig) -> bool:
    """A deck under the title is a sentence without its full stop, and a date after its "on" is its
    clause's ("… Filling the South Lawn on April 10, 2023", "… infant formula on July 8"). A
    release's preface ("The following is the text of … on April 26.") is no deck."""
    return (not is_title and not _is_field_line(paragraph, mention, config) and not _WRAPPER_LINE.match(paragraph)
            and in_running_text(paragraph[: mention.start]))


def _heading_mentions(before: str) -> bool:
    """"… on the Anniversary of September 11, 2001", "… dated October 8, 2021": the heading's last
    words say its date is one it mentions (its other words may not: "… Following the Summit, May 12")."""
    return bool(_WANTS_A_DATE.search(before)) and is_mentioned(" ".join(before.split()[-2:]))


def _labels_a_mention(before: str) -> bool:
    """"Last modified: <date>", "Valid until <date>": a label of a few words before a header's
    date that says it is another date than the statement's. (A heading's own words are no label:
    "… Following the Summit May 12, 2022" is dated by its date.)"""
    label = before.rstrip(_LABEL_END)
    return 0 < len(label.split()) <= _LABEL_WORDS and is_mentioned(label)


def _place_field(fields: str) -> str | None:
    """The field of " | Press Release | Lima" that the gazetteer knows as a place, if one is."""
    for field in _FIELD_MARK.split(fields.strip(" .:")):
        if re.fullmatch(PLACE, field) and place_kind(field) != "unknown place":
            return field
    return None


def _is_header_label(before: str, place: re.Match[str]) -> bool:
    return bool(_HEADER_LABEL.search(before[place.start("place"):]))


def _sentence_dates(opening: list[tuple[str, str]]) -> list[_Dated]:
    found = []
    for sentence, where in opening:
        for mention in find_dates(sentence):
            if mention.date.year is None:
                continue
            before = sentence[: mention.start]
            # A dateline's place is a few words ("NEW YORK, "), as a place line's.
            short = len(before.split()) <= MAX_PLACE_WORDS
            # "On March 11, 2021 – one year ago today – …" opens a sentence on its date: "On" is no place.
            dateline_shaped = where == "opening sentence" and short and not sentence_opens_on(before)
            lead = _LEAD_BEFORE.match(before) if dateline_shaped else None
            if lead and _LEAD_AFTER.match(sentence[mention.end :]):
                # "BRUSSELS, 5 May 2022 – The Ministers …": a dateline that leads the opening paragraph.
                candidate = DateCandidate(mention, "dateline", WEIGHTS["dateline"])
                found.append(_Dated(candidate, "opening dateline", lead["place"]))
            else:
                found.append(_Dated(score_in_sentence(sentence, mention, where), where))
    return found


_OPENING_POSITIONS = ("opening sentence", "second sentence", "later sentence", "later sentence")


def _opening_sentences(body: list[str], max_chars: int) -> list[tuple[str, str]]:
    """The opening paragraph's first four sentences and the second paragraph's first two, on one
    line each (each up to max_chars), with where they stand (a position the scores weigh)."""
    sentences = list(zip(_first_sentences(body[0], 4, max_chars), _OPENING_POSITIONS)) if body else []
    if len(body) > 1:
        sentences += [(sentence, "second paragraph") for sentence in _first_sentences(body[1], 2, max_chars)]
    return sentences


def _signature_dates(closing: list[str]) -> list[_Dated]:
    """A date standing alone (or after "Done at <place>,") among the last paragraphs: the signature's."""
    found = []
    for index, paragraph in enumerate(closing):
        if len(paragraph) > 120:
            continue
        for mention in find_dates(paragraph):
            before = _SIGNATURE_BEFORE.match(_WEEKDAY_BEFORE.sub("", paragraph[: mention.start]))
            after = _SIGNATURE_AFTER.match(paragraph[mention.end :])
            if mention.date.year is not None and before and (after or before["formula"]):
                place = before["at"] or before["place"] or (after["place"] if after else None)
                place = place or _city_line_beside(closing, index)
                found.append(_Dated(DateCandidate(mention, "signature", WEIGHTS["signature"]), "signature", place))
    return found


def _city_line_beside(closing: list[str], index: int) -> str | None:
    """A signature's place may stand on a line of its own just before or after its date ("Lima" /
    "5 May 2022"). Only a city: signatories are often countries, and a name may be a country's."""
    for neighbour in (index - 1, index + 1):
        line = place_line(closing[neighbour]) if 0 <= neighbour < len(closing) else None
        if line and place_kind(line) == "city" and not _is_time_word(line):
            return line
    return None


def _closing_sentence_dates(closing: list[str]) -> list[_Dated]:
    """"This statement was issued on 5 May 2022.": the closing's running text dating the statement
    itself, and placing it where the sentence says so ("adopted in Lima on 5 May 2022")."""
    found = []
    for paragraph in filter(names_itself, closing):
        for mention in find_dates(paragraph):
            candidate = score_closing_sentence(paragraph, mention) if mention.date.year is not None else None
            if candidate:
                sentence = _SENTENCE_END.split(paragraph[: mention.start])[-1]
                found.append(_Dated(candidate, "closing sentence", last_place_in(sentence)))
    return found


def _best_place(header: list[str], body: list[str], opening: list[tuple[str, str]], dates: list[_Dated],
                config: MetadataConfig, event_dates: list[PartialDate]) -> Field[str] | None:
    """The best-scored place of the datelines, a place line under the title, a dateline opening the
    text and the opening sentences' " in <Place>"; else a virtual meeting. The spokesperson's
    "WASHINGTON, D.C." under "OFFICE OF THE SPOKESPERSON" is where the office sits, not a place line."""
    candidates: list[PlaceCandidate] = [
        found for dated in dates
        if dated.place and dated.candidate.where in ("dateline", "heading", "signature", "closing sentence")
        if (found := score_standalone(dated.place, "dateline"))
    ]
    for index, paragraph in enumerate(header[1:], 1):
        before = header[index - 1]
        # An office's seat ("Office of the Spokesperson" / "Washington, D.C.") is no place line; a
        # speaker's byline is followed by where they spoke ("Antony J. Blinken, Secretary of State" /
        # "Chisinau, Moldova").
        after_wrapper = bool(_WRAPPER_LINE.match(before) or _ISSUER_LINE.match(before) and not _BYLINE.match(before))
        # "Embassy of the United States, Rome" is the issuing office and its seat, as the Spokesperson's
        # "Washington, D.C." is; under a speaker's byline, an office is where they spoke.
        seat = bool(_OFFICE_SEAT.match(paragraph)) and not _BYLINE.match(before)
        line = None if seat or _EN_ROUTE.match(paragraph) else place_line(paragraph)
        # A heading wrapped before its last word ("… Political Figures in" / "Sudan") is no place line.
        wrapped = bool(_DANGLING_END.search(before))
        if (line and not after_wrapper and not wrapped and not _is_time_word(line)
                and (found := score_standalone(line, "place line"))):
            candidates.append(found)
    lead = opening_dateline(body[0]) if body else None
    if lead and (found := score_standalone(lead, "opening dateline")):
        candidates.append(found)
    for sentence, where in opening:
        candidates += [c for c in places_in_sentence(sentence, where, event_dates) if not _is_time_word(c.place)]
    best = max(candidates, key=lambda c: c.score, default=None)
    virtual_line = any(_VIRTUAL_PLACE_LINE.fullmatch(line.strip()) for line in header[1:])
    virtual = virtual_line or any(_says_held_online(sentence) for sentence, _ in opening[:2])
    standalone = best is not None and best.where in ("dateline", "place line", "opening dateline")
    # A meeting the opening says was held online took place nowhere a later sentence names.
    if best and best.score >= config.min_place_score and (standalone or best.where == "opening sentence" or
                                                          not virtual):
        return Field(_tidy_place(best.place), best.where, RANK_HEADER if standalone else RANK_OPENING)
    if virtual_line:
        return Field("Virtual", "place line (virtual)", RANK_HEADER)
    if virtual:
        return Field("Virtual", "opening sentence (virtual meeting)", RANK_OPENING)
    return None


def _issuer(header: list[str], title: str | None, config: MetadataConfig) -> Field[str] | None:
    """An issuer line of the header that is not its title, else a page title's site name (print
    headers included: a browser prints the page title, which names the site that published the page)."""
    lines = [line.strip() for paragraph in header for line in paragraph.splitlines()
             if line.strip() and line.strip() != title]
    for pattern, source, rank in ((_ISSUER_LINE.match, "header line", RANK_HEADER),
                                  (_SITE_SUFFIX.search, "page title", RANK_OPENING)):
        for line in lines:
            match = pattern(line)
            if match and len(match["issuer"].split()) <= config.max_issuer_words:
                return Field(_tidy_issuer(match["issuer"]), source, rank)
    return None


def _tidy_issuer(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,.-–—|")
    if not name.isupper():
        return name
    words = name.lower().split(" ")
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _partial_header_date(header: list[str], title: range, config: MetadataConfig) -> Field[PartialDate] | None:
    """A month and day a header states of its statement: closing a line, before a place or naming
    the event after it ("November 14 Ministerial meeting"); not one the heading goes on after ("the
    Six-Month Anniversary of the January 6th Insurrection", "… on August 29 and September 2")."""
    for index, paragraph in enumerate(header):
        for match in find_dates(paragraph):
            after = paragraph[match.end :]
            if match.date.year is None and not _heading_mentions(paragraph[: match.start]) and \
                    not _in_a_deck(paragraph, match, index in title, config) and (
                    not after.strip(" ,.") or _place_after_date(after) or names_its_event(after)):
                return Field(match.date, "heading (month and day only)", RANK_PARTIAL)
    return None


def _first_sentences(paragraph: str, count: int, max_chars: int | None = None) -> list[str]:
    sentences = []
    while paragraph.strip() and len(sentences) < count:
        first = _first_sentence(paragraph)
        sentences.append(_on_one_line(first[:max_chars]))
        paragraph = paragraph[len(first) :].lstrip()
    return sentences


def _sentence(paragraph: str) -> str:
    """The paragraph's first sentence on one line (hard-wrapped copies break it anywhere)."""
    return _on_one_line(_first_sentence(paragraph))


def _on_one_line(text: str) -> str:
    """Each run of white space one space, as re.sub(r"\\s+", " ", text) makes it: str.split knows
    the same white space and scans three times faster."""
    words = text.split()
    if not words:
        return " " if text else ""
    return (" " if text[0].isspace() else "") + " ".join(words) + (" " if text[-1].isspace() else "")


def _is_time_word(place: str) -> bool:
    first = place.split(",")[0].split()[0].rstrip(".").lower()
    return first in _TIME_WORDS


def _says_held_online(sentence: str) -> bool:
    lowered = sentence.lower()
    return any(word in lowered for word in _VIRTUAL_WORDS) and _VIRTUAL.search(sentence) is not None


def _first_sentence(paragraph: str) -> str:
    unnumbered = _LEADING_NUMBER.sub("", paragraph)
    end = _SENTENCE_END.search(unnumbered)
    return unnumbered[: end.end()] if end else paragraph


def _tidy_place(place: str) -> str:
    place = place.strip(" ,.-–—:")
    if place.isupper():
        place = " ".join(word if "." in word and len(word) <= 5 else _capitalised(word) for word in place.split())
    place = re.sub(r"(?<=[a-z]) (D\.C\.?)$", r", \1", place)
    place = _FORMAL_STATE.sub(", ", place)
    return place + "." if place.endswith("D.C") or ", " in place and ends_on_a_state_abbreviation(place) else place


def _capitalised(word: str) -> str:
    """"N'DJAMENA" is "N'Djamena", "O'HARE" "O'Hare": a one-letter prefix keeps the next capital."""
    return re.sub(r"^(\w['’])(\w)", lambda m: m[1] + m[2].upper(), word.capitalize())


def _title_at(header: list[str], config: MetadataConfig) -> tuple[range, str] | None:
    """The first heading paragraph that is not a wrapper line, a dateline or a sentence (with the
    next one where the heading goes on into it), and where it stands in the header; else a heading
    shaped as an issuer line ("Department of State Presence in Ukraine"), when nothing else is."""
    issuer_shaped: tuple[range, str] | None = None
    for index, paragraph in enumerate(header):
        if _WRAPPER_LINE.match(paragraph) or _is_doc_type_only(paragraph) or (
                paragraph.endswith(".") and not _INITIALISM_END.search(paragraph)
                and not _heading_despite_its_full_stop(paragraph, config)):
            continue
        # A heading whose date went to the next line keeps no comma ("… Summit," / "May 12, 2022").
        title = _SITE_SUFFIX.sub("", _without_dateline(paragraph)).rstrip(" ,;")
        if not title or not re.search(r"[A-Za-z]{3}", title):
            continue
        if _ISSUER_LINE.match(title):
            if issuer_shaped is None and _could_be_a_heading(title, config):
                issuer_shaped = range(index, index + 1), title
            continue
        following = header[index + 1] if index + 1 < len(header) else ""
        # A heading goes on after "…:", and after an initialism or a small word that a wrapped copy
        # broke the line on ("… of the ASEAN-U.S." / "Comprehensive Strategic Partnership").
        goes_on = title.endswith(":") or bool(_INITIALISM_END.search(title) or _DANGLING_END.search(title)) and \
            following[:1].isupper()
        if goes_on and following and not _WRAPPER_LINE.match(following) and \
                not any(m.date.year for m in find_dates(following)):
            return range(index, index + 2), f"{title} {_without_dateline(following) or following}"
        return range(index, index + 1), title
    return issuer_shaped


def _could_be_a_heading(line: str, config: MetadataConfig) -> bool:
    return line != line.upper() and len(line.split()) >= config.min_words_issuer_shaped_title


def _without_dateline(paragraph: str) -> str:
    """A heading less the date (and the place beside it) that closes or forms it."""
    for match in find_dates(paragraph):
        after = paragraph[match.end :]
        before = paragraph[: match.start]
        if _WANTS_A_DATE.search(before) or _DASH_BEFORE.search(before):
            continue
        if not after.strip(" ,.") or _place_after_date(after):
            if not after.strip(" ,."):
                before = _PLACE_BEFORE_DATE.sub("", before) if _looks_like_place_tail(before) else before
            heading = before.strip(" ,–—-")
            # A heading never ends on "by" or "in": the date and place it wants are its own words
            # ("… Adult Population by July 4th", "… Leaders Meeting in Nuku’Alofa, Tonga August 26-30, 2024").
            if not _DANGLING_END.search(heading):
                return heading
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
