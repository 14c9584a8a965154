"""A text that stops mid-sentence is truncated; a complete one is not."""

import pytest

from commclean.dedup.truncation import ends_mid_sentence

from conftest import SHARED


def state_table(states: list[str]) -> str:
    """A table of figures by state as a converter flattens it into one paragraph."""
    return "State Households Children " + " ".join(
        f"{state} {1_000 + 37 * i:,} {200 + 11 * i:,}" for i, state in enumerate(states))


@pytest.mark.parametrize(
    "text",
    [
        "in all its forms and manifestations. to maintain",
        "The Ministers reaffirmed their commitment to the",
        "Begin text:",
        "We call on all parties,",
        "The Ministers met in Rome and agreed to the.",
        "The Ministers met in Rome.\n\nThe United States and",
        "The Ministers met in Rome.\n\nBoth delegations also addressed the need to promote",
        # Cut just after a paragraph break: the first words of a sentence, capitalised or not.
        "The Ministers met in Rome.\n\nThe Human Rights",
        "The Ministers met in Rome.\n\nPresident",
        "The Ministers met in Rome.\n\nWe",
        "The Ministers met in Rome.\n\nToday’s",
        "The Ministers met in Rome.\n\nThrough the Bicentennial",
        "The Ministers met in Rome.\n\n7. The United",
        "The Ministers met in Rome.\n\nCLIMATE, ENERGY, ENVIRONMENT,",
        "The Ministers met in Rome.\n\nFinally, Federal",
        "The Ministers met in Rome.\n\nWhen Prime Minister",
        # A heading or an item opening on a gerund, cut: no signature opens so.
        "The Ministers met in Rome.\n\nLaunching the White House Campaign for Environmental",
        "The Ministers met in Rome.\n\nEnsuring Compliance",
        # A sentence that leads into a list, then one line: the list was cut after its first item.
        "The Ministers met in Rome.\n\nParticipants included representatives from:\n\n"
        "National Asian Pacific American Women’s Forum",
        # A title and a bare surname name a sentence's subject; a signature gives the full name.
        "The Ministers met in Rome.\n\nPrime Minister Kishida and President Biden",
        "The Ministers met in Rome.\n\nPresident Biden and Chancellor",
        "The Ministers met in Rome.\n\nDr. Sherwood-Randall",
        "May we all be inscribed in the Book of Life.\n\nJill and I",
        # A short copy cut in its first paragraph: what follows a lead-in is neither a list nor a signature.
        "Secretary Blinken’s Meeting with Foreign Minister Retno\n\nThe below is attributable to the "
        "Spokesperson:\n\nSecretary of State Antony J. Blinken met today in Jakarta with Foreign Minister",
        "Deputy Secretary Sherman’s Meeting with Minister Kishi\n\nThe following is attributable to the "
        "Spokesperson:\n\nDeputy Secretary of State",
        # A full stop that ends a title or an adjective, not a sentence.
        "The Secretary met with Dr.",
        "The Ministers welcomed the Council's Resolution No.",
        "Through the Initiative, the U.S.",
        # Brackets that close no sentence: a name's acronym, or an aside cut before it closes.
        "The Ministers met the Association of Southeast Asian Nations (ASEAN)",
        "We will protect our lands. [Statement",
        # A link's text is a last line only once it names what it links to.
        "The Ministers met in Rome.\n\nLearn more about the",
        # Only an annex heading last is left out: a text cut inside its annex is cut.
        "This proclamation takes effect today.\n\nDONALD J. TRUMP\n\nANNEX I\n\nThe Harmonized Tariff "
        "Schedule is modified as follows for each heading listed below and for the",
        "The Ministers met in Rome.\n\nAnnex I of this proclamation is amended to read as",
        "The Ministers met in Rome. Read more",
        # An end mark is the text's last words, not the first ones of a sentence.
        "The Ministers met in Rome. END of the",
        "The Ministers met in Rome. END 7:52 P.M. EDT and the",
        "The Ministers met in Rome.\n\nSource: the",
        # A valediction is followed by a signature, not by a sentence cut off.
        "We will respond.\n\nSincerely,\n\nWe also note that the Committee has asked for further records and that",
        "We will respond.\n\nSincerely,\n\nDana A. Remus\n\nCounsel to the",
    ],
)
def test_cut_off_texts_are_truncated(text: str) -> None:
    assert ends_mid_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Ministers met in Rome.",
        "Will the Coalition act?",
        "He said: “We will prevail.”",
        "The meeting ended (as planned).",
        "We remain united!\n\n",
        "We remain united.\n\nJoseph R. Biden, Jr.\n\nOlaf Scholz\n\nJuly 15, 2021",
        "We remain united.\n\nMinister of Foreign Affairs of the Republic of Korea",
        "We remain united.\n\n###",
        "We remain united.\n\nPresident Joseph R. Biden, Jr. of the United States of America",
        "We remain united.\n\nENDS",
        "We remain united.\n\nSee Also:\n\nAccompanying Chair’s Statement",
        # corpus-extra's APEC statement ends on a web page's links, a list under labels.
        "We remain united.\n\nAnnex:\n\nSan Francisco Principles on Integrating Inclusivity and Sustainability into "
        "Trade and Investment Policy\n\nSee Also:\n\nAccompanying Chair’s Statement",
        "We will shape the region we all want to live in.",
        "The Ministers adopted the work plan set out in Annex A.",
        "These are the challenges we will work on.",
        "We remain united.\n\nAmbassador Odo Tevi of the Republic of Vanuatu",
        "We remain united.\n\nFumio Kishida\nPrime Minister of Japan",
        "We remain united.\n\nDr. Elizabeth Sherwood-Randall\nDeputy Secretary of Energy",
        "We remain united.\n\nOlaf Scholz, Chancellor, and Joseph R. Biden, President",
        "Joint Statement on Climate\n\nWe will halve emissions by 2030.\n\nJoseph R. Biden\n\nEmmanuel Macron",
        "The Minister was received at the White House in Washington, D.C.",
        "The Ministers met in Rome.\n\nThe partners agreed on three priorities:\n\nStrengthening resilience\n\n"
        "Expanding clean energy\n\nDeepening ties",
        # A source or a stage direction in brackets after the last sentence.
        "“We will protect our public lands for generations.” [Statement, 9/20/2023]",
        "Thank you, everybody. (Applause)",
        # A transcript's end mark, and the time it ended, joined to its last sentence.
        "Thank you all. END 7:52 P.M. EDT",
        "God bless you. (Applause.) END",
        "We remain united. ###",
        # A letter signs off after its valediction, whatever words the signer's office holds.
        "We will respond accordingly.\n\nSincerely,\n\nDana A. Remus\n\nCounsel to the President",
        "We look forward to your reply.\n\nRespectfully yours,\n\nAssistant to the President for National Security",
        # What an annex heading opens is attached to a statement that ended before it: its list,
        # or only the link to it.
        "This proclamation takes effect today.\n\nDONALD J. TRUMP\n\nAnnex",
        "This proclamation takes effect today.\n\nDONALD J. TRUMP\n\nANNEX I\n\nThe facilities are:\n\n"
        "i. Minorca Mine, Minnesota\n\nii. Tilden Mine, Michigan",
    ],
)
def test_complete_texts_are_not_truncated(text: str) -> None:
    assert not ends_mid_sentence(text)


