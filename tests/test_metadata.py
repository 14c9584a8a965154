"""Metadata only where the text states it, with where it came from; never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from commclean.config import MetadataConfig, RepairConfig
from commclean.metadata.dates import find_dates
from commclean.metadata.extract import extract_metadata
from commclean.metadata.places import place_kind
from commclean.records import PartialDate
from commclean.repair.steps import repair_text

BODY = (
    "The Ministers of the Global Coalition reaffirmed their shared determination to continue the fight "
    "against the terrorist group, recalling the meeting of 5 April 2017 in Brussels and the conference "
    "held on March 3, 2019, and committed to strengthening cooperation across all lines of effort."
)


def meta(text: str):
    return extract_metadata(repair_text(text, RepairConfig()).metadata_text, MetadataConfig())


def test_dateline_heading_gives_title_date_and_place() -> None:
    found = meta(f"Ministerial Meeting of the Coalition June 28, 2021, Rome\n\nJoint Communiqué\n\n{BODY}")
    assert found.title.value == "Ministerial Meeting of the Coalition"
    assert found.date.value == PartialDate(6, 28, 2021)
    assert found.date.source == "dateline"
    assert found.location.value == "Rome"
    assert found.doc_type.value == "joint communiqué"


def test_a_heading_whose_date_went_to_the_next_line_keeps_no_comma() -> None:
    found = meta(f"Statement on the second Global COVID-19 Summit,\n\nMay 12, 2022\n\n{BODY}")
    assert found.title.value == "Statement on the second Global COVID-19 Summit"


def test_place_before_the_date_in_a_dateline() -> None:
    found = meta(f"Statement of the Political Directors\n\nCopenhagen, Denmark, January 29, 2020\n\n{BODY}")
    assert found.title.value == "Statement of the Political Directors"
    assert (found.date.value.complete(), found.location.value) == (dt.date(2020, 1, 29), "Copenhagen, Denmark")


def test_media_note_header() -> None:
    text = (
        "Joint Statement on Syria\n\nMEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON\n\nNOVEMBER 14, 2019\n\n"
        f"The following is the text of a joint statement.\n\nBegin text:\n\n{BODY}"
    )
    found = meta(text)
    assert found.date.value.complete() == dt.date(2019, 11, 14)
    assert found.date.source == "media-note header"
    assert found.title.value == "Joint Statement on Syria"
    assert found.doc_type.value == "joint statement"


def test_dates_the_body_merely_mentions_are_never_the_date() -> None:
    found = meta(f"Joint Statement on the Coalition\n\n{BODY}\n\n{BODY}")
    assert found.date is None


def test_a_browser_print_header_never_dates_the_document() -> None:
    text = f"6/3/23, 2:17 PM Joint Statement on Belarus - United States Department of State\n\nJoint Statement on Belarus\n\n{BODY}"
    found = meta(text)
    assert found.date is None
    assert found.title.value == "Joint Statement on Belarus"


def test_opening_sentence_gives_date_and_place() -> None:
    found = meta(
        "Joint Statement\n\nThe Foreign Ministers met today in Rome on June 28, 2021 to review the campaign. "
        + BODY
    )
    assert found.date.value.complete() == dt.date(2021, 6, 28)
    assert found.date.source == "opening sentence"
    assert found.location.value == "Rome"


def test_month_and_day_alone_stay_partial() -> None:
    found = meta(f"Global Coalition to Defeat ISIS:\n\nNovember 14 Ministerial meeting\n\n{BODY}")
    assert found.date.value == PartialDate(11, 14, None)
    assert found.date.value.complete() is None
    assert found.title.value == "Global Coalition to Defeat ISIS: November 14 Ministerial meeting"


def test_a_sentence_is_not_a_title() -> None:
    found = meta(f"The following is the text of a statement by the Ministers.\n\n{BODY}")
    assert found.title is None
    assert found.doc_type.value == "ministerial statement"


def test_white_house_dateline_with_release_category() -> None:
    found = meta(f"Joint Statement on Kosovo\n\nMARCH 23, 2022 • STATEMENTS AND RELEASES\n\n{BODY}")
    assert found.date.value.complete() == dt.date(2022, 3, 23)
    assert found.title.value == "Joint Statement on Kosovo"
    assert found.location is None


@pytest.mark.parametrize(
    "opening, place",
    [
        ("Today, President Joseph R. Biden, Jr. and Prime Minister Justin Trudeau met in Mexico City for the summit.",
         "Mexico City"),
        ("The first meeting of the Working Group took place yesterday, May 25, in Madrid, Spain. It was chaired by two.",
         "Madrid, Spain"),
        ("U.S. Secretary of State Antony J. Blinken and the Foreign Minister met in New York on May 18 to talk.",
         "New York"),
        ("The Ministers met to discuss the humanitarian situation in Syria and the region with their partners.", None),
        ("The Ministers will meet in Paris next year to review the progress made since the last conference.", None),
        ("The Governments held the U.S.-Poland Strategic Dialogue in Washington, D.C. on February 4, 2022, and more.",
         "Washington, D.C."),
        ("Secretary Blinken hosted Foreign Minister Mirzoyan in Washington, D.C., to launch the Dialogue on May 2.",
         "Washington, D.C."),
        ("The three countries launched an agenda at the inaugural meeting of the Working Group in Dubai today.",
         "Dubai"),
        ("The Ministers recalled the ministerial meeting of 5 April 2017 in Brussels and the work done since.", None),
        ("The Heads of Delegation of the Friends of the Mekong met virtually on August 5, 2021 to take stock.",
         "Virtual"),
        ("The Leaders gathered for the Summit in Phnom Penh, Kingdom of Cambodia, to mark the anniversary.",
         "Phnom Penh, Cambodia"),
        ("The Ministers met in Seoul, Republic of Korea, to review the partnership and its next steps.",
         "Seoul, Republic of Korea"),
        # Signatories write in the present tense.
        ("Today, we – the Prime Ministers of Australia and Japan – convene in Lima to renew our commitment.", "Lima"),
        ("The Economic Dialogue, first launched in Lima in 2019, has grown into a broad partnership.", None),
        ("The Ministers held their third meeting on 5 May 2022 by video teleconference to review progress.", "Virtual"),
        ("The Ministers held a call on 5 May 2022 by telephone to review progress.", None),
    ],
)
def test_the_place_of_the_meeting_and_not_a_place_the_sentence_mentions(opening: str, place: str | None) -> None:
    found = meta(f"Joint Statement\n\n{opening} {BODY}")
    assert (found.location.value if found.location else None) == place


@pytest.mark.parametrize(
    "opening, place",
    [
        # A place ends at "D.C.", whatever capitals the next sentence opens with.
        ("Deputy Secretary Sherman met with the Minister of State for the Middle East, North Africa, and North "
         "America today in Washington, D.C. Deputy Secretary Sherman and the Minister discussed the region.",
         "Washington, D.C."),
        ("The second Nuclear Consultative Group convened in Washington D.C. on December 15, 2023.", "Washington, D.C."),
        # The full stops of "U.S." inside a sentence end no clause.
        ("The two countries hosted the Health Dialogue at the U.S. Department of State in Washington, DC to deepen "
         "their cooperation.", "Washington, DC"),
        # The scene set before the subject, the time a duration or yesterday.
        ("Yesterday in Washington, DC, the Under Secretary and the Foreign Minister launched the Strategic Dialogue.",
         "Washington, DC"),
        ("Over the last 48 hours in Doha, senior officials from our governments have engaged in intensive talks.",
         "Doha"),
        ("This announcement was made in Toronto during the annual convention of the mining industry.", "Toronto"),
        ("The United States welcomes the announcement of the formation of a Presidential Council in Yemen.", None),
        # A city someone is welcomed or sent to; not a country, nor a trip of a month gone by.
        ("President Biden is honored to welcome Prime Minister Lee Hsien Loong to Washington, D.C. The partnership "
         "is strong.", "Washington, D.C."),
        ("The Deputy Secretary led a delegation from the Department of State to Geneva, Switzerland to participate "
         "in the Strategic Stability Dialogue.", "Geneva, Switzerland"),
        ("During her visit to Vietnam, the Vice President affirmed the importance of the space partnership.", None),
        ("Prime Minister Modi welcomed President Biden to India today, reaffirming the close partnership.", None),
        ("The leaders welcomed the progress made since Prime Minister Modi’s historic, June 2023, visit to "
         "Washington.", None),
        ("In August 2021, as part of the Vice President’s trip to Singapore, the two countries agreed to cooperate.",
         None),
        # A virtual meeting, however the sentence says it.
        ("Today, virtual United States-Turkmenistan Annual Bilateral Consultations (ABCs) concluded after two days.",
         "Virtual"),
        ("Officials participated virtually alongside representatives from Mexico and Canada in the fifth meeting.",
         "Virtual"),
        ("President Biden virtually joined the leaders of ASEAN during the annual East Asia Summit.", "Virtual"),
        ("Today the President participated in the Asia-Pacific Economic Cooperation (APEC) Virtual Leaders’ "
         "Meeting hosted by New Zealand.", "Virtual"),
        # Hostages held somewhere, meetings that came before or are looked forward to: no event of the statement.
        ("We call for the immediate release of all hostages held by Hamas in Gaza for over 200 days.", None),
        ("The roundtable followed recent meetings that the Vice President has convened in Indianapolis, Indiana.",
         None),
        ("The leaders looked forward to strengthening Alliance unity at the NATO Summit in Vilnius.", None),
        # An event dated by a month alone is one the statement recalls or looks ahead to.
        ("The Ministers met at the Summit in Vilnius in July and agreed on the next steps.", None),
        ("The Secretary met today with His Royal Highness Prince Khalid of Saudi Arabia, in Washington, D.C. They "
         "discussed the region.", "Washington, D.C."),
        ("The Secretary spoke by phone today with the Foreign Minister. He informed him that our diplomats "
         "traveled to Kyiv to reopen the embassy.", None),
        ("Today on the eve of the Summit of the Americas in Los Angeles, Secretary of State Antony Blinken "
         "announced the Cities Summit.", "Los Angeles"),
        ("The Special Representative led a senior delegation from the Department of State to continue discussions "
         "with senior representatives in Tashkent, Uzbekistan.", "Tashkent, Uzbekistan"),
        # A venue no gazetteer lists: set in its region, or where the meeting was held "at"; not any
        # unknown name after "in".
        ("Today at Vandenberg Space Force Base in California, Vice President Kamala Harris announced a new "
         "commitment.", "Vandenberg Space Force Base, California"),
        ("President Biden met with Prime Minister Kishida of Japan at Camp David today to discuss security.",
         "Camp David"),
        ("The Coordination Group convened its ninth meeting in Europe to counter illicit finance.", None),
        # An appositive or the time between the meeting and its place still leaves it the meeting's.
        ("Secretary Blinken met with Staffan de Mistura, the UN Secretary-General’s Personal Envoy for Western "
         "Sahara, today in Washington. They discussed the process.", "Washington"),
        # Someone else's doing there is not the meeting's place.
        ("Secretary Blinken spoke today with the Foreign Minister. Secretary Blinken welcomed the Foreign "
         "Minister’s engagement in Kyiv and Moscow.", None),
        ("Today, the National Climate Advisor convened the second Task Force meeting. During the virtual meeting, "
         "Cabinet leaders discussed their plans.", "Virtual"),
        # Meetings, plural; a city visited; a summit the meeting was "in the lead up to"; a list of places.
        ("The Deputy Secretary had productive meetings with the Minister and the Deputy Minister today in "
         "Pretoria.", "Pretoria"),
        ("The Special Envoy and the Ambassador visited Aden, Yemen, today to meet the Council.", "Aden, Yemen"),
        ("The Secretary spoke today with the Foreign Minister. They discussed NATO unity in the lead up to the "
         "Summit in Madrid.", None),
        ("Today, officials hosted a meeting with state legislative leaders in Kansas, Louisiana, and North "
         "Carolina.", None),
        ("Deputy Secretary Sherman met the Speaker and the Foreign Minister during her visit to Ulaanbaatar "
         "from July 23 to July 25.", "Ulaanbaatar"),
        # A meeting the opening says was online took place nowhere a later sentence names.
        ("President Biden convened 40 world leaders in a virtual Leaders Summit on Climate this week. Leaders "
         "underscored the urgency of acting before the Conference (COP 26) in November 2021 in Glasgow.", "Virtual"),
        # The statement's own date after a place makes it the event's, whatever else the clause names.
        ("We gathered on the occasion of the Summit and the commemoration of the 45th anniversary of our relations "
         "in Phnom Penh, Kingdom of Cambodia, on November 12, 2022.", "Phnom Penh, Cambodia"),
    ],
)
def test_where_the_event_took_place_in_the_forms_statements_write_it(opening: str, place: str | None) -> None:
    found = meta(f"Joint Statement\n\n{opening} {BODY}")
    assert (found.location.value if found.location else None) == place


def test_a_preamble_clause_ending_in_a_semicolon_is_the_opening_not_a_header_line() -> None:
    found = meta("Leaders’ Statement on Digital Development\n\nWE, the Member States of ASEAN and the United "
                 "States, met via videoconference, on 26 October 2021, on the occasion of the Summit;\n\n"
                 f"RECOGNISING the role of digital development;\n\n{BODY}")
    assert found.location.value == "Virtual"
    assert found.event_date.value == PartialDate(10, 26, 2021)


@pytest.mark.parametrize(
    "line, place",
    [
        ("Ministry of Foreign Affairs, Jerusalem", "Jerusalem"),
        ("Waldorf Astoria Jerusalem, Israel", "Jerusalem, Israel"),
        ("Mandalay Bay Resort and Casino Las Vegas, Nevada", "Las Vegas, Nevada"),
        ("UCSF Mission Bay Medical Center *San Francisco, California", "San Francisco, California"),
        ("Ramallah, the West Bank", "Ramallah, the West Bank"),
    ],
)
def test_a_place_line_naming_the_venue_before_the_city_gives_the_city(line: str, place: str) -> None:
    found = meta(f"Remarks at a Joint Press Availability\n\nAntony J. Blinken, Secretary of State\n\n{line}\n\n{BODY}")
    assert (found.location.value, found.location.source) == (place, "place line")


@pytest.mark.parametrize(
    "line, place",
    [
        # Letters with accents, in the city and in the venue before it.
        ("Bürgenstock Resort\n\nObbürgen, Switzerland", "Obbürgen, Switzerland"),
        ("Berlin Brandenburg International Airport\n\nSchönefeld, Germany", "Schönefeld, Germany"),
        ("Palacio de Nariño\n\nBogotá, Colombia", "Bogotá, Colombia"),
        ("Łódź, Poland", "Łódź, Poland"),
        # Particles of the languages places are named in.
        ("Tonino Lamborghini International Convention Center\n\nSharm el-Sheikh, Egypt", "Sharm el-Sheikh, Egypt"),
        ("Dar es Salaam, Tanzania", "Dar es Salaam, Tanzania"),
        ("Frankfurt am Main, Germany", "Frankfurt am Main, Germany"),
        # A US state by its postal code or its AP abbreviation, after a town no gazetteer lists.
        ("Upper Marlboro, MD", "Upper Marlboro, MD"),
        ("Naval Submarine Base New London\n\nGroton, CT", "Groton, CT"),
        ("Groton, Conn.", "Groton, Conn."),
    ],
)
def test_a_place_line_may_spell_its_place_as_the_place_does(line: str, place: str) -> None:
    found = meta(f"Remarks by the Vice President at a Roundtable\n\n{line}\n\n2:16 P.M. EST\n\n{BODY}")
    assert (found.location.value, found.location.source) == (place, "place line")


@pytest.mark.parametrize(
    "lines, place",
    [
        ("Via Teleconference\n\n4:49 P.M. EST", ("Virtual", "place line (virtual)")),
        ("Via Teleconference\n\nSouth Court Auditorium", ("Virtual", "place line (virtual)")),
        ("Virtual Event", ("Virtual", "place line (virtual)")),
        # Where the speaker joined the call from, a place line too, is the place.
        ("Via Teleconference\n\nWilmington, Delaware", ("Wilmington, Delaware", "place line")),
    ],
)
def test_a_place_line_saying_the_event_was_held_by_teleconference_places_it_nowhere(lines: str, place) -> None:
    found = meta(f"Background Press Call on the Summit\n\n{lines}\n\nMR. SMITH: Thanks, everybody, for joining.\n\n"
                 "The call is on background and embargoed until the end of the call.")
    assert (found.location.value, found.location.source) == place


@pytest.mark.parametrize("line", ["En Route Detroit, Michigan", "En Route Cleveland, OH", "En route to Morrisville, NC"])
def test_a_place_line_saying_where_the_speaker_travels_to_places_nothing(line: str) -> None:
    found = meta(f"Press Gaggle by the Press Secretary\n\nAboard Air Force One\n\n{line}\n\n5:07 P.M. EST\n\n"
                 "MS. SMITH: All right. I just have two things at the top, and then I will take your questions.")
    assert found.location is None


@pytest.mark.parametrize(
    "place, kind",
    [
        ("Room 350, IN", "country or region"),
        ("Groton, CT", "country or region"),
        # In lower case, or standing alone, two letters are a word or a code of anything.
        ("Groton, or", "unknown place"),
        ("Groton, Ct", "unknown place"),
        ("CT", "unknown place"),
    ],
)
def test_a_state_code_is_a_region_only_in_capitals_after_a_place(place: str, kind: str) -> None:
    assert place_kind(place) == kind


def test_a_run_on_opening_with_no_full_stop_is_read_only_as_far_as_a_sentence_goes() -> None:
    # A text whose full stops were lost is one "sentence"; every place in it would otherwise be
    # weighed against all the words before it (80 KB took 10 s, a megabyte hours).
    clauses = " ".join(["and the delegations discussed the situation in Kyiv and Moscow, Rome, and Berlin"] * 1_000)
    found = meta(f"Joint Statement\n\nThe Ministers met in Paris, {clauses}\n\n{BODY}")
    assert found.location.value == "Paris"
    late = meta(f"Joint Statement\n\nThe Ministers discussed {'the agenda and ' * 200}the talks held in Paris.\n\n{BODY}")
    assert late.location is None  # the place stands after the first 2,000 characters


def test_an_issuing_offices_seat_under_the_title_is_no_place_line() -> None:
    found = meta(f"Joint Statement on Sudan\n\nEmbassy of the United States, Rome\n\n{BODY}")
    assert found.location is None


def test_a_speakers_byline_is_no_venue_before_a_city() -> None:
    found = meta(f"Remarks at a Press Availability\n\nWendy R. Sherman, Deputy Secretary of State\n\n{BODY}")
    assert found.location is None


def test_a_heading_wrapped_before_its_last_word_is_no_place_line() -> None:
    found = meta(f"Troika Statement on Detentions of Political Figures in\n\nSudan\n\n{BODY}")
    assert found.location is None


def test_a_copy_cut_off_in_its_first_paragraph_still_gives_the_place_it_holds() -> None:
    found = meta("Deputy Secretary Sherman’s Meeting with the Minister of Unification\n\nThe below is attributable "
                 "to Spokesperson Ned Price:\n\nDeputy Secretary of State Wendy R. Sherman met with the Minister "
                 "of Unification today in Seoul. Deputy Secretary Sherman and the Minister emphasized their")
    assert found.location.value == "Seoul"


def test_the_second_paragraph_can_say_where_the_event_is_being_held() -> None:
    found = meta("Joint Statement\n\nOn Tuesday, March 29, representatives of ten governments convened a workshop "
                 "on refugee resettlement.\n\nThis Working Group is being held in Denver, Colorado to showcase "
                 f"programs.\n\n{BODY}")
    assert (found.location.value, found.location.source) == ("Denver, Colorado", "second paragraph")
    assert found.date is None  # "March 29" with no year, in the body: not the date


@pytest.mark.parametrize(
    "opening, date, event_date",
    [
        # However the opening reports the meeting, its date is the meeting's: the statement may have
        # been issued days later, and nothing here says when.
        ("On 23 November 2025, representatives of the United States and Ukraine met in Geneva for talks.",
         None, dt.date(2025, 11, 23)),
        ("1 WE, the Member States of ASEAN and the United States (U.S.), gathered on the occasion of the Summit "
         "in Phnom Penh on November 12, 2022; 2 APPRECIATING the support.", None, dt.date(2022, 11, 12)),
        ("We, the Media Ministers of the G7, met in Bonn on 19 June 2022 to work together.", None,
         dt.date(2022, 6, 19)),
        ("The Ministers met on April 5, 2022 in Brussels to review the campaign against the group.", None,
         dt.date(2022, 4, 5)),
        ("On 23 November 2025, the Ministers recalled the meeting of 5 April 2017 in Brussels.", None, None),
        # Said to be today's, it is the statement's own.
        ("Today (October 31, 2021) the Ministers met to discuss supply chains.", dt.date(2021, 10, 31),
         dt.date(2021, 10, 31)),
    ],
)
def test_openings_date_the_meeting_and_only_today_dates_the_statement(opening: str, date: dt.date | None,
                                                                      event_date: dt.date | None) -> None:
    found = meta(f"Joint Statement\n\n{opening} {BODY}")
    assert (found.date.value.complete() if found.date else None) == date
    assert (found.event_date.value.complete() if found.event_date else None) == event_date


@pytest.mark.parametrize(
    "header, issuer, source",
    [
        ("Joint Statement on Sudan\n\nMEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON WASHINGTON D.C.\n\nMAY 19, 2023",
         "Office of the Spokesperson", "header line"),
        ("Joint Statement on Sudan\n\nPRESS STATEMENT\n\nANTONY J. BLINKEN, SECRETARY OF STATE\n\nJULY 19, 2022",
         "Antony J. Blinken, Secretary of State", "header line"),
        ("Joint Statement on Sudan - The White House", "The White House", "page title"),
        ("Joint Statement on Sudan | United States Department of State", "United States Department of State",
         "page title"),
        ("Joint Statement on Sudan\n\nMARCH 23, 2022 • STATEMENTS AND RELEASES", None, None),
        ("Joint Statement on Sudan\n\nJoint Statement of the Quad Foreign Ministers, Secretary Blinken Presiding",
         None, None),
        # A lead-in of that shape is a sentence, however it opens: an issuer is a name and an office.
        ("Joint Statement on Sudan\n\nToday, President Joe Biden announced his intent to nominate the following "
         "individuals to serve as key members of his Administration:", None, None),
    ],
)
def test_the_issuer_where_a_header_states_it(header: str, issuer: str | None, source: str | None) -> None:
    found = meta(f"{header}\n\n{BODY}")
    assert ((found.issuer.value, found.issuer.source) if found.issuer else (None, None)) == (issuer, source)
    assert found.title.value == "Joint Statement on Sudan"  # the site's name is not part of the title


@pytest.mark.parametrize(
    "header, title, issuer",
    [
        # A heading that opens on the name of a body is the title when no other heading follows.
        ("Department of State Presence in Ukraine", "Department of State Presence in Ukraine", None),
        ("Office of the National Cyber Director Announces Senior Leadership",
         "Office of the National Cyber Director Announces Senior Leadership", None),
        ("Department of State Offers Reward for Information to Bring a Trafficker to Justice\n\nOFFICE OF THE "
         "SPOKESPERSON", "Department of State Offers Reward for Information to Bring a Trafficker to Justice",
         "Office of the Spokesperson"),
        # A bare issuer line is no title: a short name, or one in capitals, above the body.
        ("Office of the Spokesperson", None, "Office of the Spokesperson"),
        ("OFFICE OF THE DIRECTOR OF NATIONAL INTELLIGENCE", None, "Office of the Director of National Intelligence"),
        # Above a heading, the issuer line stays the issuer.
        ("Office of the Director of National Intelligence\n\nJoint Statement on Sudan", "Joint Statement on Sudan",
         "Office of the Director of National Intelligence"),
    ],
)
def test_a_heading_shaped_as_an_issuer_line_is_the_title_when_nothing_else_is(header: str, title: str | None,
                                                                              issuer: str | None) -> None:
    found = meta(f"{header}\n\n{BODY}")
    assert (found.title.value if found.title else None) == title
    assert (found.issuer.value if found.issuer else None) == issuer


LONG_HEADING = (
    "Briefing with Deputy Secretary of State for Management and Resources Brian P. McKeon, U.S. Agency for "
    "International Development Deputy Administrator for Management and Resources Paloma Adams-Allen, and Experts "
    "On the Administration’s Budget Request for the Department of State and USAID for Fiscal Year 2023"
)


def test_a_heading_longer_than_a_title_usually_is_still_the_title() -> None:
    assert len(LONG_HEADING) > MetadataConfig().max_title_chars
    assert meta(f"{LONG_HEADING}\n\nVia Teleconference\n\n{BODY}").title.value == LONG_HEADING


@pytest.mark.parametrize(
    "opening",
    [
        # Prose holds words in lower case; a paragraph in capitals is no heading of any length.
        "The Ministers of the Global Coalition met in Rome and reaffirmed their shared determination to continue "
        "the fight against the terrorist group in all its forms, recalling the meetings held in Brussels and in "
        "Washington and committing to strengthen cooperation across all lines of effort, including stabilization "
        "and countering the financing of the group",
        LONG_HEADING.upper(),
    ],
)
def test_a_long_first_paragraph_that_is_not_heading_cased_is_no_title(opening: str) -> None:
    assert len(opening) > MetadataConfig().max_title_chars
    assert meta(f"{opening}\n\n{BODY}").title is None


def test_an_ocr_mangled_print_header_is_neither_title_nor_date() -> None:
    found = meta(f"1/823, 9:32 AM Joint Statement on Sudan - United States Department of State\n\n{BODY}")
    assert found.title is None or "9:32" not in found.title.value
    assert found.date is None


@pytest.mark.parametrize(
    ("lead", "place"),
    [
        ("N'DJAMENA, May 5, 2022 — ", "N'Djamena"),
        ("(Brussels, 5 May 2022) – ", "Brussels"),
        ("May 5, 2022 — ", None),
    ],
)
def test_a_dateline_leading_the_opening_paragraph_dates_the_statement(lead: str, place: str | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{lead}{BODY}")
    assert found.date.value == PartialDate(5, 5, 2022)
    assert (found.location.value if found.location else None) == place


def test_a_sentence_opening_on_a_date_set_off_by_dashes_is_no_dateline() -> None:
    # "On" is the sentence's first word, not a dateline's place; the day it recalls is a year back.
    found = meta("Fact Sheet: The Rescue Plan a Year On\n\nOn March 11, 2021 – one year ago today – the "
                 "President signed the Rescue Plan into law, a package of emergency measures for schools.")
    assert found.location is None
    assert found.date is None


@pytest.mark.parametrize("heading", [
    "Fact Sheet: A Goal to Vaccinate 70% of Adults by July 4th",
    "Fact Sheet: The Partnership at the Pacific Islands Forum Leaders Meeting in Nuku’Alofa, Tonga August 26-30, 2024",
])
def test_a_heading_keeps_the_date_and_place_its_last_word_wants(heading: str) -> None:
    # Taken off as a dateline, they would leave the title ending on "by" or "in".
    assert meta(f"{heading}\n\n{BODY}").title.value == heading


def test_a_heading_some_site_ends_on_a_full_stop_is_the_title() -> None:
    heading = "Notice on the Continuation of the National Emergency with Respect to Criminal Organizations."
    assert meta(f"{heading}\n\n{BODY}").title.value == heading


@pytest.mark.parametrize("opening", [
    "The Ministers met in Rome and agreed on the Plan.",  # a sentence: its words in lower case
    "Secretary Blinken Met Minister Kuleba. They Discussed Ukraine.",  # two sentences
    "THE MINISTERS OF FOREIGN AFFAIRS MET IN ROME TODAY.",  # in capitals
])
def test_a_sentence_ending_on_a_full_stop_is_no_title(opening: str) -> None:
    found = meta(f"{opening}\n\n{BODY}")
    assert found.title is None or found.title.value != opening


def test_a_closing_sentence_naming_the_statement_dates_and_places_it() -> None:
    found = meta(f"Joint Statement on Chad\n\n{BODY}\n\nThis declaration was adopted in Lima on 5 May 2022.")
    assert found.date.value == PartialDate(5, 5, 2022)
    assert found.location.value == "Lima"


def test_a_closing_released_on_line_dates_the_statement_and_names_no_place() -> None:
    found = meta(f"Joint Statement on Chad\n\n{BODY}\n\nReleased on 5 May 2022")
    assert found.date.value == PartialDate(5, 5, 2022)
    assert found.location is None


def test_a_dateline_in_capitals_is_one_whatever_speck_ends_it() -> None:
    found = meta(f"Joint Statement on Chad\n\nAUGUST 9, 2021 * STATEMENTS AND RELEASES.\n\n{BODY}")
    assert found.date.value == PartialDate(8, 9, 2021)
    assert found.date.source == "dateline"


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("Lima, 05.05.2022", dt.date(2022, 5, 5)),  # day first between full stops, as Europe writes it
        ("Released 2022/05/05", dt.date(2022, 5, 5)),  # year first: no reader can mistake it
        ("2022.5.5", dt.date(2022, 5, 5)),
        ("05-May-2022", dt.date(2022, 5, 5)),
        ("5/May/2022", dt.date(2022, 5, 5)),
        ("05/06/2022", None),  # May to an American, June to most of the world: left
        ("31.02.2022", None),  # no such day
        ("call 2022/05/05/12", None),
    ],
)
def test_dates_in_figures_are_read_only_where_their_order_is_certain(written: str, date: dt.date | None) -> None:
    found = [m.date.complete() for m in find_dates(written) if m.date.year]
    assert found == ([date] if date else [])


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Posted on 5 May 2022 by the Press Office", dt.date(2022, 5, 5)),
        ("May 5, 2022 at 10:00 am EDT", dt.date(2022, 5, 5)),
        ("Thu, 05 May 2022", dt.date(2022, 5, 5)),
        ("Statements | May 5, 2022 | Embassy News", dt.date(2022, 5, 5)),
        ("Last updated on May 17, 2022 by the Press Office", None),
        ("Waiver valid until 5 May 2022 (extended)", None),
    ],
)
def test_a_date_among_a_header_lines_other_fields_dates_the_statement(line: str, date: dt.date | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{line}\n\n{BODY}")
    assert (found.date.value.complete() if found.date else None) == date
    assert found.date is None or found.date.source in ("header line", "dateline")
    assert found.location is None  # no weekday or field is a place
    assert found.title.value == "Joint Statement on Chad"


def test_a_date_inside_the_title_is_something_the_title_names() -> None:
    found = meta(f"Joint Statement on the 5 May 2022 Elections in Chad\n\n{BODY}")
    assert found.date is None


@pytest.mark.parametrize(
    "title",
    [
        "Statement on the Executive Order on Documents Related to the September 11, 2001 Terrorist Attacks",
        "Statement on the Six-Month Anniversary of the January 6th Insurrection on the Capitol",
    ],
)
def test_a_date_the_title_goes_on_after_is_no_date_and_the_title_stays_whole(title: str) -> None:
    found = meta(f"{title}\n\n{BODY}")
    assert found.date is None
    assert found.title.value == title


@pytest.mark.parametrize(
    ("title", "date"),
    [
        ("Joint Communiqué of the June 28, 2021 Ministerial Meeting", PartialDate(6, 28, 2021)),
        ("Joint Statement, June 28, 2021, Rome", PartialDate(6, 28, 2021)),
        ("Joint Statement June 28, 2021 Rome", PartialDate(6, 28, 2021)),  # a known place needs no comma
    ],
)
def test_a_headings_date_that_names_its_event_or_stands_before_a_place_dates_it(title: str,
                                                                                 date: PartialDate) -> None:
    assert meta(f"{title}\n\n{BODY}").date.value == date


@pytest.mark.parametrize(
    "title",
    [
        "Statement by Vice President Kamala Harris on the Anniversary of September 11",
        "Statement by Vice President Kamala Harris on the Anniversary of September 11, 2001",
        "Second Letter from the Counsel to the President to the Archivist of the United States, dated October 8, 2021",
        "Statement of President Joe Biden On the Passing of Eugene Peltola, Jr.",
        "Deputy Secretary Sherman’s Meeting with Philippine President-Elect Marcos, Jr.",
        "U.S. Department of State Concludes $6.6 Million Settlement of Alleged Export Violations by Keysight "
        "Technologies, Inc.",
    ],
)
def test_a_heading_keeps_the_date_its_words_want_and_a_name_s_full_stop(title: str) -> None:
    found = meta(f"{title}\n\n{BODY}")
    assert found.title.value == title
    assert found.date is None


@pytest.mark.parametrize(
    ("title", "date"),
    [
        ("Public Schedule – June 25, 2021", PartialDate(6, 25, 2021)),
        ("Department Press Briefing — April 8, 2022", PartialDate(4, 8, 2022)),
        ("Overseas Schools Advisory Council Meeting – Thursday, June 17, 2021", PartialDate(6, 17, 2021)),
    ],
)
def test_a_title_keeps_the_day_it_names_after_on_or_a_dash(title: str, date: PartialDate) -> None:
    found = meta(f"{title}\n\n{BODY}")
    assert found.title.value == title
    assert found.date.value == date


@pytest.mark.parametrize(
    "opening",
    [
        "Secretary of State Antony J. Blinken will deliver remarks at Howard University at 4:30 p.m. today, "
        "Tuesday, April 12, 2022.",
        "On April 12, 2022, the U.S. Department of State published a Federal Register notice.",
    ],
)
def test_today_before_a_weekday_and_a_notice_published_on_a_date_date_the_statement(opening: str) -> None:
    found = meta(f"Media Note\n\n{opening} {BODY}")
    assert dt.date(2022, 4, 12) in {field.value.complete() for field in (found.date, found.event_date) if field}


@pytest.mark.parametrize("same_day", ["this evening", "tonight", "this morning"])
def test_this_evening_or_tonight_before_a_date_is_the_day_of_issue(same_day: str) -> None:
    found = meta("The White House Announces Guest List for the First Lady’s Box\n\nWASHINGTON, D.C. – First Lady "
                 "Jill Biden will welcome selected guests to join her in the viewing box for the State of the Union "
                 f"Address {same_day}, Tuesday, March 1, 2022. {BODY}")
    assert found.date is not None and found.date.value.complete() == dt.date(2022, 3, 1)


def test_a_dialogue_initiated_on_a_date_is_not_the_event_reported() -> None:
    found = meta("Joint Statement on the Strategic Dialogue\n\nThe delegations co-chaired the final session of the "
                 f"Strategic Dialogue, initiated on June 11, 2020, in accordance with the Framework. {BODY}")
    assert found.event_date is None and found.date is None


@pytest.mark.parametrize(
    "text",
    [
        # "today" far before a date is not its day
        "Statement on the Anniversary\n\nToday is a day of solemn remembrance as we mourn the souls we lost in a "
        "heinous terrorist attack on September 11, 2001.",
        # a deck under the title is a sentence without its full stop: its dates are its clause's
        "White House Announces Theme and Activities for the 2023 Easter Egg Roll\n\nThe First Lady Continues Her "
        "Theme for the Easter Egg Roll with Learning Activities Filling the South Lawn on April 10, 2023",
        "President Biden Announces Twelfth Operation Fly Formula Mission\n\nBiden Administration will facilitate air "
        "shipment of approximately 2 million bottles of specialized infant formula on July 8",
        # a short opening sentence on its date is the opening's, not a header line
        "Statement from the Vice President on the Second Anniversary\n\nOn January 6th, 2021, American democracy "
        "endured a violent assault.",
        # what someone is sent to attend lies ahead
        "President Biden Announces Presidential Delegation to Chile\n\nPresident Joseph R. Biden, Jr. today "
        "announced the designation of a Presidential Delegation to Valparaíso, Chile to attend the Inauguration of "
        "His Excellency Gabriel Boric Font as President of Chile on March 11, 2022.",
    ],
)
def test_a_date_the_opening_only_mentions_dates_neither_the_statement_nor_its_event(text: str) -> None:
    found = meta(f"{text}\n\n{BODY}")
    assert found.date is None
    assert found.event_date is None


def test_published_and_updated_lines_give_the_date_of_publication() -> None:
    found = meta("Joint Statement on Chad\n\nPosted on 5 May 2022 by the Press Office\n\n"
                 f"Updated 9 May 2022 at 10:00\n\n{BODY}")
    assert (found.date.value.complete(), found.date.source) == (dt.date(2022, 5, 5), "header line")


@pytest.mark.parametrize(
    ("closing", "date"),
    [
        ("This joint statement was issued in Lima on 5 May 2022.", dt.date(2022, 5, 5)),
        ("The present Declaration, done in two originals, was adopted on 5 May 2022.", dt.date(2022, 5, 5)),
        ("The statement issued on 5 May 2022 remains the basis of their work.", None),
        ("They will meet again on 5 May 2022.", None),
    ],
)
def test_a_closing_sentence_dates_the_statement_only_where_it_names_the_statement(closing: str,
                                                                                   date: dt.date | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{BODY}\n\n{closing}")
    assert (found.date.value.complete() if found.date else None) == date


@pytest.mark.parametrize(("line", "place"), [("Lima", "Lima"), ("Japan", None), ("Fumio Kishida", None)])
def test_a_signature_place_on_its_own_line_beside_the_date_is_taken_only_when_it_is_a_city(line: str,
                                                                                          place: str | None) -> None:
    for closing in (f"{line}\n\n5 May 2022", f"5 May 2022\n\n{line}"):
        found = meta(f"Joint Statement on Chad\n\n{BODY}\n\n{closing}")
        assert found.date.value.complete() == dt.date(2022, 5, 5)
        assert (found.location.value if found.location else None) == place


@pytest.mark.parametrize(
    ("header", "place"),
    [
        ("Lima (Peru), 5 May 2022", "Lima"),
        ("Lima, Peru, 5 May 2022", "Lima, Peru"),
    ],
)
def test_a_datelines_place_may_carry_its_country_in_brackets(header: str, place: str) -> None:
    found = meta(f"Joint Statement on Chad\n\n{header}\n\n{BODY}")
    assert (found.date.value.complete(), found.location.value) == (dt.date(2022, 5, 5), place)


@pytest.mark.parametrize("tag", ["/PRNewswire/ --", "(Reuters) -", "(AP) —"])
def test_a_wire_services_tag_may_stand_between_a_leading_dateline_and_its_dash(tag: str) -> None:
    found = meta(f"Joint Statement on Chad\n\nLIMA, May 5, 2022 {tag} {BODY}")
    assert (found.date.value.complete(), found.location.value) == (dt.date(2022, 5, 5), "Lima")


@pytest.mark.parametrize(
    ("opening", "place"),
    [
        ("Ahead of the summit in Lima on 5 May 2022, the Ministers set out their priorities.", None),
        ("The accord, signed in Lima on 5 May 2022, remains the basis of their cooperation.", None),
        ("The Ministers met in Lima on 5 May 2022 to review the campaign.", "Lima"),
    ],
)
def test_a_place_dated_as_something_the_statement_only_mentions_is_another_events(opening: str,
                                                                                  place: str | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{opening} {BODY}")
    assert (found.location.value if found.location else None) == place


@pytest.mark.parametrize(
    "opening, event_date",
    [
        # A place's commas do not end the clause: its "will" still makes the meeting a future one.
        ("The Ministers will meet in Rome, Italy, on 5 May 2022 to review the campaign.", None),
        ("The Ministers will meet in Washington, D.C., on Monday, May 5, 2022 to review the campaign.", None),
        ("The Ministers met in Rome, Italy, on 5 May 2022 to review the campaign.", dt.date(2022, 5, 5)),
        ("Following the summit, the Ministers met in Rome, Italy, on 5 May 2022 to review it.", dt.date(2022, 5, 5)),
    ],
)
def test_a_future_meeting_is_no_event_whatever_commas_its_place_has(opening: str, event_date: dt.date | None) -> None:
    found = meta(f"Joint Statement\n\n{opening} {BODY}")
    assert (found.event_date.value.complete() if found.event_date else None) == event_date
    assert found.date is None


def test_a_sentence_opening_on_its_date_needs_no_comma_to_report_the_event() -> None:
    found = meta(f"Joint Statement on Chad\n\nOn 5 May 2022 the Ministers met in Lima for talks. {BODY}")
    assert found.event_date.value.complete() == dt.date(2022, 5, 5)
    assert found.date is None
    assert found.location.value == "Lima"


def test_a_meeting_sentence_that_ends_in_a_semicolon_is_no_header_line() -> None:
    # Declarations open on recitals that end in semicolons, so the extractor reads them as header
    # paragraphs; a meeting's date inside one is the meeting's, not the declaration's.
    found = meta("Leaders' Statement on Digital Development\n\nWE, the Leaders of the Member States and of the "
                 "United States, met via videoconference, on 26 October 2021, under the 2021 Chairmanship, on the "
                 f"occasion of the 9th Summit;\n\n{BODY}")
    assert found.date is None


@pytest.mark.parametrize(
    ("header", "place"),
    [
        ("Lima | 5 May 2022", "Lima"),
        ("5 May 2022 (Lima)", "Lima"),
        ("5 May 2022 (Reuters)", None),  # a wire service's tag in brackets: no place the gazetteer knows
        ("Statements | 5 May 2022", None),
    ],
)
def test_a_header_lines_place_may_stand_beside_its_date_behind_a_bar_or_in_brackets(header: str,
                                                                                    place: str | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{header}\n\n{BODY}")
    assert found.date.value.complete() == dt.date(2022, 5, 5)
    assert (found.location.value if found.location else None) == place


@pytest.mark.parametrize(
    ("header", "date"),
    [
        ("Last modified: 5 May 2022", None),
        ("Valid until: 5 May 2022", None),
        ("Date: 5 May 2022", dt.date(2022, 5, 5)),
        # A heading's own words are no label, whatever they say.
        ("Statement Following the Last Ministerial, 5 May 2022", dt.date(2022, 5, 5)),
    ],
)
def test_a_headers_label_may_say_its_date_is_another_one_than_the_statements(header: str,
                                                                             date: dt.date | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{header}\n\n{BODY}")
    assert (found.date.value.complete() if found.date else None) == date


@pytest.mark.parametrize(
    ("opening", "event", "place"),
    [
        ("The Ministers, meeting by videoconference on 5 May 2022, reviewed the campaign.",
         dt.date(2022, 5, 5), "Virtual"),
        ("Meeting by videoconference on 5 May 2022, the Ministers reviewed the campaign.",
         dt.date(2022, 5, 5), "Virtual"),
        # A noun names a meeting, it does not report one.
        ("The meeting of 5 May 2022 by videoconference was postponed, the Ministers said.", None, None),
    ],
)
def test_meeting_as_a_participle_reports_the_meeting(opening: str, event: dt.date | None, place: str | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{opening} {BODY}")
    assert (found.event_date.value.complete() if found.event_date else None) == event
    assert (found.location.value if found.location else None) == place


@pytest.mark.parametrize(
    ("closing", "place"),
    [
        ("Issued by the Press Office, Lima, 5 May 2022", "Lima"),
        ("Released by the Office of the Spokesperson, 5 May 2022", None),
        ("Done at Lima, on 5 May 2022.", "Lima"),
    ],
)
def test_a_closing_formula_may_name_who_issued_the_statement_before_its_place_and_date(closing: str,
                                                                                        place: str | None) -> None:
    found = meta(f"Joint Statement on Chad\n\n{BODY}\n\n{closing}")
    assert (found.date.value.complete(), found.date.source) == (dt.date(2022, 5, 5), "signature")
    assert (found.location.value if found.location else None) == place


def test_an_epigraph_and_its_attribution_are_not_the_opening() -> None:
    found = meta("U.S.-Germany Dialogue on Holocaust Issues\n\n“It’s so important that we speak the truth about the "
                 "past.”\n\n– Secretary Blinken, January 27, 2021\n\nSecretary Blinken and Foreign Minister Maas met "
                 f"today in Berlin at the Memorial to launch a new dialogue on Holocaust issues. {BODY}")
    assert found.location.value == "Berlin"


def test_a_speakers_byline_is_followed_by_where_they_spoke_an_offices_by_where_it_sits() -> None:
    remarks = meta("Secretary Blinken at a Meeting with Civil Society\n\nAntony J. Blinken, Secretary of State\n\n"
                   f"Chisinau, Moldova\n\nMediaCor\n\n{BODY}")
    assert remarks.location.value == "Chisinau, Moldova"
    note = meta(f"Joint Statement on Syria\n\nOffice of the Spokesperson\n\nWashington, D.C.\n\n{BODY}")
    assert note.location is None


@pytest.mark.parametrize(
    "preface, place",
    [
        ("The following is the text of a joint statement by the Governments of the United States and Iceland "
         "following their strategic dialogue in Reykjavik, Iceland on April 26.", "Reykjavik, Iceland"),
        ("Representatives of the Arab League, Egypt, France and the United States met in Washington D.C. on March 3 "
         "to discuss the ongoing crisis in Syria.", "Washington, D.C."),
    ],
)
def test_a_releases_preface_before_begin_text_says_where_the_statement_was_made(preface: str, place: str) -> None:
    found = meta(f"Joint Statement\n\nOffice of the Spokesperson\n\n{preface}\n\nBegin Text:\n\n{BODY}\n\nEnd text.")
    assert found.location.value == place


def test_the_statement_after_begin_text_is_the_opening() -> None:
    found = meta("Eighth Annual High-Level Dialogue Joint Statement\n\nOffice of the Spokesperson\n\nThe text of the "
                 "following statement was released by the Government of the United States of America and the African "
                 "Union Commission on the occasion of the Dialogue.\n\nBegin Text:\n\nThe United States and the "
                 "Commission convened the Eighth Annual High-Level Dialogue on March 11 in Washington, D.C. "
                 f"{BODY}")
    assert found.location.value == "Washington, D.C."


def test_a_meeting_virtually_convened_is_virtual() -> None:
    found = meta(f"Joint Statement\n\nOn June 2, the two countries virtually convened the second meeting of the Working "
                 f"Group. {BODY}")
    assert found.location.value == "Virtual"


@pytest.mark.parametrize("heading", ["Advisory Council Meeting on Thursday, April 7, 2022",
                                     "Advisory Council Meeting on April 7, 2022"])
def test_a_heading_naming_a_meeting_on_a_day_gives_the_meetings_date_not_the_date_of_issue(heading: str) -> None:
    found = meta(f"{heading}\n\nThe Advisory Council of the Department of State will hold its winter meeting at "
                 f"10 a.m. {BODY}")
    assert found.title.value == heading
    assert found.date is None
    assert found.event_date.value.complete() == dt.date(2022, 4, 7)


def test_a_heading_closing_on_its_date_after_a_summit_is_still_dated_by_it() -> None:
    found = meta(f"Joint Statement on the Leaders' Summit, May 24, 2022\n\n{BODY}")
    assert found.date.value.complete() == dt.date(2022, 5, 24)


def test_a_sentence_introducing_the_text_with_a_colon_is_the_opening_not_a_header_line() -> None:
    found = meta("Strategic Partnership Joint Declaration\n\nThe leaders of the two countries met in Jerusalem on 14 "
                 "July 2022, and adopted the following Joint Declaration on their Strategic Partnership:\n\n"
                 f"{BODY}")
    assert found.location.value == "Jerusalem"
    assert found.event_date.value.complete() == dt.date(2022, 7, 14)


def test_a_heading_ending_on_a_colon_is_still_a_heading() -> None:
    found = meta("Joint Statement of the Leaders of the United States and Japan on the Following Shared Principles:"
                 f"\n\n{BODY}")
    assert found.title.value.startswith("Joint Statement of the Leaders")


@pytest.mark.parametrize("opening", [
    "President Biden hosted the President of Mexico on March 1 for a virtual bilateral meeting to review cooperation.",
    "At a virtual ceremony, Romania became the 16th nation to sign the Accords.",
])
def test_a_meeting_or_ceremony_held_virtually_is_virtual_however_the_sentence_puts_it(opening: str) -> None:
    found = meta(f"Joint Declaration\n\n{opening} {BODY}")
    assert found.location.value == "Virtual"


def test_a_virtual_meeting_ahead_is_no_place() -> None:
    found = meta(f"Joint Declaration\n\nThe leaders look forward to a virtual meeting next month. {BODY}")
    assert found.location is None


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("this twenty-seventh day of September, in the year of our Lord two thousand twenty-four",
         dt.date(2024, 9, 27)),
        ("Done at Lima, this fifth day of May, 2022.", dt.date(2022, 5, 5)),
        ("SIGNED THIS THIRTY-FIRST DAY OF MARCH TWO THOUSAND AND TWENTY-THREE", dt.date(2023, 3, 31)),
        ("this 1st day of July, in the year nineteen hundred and ninety-nine", dt.date(1999, 7, 1)),
        ("the twelfth day of June, nineteen ninety-eight", dt.date(1998, 6, 12)),
        ("this twenty\u2011first day of June, two thousand twenty\u2011six", dt.date(2026, 6, 21)),  # U+2011 hyphens
        ("the thirtieth day of February, two thousand twenty", None),  # no such day
        ("the fifth day of the conference, in May", None),
    ],
)
def test_dates_written_out_in_words_are_read(written: str, date: dt.date | None) -> None:
    found = [m.date.complete() for m in find_dates(written) if m.date.year]
    assert found == ([date] if date else [])


PROCLAMATION_CLOSING = (
    "NOW, THEREFORE, I, JOSEPH R. BIDEN JR., President of the United States of America, do hereby proclaim "
    "October 2022 as National Character Counts Month.\n\n"
    "IN WITNESS WHEREOF, I have hereunto set my hand this fourteenth day of October, in the year of our Lord "
    "two thousand twenty-two, and of the Independence of the United States of America the two hundred and "
    "forty-seventh.\n\nJOSEPH R. BIDEN JR."
)


def test_a_proclamation_signing_itself_on_this_day_is_dated_by_it() -> None:
    found = meta(f"A Proclamation on National Character Counts Week, 2022\n\n{BODY}\n\n{PROCLAMATION_CLOSING}")
    assert found.date.value == PartialDate(10, 14, 2022)
    assert found.date.source == "closing sentence"


def test_a_date_the_closing_only_mentions_in_words_does_not_date_the_statement() -> None:
    mentioned = "The treaty was signed on the fifth day of May, two thousand twenty-two, in Lima."
    assert meta(f"Joint Statement on Chad\n\n{BODY}\n\n{mentioned}").date is None


def test_an_opening_reciting_what_was_signed_long_before_the_date_of_issue_is_no_event() -> None:
    # "On June 3, 2021, I signed Proclamation 10773": the history a proclamation of October 2022
    # recites. A meeting reported in the opening is held days before the statement is issued.
    recital = ("On June 3, 2021, I signed Proclamation 10773 (Securing the Border). That proclamation suspended "
               "and limited the entry of certain noncitizens into the United States.")
    found = meta(f"A Proclamation on Amending Proclamation 10773\n\n{recital}\n\n{PROCLAMATION_CLOSING}")
    assert found.date.value == PartialDate(10, 14, 2022) and found.event_date is None
    recent = recital.replace("June 3, 2021", "October 12, 2022")
    found = meta(f"A Proclamation on Amending Proclamation 10773\n\n{recent}\n\n{PROCLAMATION_CLOSING}")
    assert found.event_date.value == PartialDate(10, 12, 2022)


def test_a_proclamation_signed_before_its_annex_is_dated_by_its_signing_sentence() -> None:
    annex = "\n\n".join(f"Affected Facility/Source: Unit {n}, Ohio" for n in range(1, 13))
    found = meta(f"Regulatory Relief for Certain Stationary Sources\n\n{BODY}\n\n{PROCLAMATION_CLOSING}\n\n"
                 f"ANNEX I\n\n{annex}")
    assert found.date.value == PartialDate(10, 14, 2022)


def test_an_orders_signature_block_before_its_annex_dates_it() -> None:
    signature = "DONALD J. TRUMP\n\nTHE WHITE HOUSE,\n\nSeptember 5, 2025."
    annex = ("ANNEX I\n\nEffective with respect to goods entered for consumption on or after 12:01 a.m. eastern "
             "daylight time on September 8, 2025, the Harmonized Tariff Schedule is modified as follows, for each "
             "heading listed below and for every subheading that the heading holds in its chapter.\n\n") * 3
    found = meta(f"Modifying the Scope of Reciprocal Tariffs\n\n{BODY}\n\n{signature}\n\n{annex}")
    assert found.date.value == PartialDate(9, 5, 2025)


def test_an_appendix_heading_above_the_signature_leaves_the_signature_its_date() -> None:
    found = meta(f"Implementing Schedule Policy/Career\n\n{BODY}\n\nAPPENDIX\n\nDONALD J. TRUMP\n\nTHE WHITE HOUSE,\n\n"
                 "June 3, 2026.")
    assert found.date.value == PartialDate(6, 3, 2026)
