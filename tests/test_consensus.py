"""The kept copy made good by its other copies: a damaged or outvoted word is read as they read it."""

from __future__ import annotations

from commclean.assemble.consensus import consensus_text
from commclean.assemble.rows import fuse_metadata
from commclean.records import Field, Metadata, RawFile, SourceDoc

ZIPF = 1.0  # RepairConfig.ocr_unknown_zipf, as the pipeline passes it
CLEAN = ("The Ministers welcomed the labor of the liberated areas.\n\n"
         "They recalled Russia’s obligations under the U.S.-Ukraine charter.")


def test_an_ocr_misread_in_the_kept_copy_is_read_as_a_clean_cut_off_copy_reads_it() -> None:
    ocr = CLEAN.replace("liberated", "1iberated").replace("welcomed", "welcorned")
    cut_off = CLEAN[:60]
    text, replaced = consensus_text(ocr, [cut_off], ZIPF)
    assert text == CLEAN
    assert replaced == 2
    assert "\n\n" in text  # the kept copy's paragraphs stay


def test_straight_quotes_of_an_ocr_copy_take_the_curly_ones_of_the_others() -> None:
    text, _ = consensus_text(CLEAN.replace("’", "'"), [CLEAN], ZIPF)
    assert text == CLEAN


def test_a_respelling_is_replaced_only_when_two_other_copies_agree_on_the_other_reading() -> None:
    uk = CLEAN.replace("labor", "labour")
    assert consensus_text(uk, [CLEAN], ZIPF) == (uk, 0)
    assert consensus_text(uk, [CLEAN, CLEAN], ZIPF) == (CLEAN, 1)
    assert consensus_text(CLEAN, [uk, uk], ZIPF) == (uk, 1)
    assert consensus_text(uk, [CLEAN, uk], ZIPF) == (uk, 0)


def test_marks_the_kept_copy_lost_come_back_when_as_many_copies_have_them_as_lack_them() -> None:
    lost = CLEAN.replace("U.S.", "US")
    assert consensus_text(lost, [CLEAN], ZIPF) == (CLEAN, 1)
    assert consensus_text(lost, [CLEAN, lost], ZIPF) == (lost, 0)  # two copies without, one with
    assert consensus_text(lost, [CLEAN, CLEAN, lost], ZIPF) == (CLEAN, 1)
    kept = "Minister Fernandez welcomed the delegation."
    assert consensus_text(kept, [kept.replace("Fernandez", "Fernández")], ZIPF)[0] == kept.replace("Fernandez", "Fernández")


def test_different_words_and_clean_names_are_never_replaced() -> None:
    edited = CLEAN.replace("Ministers", "Leaders").replace("welcomed", "noted")
    assert consensus_text(CLEAN, [edited, edited], ZIPF) == (CLEAN, 0)
    assert consensus_text(CLEAN, [], ZIPF) == (CLEAN, 0)


def test_a_rare_spelling_of_the_kept_copy_is_no_damage() -> None:
    uk = "Coalition members support stabilisation and stabilise the liberated areas."
    us = uk.replace("stabilisation", "stabilization").replace("stabilise", "stabilize")
    assert consensus_text(uk, [us], ZIPF) == (uk, 0)


def test_a_majority_never_takes_characters_away_from_the_kept_copy() -> None:
    kept = "Minister Fernández welcomed the U.S. delegation and the progress."
    poorer = "Minister Fernandez welcomed the US delegation and the progress"
    assert consensus_text(kept, [poorer, poorer], ZIPF) == (kept, 0)


def _copy(path: str, title: str, rank: int = 0) -> SourceDoc:
    raw = RawFile(path, "/raw/" + path, 100, path)
    return SourceDoc(raw, "utf-8", title, (), False, Metadata(title=Field(title, "heading", rank)))


def test_a_title_two_copies_read_alike_outvotes_the_kept_copys_but_never_takes_its_marks_away() -> None:
    dotted, plain = "Meeting of the U.S.-Spain Working Group", "Meeting of the US-Spain Working Group"
    slip = "Meeting of the U.S.-Spain Working Gronp"
    assert fuse_metadata([_copy("a", slip), _copy("b", dotted), _copy("c", dotted)]).title == dotted
    assert fuse_metadata([_copy("a", plain), _copy("b", dotted)]).title == dotted
    assert fuse_metadata([_copy("a", dotted), _copy("b", plain)]).title == dotted
    # Re-spelled copies lose dots, none adds them: as in the text, a majority takes no marks away.
    assert fuse_metadata([_copy("a", dotted), _copy("b", plain), _copy("c", plain)]).title == dotted
    assert fuse_metadata([_copy("a", plain), _copy("b", plain), _copy("c", dotted)]).title == dotted
    # Other words are no lost marks: the canonical copy keeps its reading.
    assert fuse_metadata([_copy("a", plain), _copy("b", "Meeting of the U.K.-Spain Working Group")]).title == plain
    # A more reliable source beats any number of marks.
    assert fuse_metadata([_copy("a", plain, rank=0), _copy("b", dotted, rank=1)]).title == plain


def test_a_title_keeps_the_dash_and_curly_quotes_that_ocr_and_plain_text_copies_lost() -> None:
    printed = "United States – Aotearoa New Zealand Leaders’ Joint Statement"
    flattened = "United States - Aotearoa New Zealand Leaders' Joint Statement"
    assert fuse_metadata([_copy("a", flattened), _copy("b", flattened), _copy("c", printed)]).title == printed
    # A copy without the dash at all reads other words, not the same with marks.
    hyphen = "United States - Aotearoa New Zealand Joint Statement"
    assert fuse_metadata([_copy("a", hyphen), _copy("b", "United States Aotearoa New Zealand Joint Statement")]).title == hyphen


def test_a_dash_the_kept_copy_lost_comes_back_in_the_text_as_marks_do() -> None:
    printed = "The United States – Ukraine charter was renewed."
    flattened = printed.replace("–", "-")
    assert consensus_text(flattened, [printed], ZIPF) == (printed, 1)
    assert consensus_text(printed, [flattened, flattened], ZIPF) == (printed, 0)