def test_no_clean_dev_statement_is_called_truncated() -> None:
    gold = sorted((SHARED / "corpus-dev").glob("*.txt"))
    assert gold, "../shared/corpus-dev is not beside this checkout"
    flagged = [p.name for p in gold if ends_mid_sentence(p.read_text(encoding="utf-8"))]
    assert flagged == []


@pytest.mark.parametrize(
    "text",
    [
        "The partners agreed on three priorities:\n\nStrengthening democratic resilience\n\n"
        "Expanding clean energy cooperation\n\nDeepening people-to-people ties",
        "The full report is available at https://www.state.gov/reports/annual-report/",
        # A label may head a single line: a web page's "See also:" and a link's text.
        "Leaders exchanged views on the crisis.\n\nSee Also:\n\nGolden Gate Leaders’ Declaration",
        "Funding is available at InternetForAll.Gov.",
        "FOR MORE INFORMATION, CONTACT THE FEMA NEWS DESK AT (202) 646-3272 OR FEMA-NEWS-DESK@FEMA.DHS.GOV",
        # A web page's last line, a link's text.
        "We will end cancer as we know it.\n\nLearn more about the U.S.-Africa Partnership on Cancer Research",
        "Enrollment rose in every state.\n\nWyoming 33 Washington, D.C. 168\n\nSource: 50 State Plans Submitted to CMS",
        # A list of governors, each with the state's code in brackets: "(IN)" is Indiana, no "in".
        "The Council of Governors met today.\n\nGovernor Mark Gordon (WY)\n\nGovernor Michelle Lujan Grisham "
        "(NM)\n\nGovernor Eric Holcomb (IN)",
        # ... or the sentence pointing to it, whose last words are the link.
        "The plan invests $213 billion in housing.\n\nTo view this fact sheet in your browser, click here",
        # A footnote's or an end mark after the last sentence.
        "Details will be released in the coming days. *",
        "Details will be released in the coming days. ###",
        # A list's items may each be a sentence long without a full stop: a schedule, a delegation.
        "The Deputy Secretary will travel to Brussels and Vienna.\n\n"
        "January 11: Deputy Secretary Sherman will meet with the Head of Cabinet of the President of the European "
        "Commission and the Secretary General of the European External Action Service in Brussels\n\n"
        "January 12: Deputy Secretary Sherman will lead the U.S. Delegation to the NATO-Russia Council meeting at "
        "NATO Headquarters in Brussels with the Permanent Representatives of the Allies and the Russian Federation\n\n"
        "January 13: Ambassador Carpenter will participate in the OSCE Permanent Council meeting on Russia and "
        "Ukraine with the representatives of the participating States and the Chairman-in-Office in Vienna",
        # A table the converter flattened into a paragraph ends on its last row's figure.
        "Funding reached every state. The table below gives the totals by state.\n\n"
        + state_table(["Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Puerto Rico", "Rhode Island", "South Carolina",
                       "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Wisconsin", "Wyoming"]),
        "Funds were awarded to institutions in every state. The chart below provides the breakdown.\n\n"
        "State Total Funds " + " ".join(f"{code} ${(i + 3) * 7_919_411:,}" for i, code in enumerate(
            ["AR", "AZ", "CA", "CO", "CT", "DC", "FL", "GA", "ID", "IL", "IN", "KS", "MA", "MD", "MN"]))
        + " Grand Total $16,635,088,533",
    ],
)
def test_a_list_or_an_address_may_end_a_statement(text: str) -> None:
    assert not ends_mid_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        # Figures in a sentence cut off are no table's row: most of its words are words.
        "The Fund grew in 2023.\n\nThe Fund grew from 12 to 40 members between 2019 and 2023, raising 1.2 "
        "billion dollars in 2021, 2.4 billion dollars in 2022 and 3.1 billion dollars in 2023 from the 16 donors "
        "who pledged in 2019 to the 30",
        # Items that end on a semicolon go on until one ends on a full stop.
        "The partners committed to the following actions:\n\nSharing information on illicit wallets used by "
        "ransomware actors with all members;\n\nLaunching a project to leverage artificial intelligence;\n\n"
        "Committing to assist any member facing an attack on its critical infrastructure",
        # Items hold no sentence that another follows: that is a paragraph cut off (a copy's line
        # breaks may have split it in three).
        "Laurence R. Helfer Elected to the UN Human Rights Committee\n\nWe extend our congratulations to "
        "Professor Laurence R. Helfer on his election today to serve as an independent expert on the\n\nUN "
        "Human Rights Committee for the 2023-2026 term. Professor Helfer is a distinguished scholar, lecturer, "
        "and professor of international human rights law, and will bring to this Committee a passion to protect",
        # A bracket opened and cut before it closes is no abbreviation.
        "The Council of Governors met today.\n\nGovernor Mark Gordon (WY)\n\nGovernor Eric Holcomb (IN",
        # A sentence cut before its link is no pointer to one.
        "The plan invests $213 billion in housing.\n\nTo view this fact sheet in your browser, click",
        # Nor is a table whose last row was cut before its figures.
        "Funding reached every state.\n\n"
        + state_table(["Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "Tennessee", "Texas", "Utah",
                       "Vermont", "Virginia", "Wisconsin"]) + " Wyoming",
    ],
)
def test_figures_or_items_that_end_no_table_or_list_leave_a_text_cut(text: str) -> None:
    assert ends_mid_sentence(text)


def test_a_list_numbered_in_roman_numerals_ends_a_statement() -> None:
    # "vi." numbers the item; it ends no sentence that "Empire" would open.
    items = "\n\n".join(f"{n}. {mine} Mine, Michigan" for n, mine in zip(["iv", "v", "vi"], ["Minorca", "Tilden", "Empire"]))
    assert not ends_mid_sentence(f"The following facilities are exempted.\n\n{items}")
