"""Properties over arbitrary input: decode and repair never raise, never lose the text's meaning
to U+FFFD, and every file ends as a document or a quarantine reason."""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from commclean.config import DecodeConfig, RepairConfig
from commclean.dedup.clusters import _dated_months, _raw_tokens
from commclean.ingest.decode import decode_bytes
from commclean.metadata import places
from commclean.metadata.dates import _FIGURES_JOINED, signed_this_day
from commclean.metadata.extract import _on_one_line
from commclean.records import RawFile
from commclean.repair.lexicon import count_unknown_words, known_words
from commclean.repair.ocr import _ANY_SPECKS, _specks_inside_words
from commclean.repair.paragraphs import _WORD, _LazyVocabulary
from commclean.repair.steps import _MOJIBAKE, _SIMPLE_FIXERS, _SIMPLE_TRACES, _has_mojibake, repair_text

RAW = RawFile("x.txt", "/nonexistent/x.txt", 0, "")
REPLACEMENT_ENCODINGS = ("\ufffd".encode("utf-8"), "\ufffd".encode("utf-16-le"), "\ufffd".encode("utf-16-be"))
# CI runs the default; a longer campaign sets COMMCLEAN_FUZZ_EXAMPLES (see benchmarks/RESULTS.md).
EXAMPLES = int(os.environ.get("COMMCLEAN_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

prose = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\n  .,’“”–"),
    min_size=0,
    max_size=600,
)


def _holds_utf8_sequences(data: bytes) -> bool:
    return not data.decode("utf-8", errors="ignore").isascii()


def _had_replacement(data: bytes) -> bool:
    return any(marker in data for marker in REPLACEMENT_ENCODINGS)


@FUZZ
@given(st.binary(max_size=4096))
def test_any_bytes_give_a_text_or_a_reason_never_an_exception(data: bytes) -> None:
    decoded = decode_bytes(RAW, data, DecodeConfig(min_document_chars=1))
    assert (decoded.text is None) != (decoded.quarantine_reason is None)
    if decoded.text is not None:
        assert "\ufffd" not in decoded.text or _had_replacement(data)


@FUZZ
@given(prose, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
def test_unicode_text_round_trips_through_every_unicode_encoding(text: str, encoding: str) -> None:
    text = "The Ministers met today. " + text  # ASCII lead: UTF-16 without a BOM shows its NULs
    if encoding in ("utf-16-le", "utf-16-be"):
        # Without a BOM only the NUL high bytes of mostly-Latin text identify UTF-16.
        assume(sum(ord(ch) > 0xFF for ch in text) < 0.1 * len(text))
    decoded = decode_bytes(RAW, text.encode(encoding), DecodeConfig(min_document_chars=1))
    if decoded.quarantine_reason is None:
        assert decoded.text == text
    else:
        assert decoded.quarantine_reason in {"not text (control characters)", "whitespace only"}


@FUZZ
@given(st.text(alphabet=st.characters(codec="cp1252", exclude_categories=("Cc",)), min_size=1, max_size=400))
def test_cp1252_text_decodes_to_itself(text: str) -> None:
    text = "The Ministers’ statement: " + text
    data = text.encode("cp1252")
    # cp1252 bytes that also form valid UTF-8 ("Â\xa0" is C2 A0) cannot be told apart; real text
    # never holds those pairs, and UTF-8 is the right reading of such bytes.
    assume(not _holds_utf8_sequences(data))
    decoded = decode_bytes(RAW, data, DecodeConfig(min_document_chars=1))
    if decoded.quarantine_reason is None:
        assert decoded.text == text


@FUZZ
@given(prose)
def test_repair_never_raises_and_never_adds_replacement_characters(text: str) -> None:
    once = repair_text(text, RepairConfig())
    assert "\ufffd" not in once.text or "\ufffd" in text


@FUZZ
@given(prose.filter(lambda t: not set(t) & set("#*_$\\`[]<>&")))
def test_repairing_repaired_text_changes_nothing(text: str) -> None:
    # Markup characters are left out: "#\na" unwraps to "# a", which is then a markdown heading.
    once = repair_text(text, RepairConfig())
    assert repair_text(once.text, RepairConfig()).text == once.text


@FUZZ
@given(prose | st.text(alphabet="aZé.-’ 9\n\tſ℃Ⅻ", max_size=200))
def test_matching_tokens_are_the_runs_of_digits_and_lower_case_letters_of_the_folded_text(text: str) -> None:
    # What "a word" is for matching, written as the plain definition the fast tokenizer must keep:
    # lower-cased, accents and other non-ASCII dropped (NFKD), full stops removed, then the runs
    # of [0-9a-z].
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    assert _raw_tokens(text) == re.findall(r"[0-9a-z]+", folded.replace(".", ""))


@FUZZ
@given(prose | st.text(alphabet="abZé’-'. \nſ", max_size=200))
def test_unknown_words_are_all_lower_case_ascii_runs_of_two_or_more_letters(text: str) -> None:
    words = set(re.findall(r"(?<![A-Za-z])[a-z]{2,}(?![A-Za-z])", text))
    for min_zipf in (1.0, 6.0):  # at 6, single letters and most words are unknown too
        assert count_unknown_words(text, min_zipf) == len(words - known_words(min_zipf))


words_and_marks = st.text(alphabet=st.sampled_from("ab-\u2010 \n.é1"), max_size=80)


@FUZZ
@given(words_and_marks, st.lists(st.from_regex(r"[abé]{1,3}(?:[-\u2010][abé]{1,3}){0,2}", fullmatch=True), max_size=80))
def test_a_documents_vocabulary_counts_whole_words_one_by_one_as_in_one_pass(text: str, asked: list[str]) -> None:
    # Found one by one for the first words asked, counted in one pass past them: the same answers
    # (a word is asked for as de-hyphenation forms one: letters, perhaps joined by hyphens).
    vocabulary = _LazyVocabulary(text)
    whole_words = Counter(_WORD.findall(text.lower()))
    assert [vocabulary[word] for word in asked] == [whole_words[word] for word in asked]


def test_a_word_found_in_many_places_is_counted_in_one_pass_with_the_same_answer() -> None:
    text = "a-a " * 600 + "aa a " * 700 + "Ba, ab."
    vocabulary, whole_words = _LazyVocabulary(text), Counter(_WORD.findall(text.lower()))
    assert [vocabulary[word] for word in ("a", "aa", "a-a", "ba", "ab")] == [whole_words[w] for w in ("a", "aa", "a-a", "ba", "ab")]
    assert vocabulary["a"] == 700


# The per-file scans written for speed say the same as the plain patterns they stand for: each
# plain pattern below is the specification, the module's form the fast one (one that opens on a
# literal is searched for as a string; one that opens on \b or a class tries every position).
def pieces(*words: str, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(words), max_size=max_size).map("".join)


places_text = pieces("in ", "at ", "to ", "visited ", "Paris", "New York", ", ", "D.C.", "of ", "xin ", "bat ", "Lima",
                     "-", "’", "\n", " ", max_size=20)


@FUZZ
@given(places_text)
def test_places_after_in_at_to_and_visited_are_found_where_the_word_boundary_patterns_find_them(text: str) -> None:
    for fast, plain in ((places._IN_PLACE, rf"\b(?:in|at) (?P<place>{places.PLACE})"),
                        (places._TO_PLACE, rf"\bto (?P<place>{places.PLACE})"),
                        (places._VISITED, rf"\bvisit(?:ed|s|ing) (?P<place>{places.PLACE})")):
        assert [m.span("place") for m in fast.finditer(text)] == [m.span("place") for m in re.finditer(plain, text)]


@FUZZ
@given(prose | st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u3000\u200bab.", max_size=40))
def test_a_sentence_on_one_line_has_each_run_of_white_space_as_one_space(text: str) -> None:
    assert _on_one_line(text) == re.sub(r"\s+", " ", text)


specks_text = st.text(alphabet=st.sampled_from("ab.: 12-/éZ\n"), max_size=60)


@FUZZ
@given(specks_text)
def test_marks_between_words_and_joined_figures_are_found_as_one_class_finds_them(text: str) -> None:
    assert [m.span() for m in _specks_inside_words(text)] == \
        [m.span() for m in re.finditer(r"[.:](?<=[a-z]{2}[.:])(?=[a-z]{2})", text)]
    assert any(speck.search(text) for speck in _ANY_SPECKS) == bool(re.search(r"[.:] ?[a-z]", text))
    assert any(joined.search(text) for joined in _FIGURES_JOINED) == bool(re.search(r"\d[-/.]\d", text))


months_text = pieces("May", "March", "June ", " 5", "xMay 1", ", ", "Mayor ", "\n", "12", max_size=12)


@FUZZ
@given(months_text)
def test_months_in_a_date_are_those_the_one_pattern_of_all_months_finds(text: str) -> None:
    months = "january february march april may june july august september october november december".split()
    plain = re.compile(rf"({'|'.join(m.title() for m in months)})\s+\d")
    expected = {m[1].lower() for m in plain.finditer(text) if not m.start() or not (text[m.start() - 1].isalnum()
                                                                                   or text[m.start() - 1] == "_")}
    assert _dated_months(text, set(months)) == expected


@FUZZ
@given(prose | st.text(alphabet="Ã©â€™Â éﬁ\x85\u3000\ufffd&a", max_size=40))
def test_traces_of_mojibake_and_of_the_simple_fixers_are_seen_as_their_own_patterns_see_them(text: str) -> None:
    assert _has_mojibake(text) == bool(_MOJIBAKE.search(text))
    assert bool(_SIMPLE_TRACES.search(text)) == any(trace.search(text) for trace, _ in _SIMPLE_FIXERS)


@FUZZ
@given(pieces("this ", "THIS ", "fifth ", "DAY ", "day ", "dAy ", "of", "\n", max_size=12))
def test_a_signature_dated_this_day_of_is_found_in_any_case(text: str) -> None:
    assert signed_this_day(text) == bool(re.search(r"\bthis\s+\S+\s+day\s+of\b", text, re.IGNORECASE))
