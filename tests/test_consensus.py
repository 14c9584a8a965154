"""The kept copy made good by its other copies: a damaged or outvoted word is read as they read it."""

from __future__ import annotations

from commclean.assemble.consensus import consensus_text

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
    uk = CLEAN.replace("labor", "labour").replace("U.S.", "US")
    assert consensus_text(uk, [CLEAN], ZIPF) == (uk, 0)
    assert consensus_text(uk, [CLEAN, CLEAN], ZIPF) == (CLEAN, 2)
    assert consensus_text(CLEAN, [uk, uk], ZIPF) == (CLEAN.replace("labor", "labour"), 1)  # "US" is poorer
    assert consensus_text(uk, [CLEAN, uk], ZIPF) == (uk, 0)


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
