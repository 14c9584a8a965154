"""Duplicates as a reader sees them: exact, re-encoded, re-spelled, edited, wrapped and truncated
copies join their document; distinct documents never do, even when they share boilerplate."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from commclean.config import Config
from commclean.dedup.clusters import fingerprint, matching_tokens
from commclean.pipeline import build_candidate
from commclean.records import Candidate
from commclean.schema import corpus_rows

from conftest import GOLD, RAW_SEEDS, shared
from noise import edit_words, media_note_wrapper, respell_uk, truncate

ROME = (RAW_SEEDS / "000_6c5b62fa821d58d1.txt").read_text(encoding="utf-8")
COPENHAGEN = (RAW_SEEDS / "004_180829e56ac5bc96.txt").read_text(encoding="utf-8")
WASHINGTON = (RAW_SEEDS / "002_29dbddc1b0e4f577.txt").read_text(encoding="utf-8")


def raw_folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (raw / name).write_bytes(data)
    return raw


def build(tmp_path: Path, files: dict[str, bytes | str]) -> Candidate:
    return build_candidate(raw_folder(tmp_path, files), Config()).candidate


def status(candidate: Candidate) -> dict[str, tuple[str, str | None, str | None]]:
    doc_of = {row.doc_id: row.source_paths[0] for row in corpus_rows(candidate.built)}
    return {row.path: (str(row.status), doc_of.get(row.doc_id), row.reason) for row in candidate.sources}


def test_matching_folds_spelling_case_punctuation_and_ocr_lookalikes() -> None:
    assert matching_tokens("The U.S. stabilisation Centre") == matching_tokens("the US stabilization center")
    assert matching_tokens("c0operation in Mode1 terms") == matching_tokens("cooperation in Model terms")


def test_exact_and_reencoded_copies(tmp_path: Path) -> None:
    found = status(build(tmp_path, {"a.txt": ROME, "b.txt": ROME, "c.txt": ROME.encode("cp1252")}))
    assert found["a.txt"][0] == "canonical"
    assert found["b.txt"] == ("duplicate", "a.txt", "exact copy")
    assert found["c.txt"] == ("duplicate", "a.txt", "exact copy")


@pytest.mark.parametrize("share", [0.02, 0.05, 0.10])
def test_respelled_and_edited_copy_is_a_near_duplicate(tmp_path: Path, share: float) -> None:
    near = edit_words(respell_uk(ROME), share, seed=1)
    found = status(build(tmp_path, {"a.txt": ROME, "b.txt": near}))
    kind, doc, reason = found["b.txt"] if found["b.txt"][0] == "duplicate" else found["a.txt"]
    assert kind == "duplicate"
    assert reason.startswith("near duplicate (0.")


@pytest.mark.parametrize("share", [0.15, 0.5, 0.8])
def test_truncated_copy_joins_the_complete_document(tmp_path: Path, share: float) -> None:
    candidate = build(tmp_path, {"full.txt": ROME, "cut.txt": truncate(ROME, share)})
    found = status(candidate)
    assert found["full.txt"][0] == "canonical"
    assert found["cut.txt"][:2] == ("duplicate", "full.txt")
    assert found["cut.txt"][2].startswith("truncated copy (contained ")
    (doc,) = corpus_rows(candidate.built)
    assert not doc.is_truncated
    assert next(r for r in candidate.sources if r.path == "cut.txt").is_truncated


def test_a_lone_truncated_copy_is_kept_and_marked_truncated(tmp_path: Path) -> None:
    candidate = build(tmp_path, {"cut.txt": truncate(ROME, 0.5)})
    (doc,) = corpus_rows(candidate.built)
    assert doc.is_truncated


@pytest.mark.parametrize(("copies", "truncated"), [
    ("edited", False),    # two texts that differ, ending on the same words: the statement ends there
    ("encoded", True),    # one text saved twice: no more evidence than one copy
    ("cut apart", True),  # two texts each cut off at its own place
])
def test_copies_that_differ_but_end_alike_end_where_their_statement_does(
        tmp_path: Path, copies: str, truncated: bool) -> None:
    # A fact sheet's last item without its full stop ("… the nation’s water utility workforce")
    # looks cut off in any one copy.
    unstopped = ROME.rstrip().rstrip(".")
    second = {"edited": edit_words(unstopped, 0.03, seed=5), "encoded": unstopped.encode("utf-16"),
              "cut apart": truncate(unstopped, 0.9)}[copies]
    first = truncate(unstopped, 0.95) if copies == "cut apart" else unstopped
    candidate = build(tmp_path, {"a.txt": first, "b.txt": second})
    (doc,) = corpus_rows(candidate.built)
    assert doc.is_truncated == truncated
    assert all(row.is_truncated == truncated for row in candidate.sources)


def test_media_note_wrapped_copy_joins_the_plain_text(tmp_path: Path) -> None:
    wrapped = media_note_wrapper(COPENHAGEN, "Statement of the Political Directors", "January 29, 2020")
    candidate = build(tmp_path, {"plain.txt": COPENHAGEN, "wrapped.txt": wrapped})
    (doc,) = corpus_rows(candidate.built)
    assert sorted(doc.source_paths) == ["plain.txt", "wrapped.txt"]
    duplicate = next(r for r in candidate.sources if r.status == "duplicate")
    assert duplicate.reason.startswith(("contained copy", "wrapped copy", "near duplicate"))


def test_distinct_documents_sharing_boilerplate_paragraphs_stay_apart(tmp_path: Path) -> None:
    boilerplate = "\n\n".join(ROME.split("\n\n")[2:4])
    first = "\n\n".join(COPENHAGEN.split("\n\n")[:3]) + "\n\n" + boilerplate
    second = "\n\n".join(WASHINGTON.split("\n\n")[:4]) + "\n\n" + boilerplate
    found = status(build(tmp_path, {"first.txt": first, "second.txt": second}))
    assert found["first.txt"][0] == found["second.txt"][0] == "canonical"


def test_an_unverified_chain_does_not_join_its_ends(tmp_path: Path) -> None:
    """A~B and B~C are verified near duplicates, A and C are not: C must not join A's document."""
    paragraphs = ROME.split("\n\n")
    # B rewrites a fifth of A (paragraphs 2-3), C a further fifth of B (paragraphs 9-10).
    b_paragraphs = paragraphs[:2] + [edit_words(p, 1.0, seed=2) for p in paragraphs[2:4]] + paragraphs[4:]
    c_paragraphs = b_paragraphs[:9] + [edit_words(p, 1.0, seed=3) for p in paragraphs[9:11]] + b_paragraphs[11:]
    a, b, c = ("\n\n".join(p) for p in (paragraphs, b_paragraphs, c_paragraphs))
    candidate = build(tmp_path, {"a.txt": a, "b.txt": b, "c.txt": c})
    doc_of = {row.path: row.doc_id for row in candidate.sources}
    assert doc_of["a.txt"] != doc_of["c.txt"]
    assert doc_of["b.txt"] in (doc_of["a.txt"], doc_of["c.txt"])
    assert candidate.built.num_rows == 2


def test_canonical_is_the_complete_copy_even_when_the_cut_one_is_cleaner(tmp_path: Path) -> None:
    noisy_full = ROME.replace("’", "â€™").replace("Communiqué", "CommuniquÃ©")
    found = status(build(tmp_path, {"a_cut.txt": truncate(ROME, 0.6), "b_full.txt": noisy_full}))
    assert found["b_full.txt"][0] == "canonical"
    assert found["a_cut.txt"][:2] == ("duplicate", "b_full.txt")


def test_seed_003_is_contained_in_seed_001_after_folding(seeds_candidate: Candidate) -> None:
    row = next(r for r in seeds_candidate.sources if r.path.startswith("003_"))
    contained = float(row.reason.split("contained ")[1].rstrip(")"))
    assert contained >= 0.84


def test_an_edited_truncated_copy_still_joins(tmp_path: Path) -> None:
    cut = edit_words(truncate(ROME, 0.3), 0.05, seed=4)
    found = status(build(tmp_path, {"full.txt": ROME, "cut.txt": cut}))
    assert found["cut.txt"][:2] == ("duplicate", "full.txt")
    assert found["cut.txt"][2].startswith("truncated copy")


def test_of_two_complete_copies_the_one_with_fewer_unknown_words_is_kept(tmp_path: Path) -> None:
    garbled = ROME.replace(" the ", " tbe ", 3).replace("Ministers", "Mjnisters", 2)
    # The garbled copy is longer by a trailing line, so length alone would choose it.
    found = status(build(tmp_path, {"a_garbled.txt": garbled + "\n\nThe meeting closed.", "b_clean.txt": ROME}))
    assert found["b_clean.txt"][0] == "canonical"
    assert found["a_garbled.txt"][:2] == ("duplicate", "b_clean.txt")


ITALY = (Path(__file__).parent / "fixtures" / "gold" /
         "174_2025-04-18_united-states-italy-joint-leaders-statement.txt").read_text(encoding="utf-8")


def _stub(gold: str, dateline: str) -> str:
    """A cut-off copy as scrapers leave them: the title, a White House dateline, one sentence."""
    title, first = gold.split("\n\n")[:2]
    return f"{title}\n\n{dateline}\n\n{first.split(', where')[0]}"


def test_a_copy_too_short_to_stand_alone_joins_its_document_and_lends_it_its_date(tmp_path: Path) -> None:
    stub = _stub(ITALY, "APRIL 18, 2025 • STATEMENTS AND RELEASES")
    assert len("".join(stub.split())) < Config().decode.min_document_chars
    candidate = build(tmp_path, {"full.txt": ITALY, "stub.txt": stub})
    (row,) = corpus_rows(candidate.built)
    ledger = {s.path: s for s in candidate.sources}
    assert ledger["stub.txt"].status == "duplicate" and ledger["stub.txt"].doc_id == row.doc_id
    assert ledger["stub.txt"].is_truncated
    assert str(row.metadata.date) == "2025-04-18" and "stub.txt" in row.metadata.date_source
    assert row.source_paths[0] == "full.txt"


def test_a_short_text_that_matches_no_document_is_quarantined_as_too_short(tmp_path: Path) -> None:
    stub = _stub(ITALY, "APRIL 18, 2025 • STATEMENTS AND RELEASES")
    candidate = build(tmp_path, {"rome.txt": ROME, "stub.txt": stub, "stub copy.txt": stub})
    ledger = {s.path: s for s in candidate.sources}
    for name in ("stub.txt", "stub copy.txt"):
        assert ledger[name].status == "quarantined" and ledger[name].doc_id is None
        assert ledger[name].reason.startswith("too short to be a document")
    assert candidate.built.num_rows == 1


def test_of_copies_all_cut_off_the_longest_is_kept_however_many_repairs_it_needed(tmp_path: Path) -> None:
    words = ITALY.split(" ")
    long_cut = " ".join(words[: int(len(words) * 0.7)])
    noisy_long = long_cut.replace("’", "â€™")  # mojibake: the long copy needs a repair
    short_cut = " ".join(words[: int(len(words) * 0.2)])
    candidate = build(tmp_path, {"a_short.txt": short_cut, "b_long.txt": noisy_long})
    (row,) = corpus_rows(candidate.built)
    assert row.source_paths[0] == "b_long.txt"
    assert row.is_truncated and row.text.startswith(long_cut[:200])
    assert "fix_mojibake" in row.repairs


def test_a_copy_reaching_a_complete_canonical_s_end_is_not_cut_off_by_debris_after_it(tmp_path: Path) -> None:
    debris = ITALY.rstrip() + "\n\nse Cas Lass i bh acid odie tos vad ebvakceg"
    cut = " ".join(ITALY.split(" ")[: len(ITALY.split(" ")) // 2])
    candidate = build(tmp_path, {"clean.txt": ITALY, "ocr.txt": debris, "cut.txt": cut})
    ledger = {s.path: s for s in candidate.sources}
    assert candidate.built.num_rows == 1 and not corpus_rows(candidate.built)[0].is_truncated
    assert not ledger["ocr.txt"].is_truncated
    assert ledger["cut.txt"].is_truncated


def _opening(text: str, words: int) -> str:
    """The title and the first `words` words after it: a copy cut off a sentence or two in."""
    title, _, body = text.strip().partition("\n")
    return f"{title}\n\n{' '.join(body.split()[:words])}"


def test_a_copy_cut_a_sentence_in_joins_its_document_where_the_sparse_sample_misses_it(tmp_path: Path) -> None:
    # One shingle in 8 is sampled over a whole text; a copy of a few lines may hold none, and
    # only the denser sample of every text's opening finds its statement.
    sparse_only = replace(Config().dedup, opening_sample_modulus=Config().dedup.sample_modulus)
    unsampled = {path: max(words for words in range(5, 41) if not len(fingerprint(
                           _opening(path.read_text(encoding="utf-8"), words), sparse_only).samples))
                 for path in GOLD
                 if not len(fingerprint(_opening(path.read_text(encoding="utf-8"), 5), sparse_only).samples)}
    assert len(unsampled) >= 3
    for n, (path, words) in enumerate(unsampled.items()):
        full = path.read_text(encoding="utf-8")
        found = status(build(tmp_path / str(n), {"full.txt": full, "cut.txt": _opening(full, words)}))
        assert found["cut.txt"][:2] == ("duplicate", "full.txt"), (path.name, words)


READOUTS = ("010_2021-05-26_secretary-blinkens-meeting-with-egyptian-president-al-sisi.txt",
            "113_2022-04-18_secretary-blinkens-meeting-with-moldovan-foreign-minister-po.txt")


@pytest.mark.parametrize("words", [15, 25, 40])
def test_a_short_cut_copy_of_a_templated_statement_is_not_taken_for_its_sibling(tmp_path: Path, words: int) -> None:
    # Two readouts of one template ("Secretary Blinken's Meeting with <Minister>. The below is
    # attributable to …"): a copy of the first, cut short, shares most of its words with the
    # second. Attached to it, the first statement would be lost from the corpus.
    egypt, moldova = ((shared("corpus-extra") / name).read_text(encoding="utf-8") for name in READOUTS)
    cut = _opening(egypt, words)
    found = status(build(tmp_path / "alone", {"moldova.txt": moldova, "egypt-cut.txt": cut}))
    # A document of its own, or (under a document's length) set aside as too short: never a copy.
    assert found["egypt-cut.txt"][0] == "canonical" or found["egypt-cut.txt"][2].startswith("too short")
    found = status(build(tmp_path / "beside", {"moldova.txt": moldova, "egypt.txt": egypt, "egypt-cut.txt": cut}))
    assert found["egypt-cut.txt"][:2] == ("duplicate", "egypt.txt")


TEMPLATED = Path(__file__).parent / "fixtures" / "templated"


def test_statements_made_from_one_template_are_distinct_documents(tmp_path: Path) -> None:
    # The national emergency "with Respect to Belarus" and "to Nicaragua", Nicaragua's notice of
    # 2021 and its letter of 2022, two states' disaster declarations: each pair shares most of its
    # words (near duplicates at 0.63-0.84 by alignment alone), but not its names, dates and numbers.
    # Three seasons' calls for interns (near duplicates at 0.93-0.95) differ in little but their months;
    # the autumn's of 2023 and of 2024, in their year (the later one a third longer: a cut copy by size).
    # Minnesota's and Montana's declarations, the proclamations for Allen and for Monterey Park, differ
    # in their place, its counties or its dates (near duplicates at 0.61 and 0.91), named at two places.
    # Two memoranda delegating a drawdown differ in its amount alone (near duplicates at 0.95).
    notices = {path.name: path.read_text(encoding="utf-8") for path in sorted(TEMPLATED.glob("*.txt"))}
    assert len(notices) == 15
    built = build_candidate(raw_folder(tmp_path, notices), Config())
    found = status(built.candidate)
    assert {name: found[name][0] for name in notices} == dict.fromkeys(notices, "canonical")
    # The run's stats say why: the pairs aligned well enough, and were kept apart all the same.
    assert built.stats.as_dict()["dedup"]["aligned pairs rejected as one template's statements"] >= 3


@pytest.mark.parametrize("name", ["nicaragua-2021.txt", "disaster-tennessee.txt", "internship-summer-2022.txt",
                                  "internship-fall-2024.txt", "disaster-montana.txt", "proclamation-allen.txt",
                                  "drawdown-2023-06.txt"])
def test_a_copy_of_a_templated_statement_joins_it_not_its_sibling(tmp_path: Path, name: str) -> None:
    notices = {path.name: path.read_text(encoding="utf-8") for path in sorted(TEMPLATED.glob("*.txt"))}
    text = notices[name]
    copies = {"edited.txt": respell_uk(edit_words(text, 0.04, seed=3)), "cut.txt": truncate(text, 0.6)}
    found = status(build(tmp_path, {**notices, **copies}))
    document = found[name][1]  # its canonical copy: the file itself, or the edited copy if that ranks first
    assert document in (name, "edited.txt")
    assert found["edited.txt"][1] == document and found["cut.txt"][:2] == ("duplicate", document)
    assert all(found[other][:2] == ("canonical", other) for other in notices if other != name)


def test_one_templates_letters_of_two_years_are_two_documents_and_a_revised_release_is_one(tmp_path: Path) -> None:
    # Next year's letter to the Congress may differ from this year's in its year alone: a copy
    # keeps its years, so each naming a year the other does not makes them two statements.
    letter = (TEMPLATED / "nicaragua-2021.txt").read_text(encoding="utf-8")
    next_year = letter.replace("2021", "2022")
    found = status(build(tmp_path / "years", {"2021.txt": letter, "2022.txt": next_year}))
    assert (found["2021.txt"][0], found["2022.txt"][0]) == ("canonical", "canonical")
    # A release revised the same day (its time moved) is one statement, saved twice.
    revised = letter.replace("THE WHITE HOUSE,", "THE WHITE HOUSE, 4:00 p.m.")
    original = letter.replace("THE WHITE HOUSE,", "THE WHITE HOUSE, 3:15 p.m.")
    found = status(build(tmp_path / "revised", {"original.txt": original, "revised.txt": revised}))
    assert {found["original.txt"][0], found["revised.txt"][0]} == {"canonical", "duplicate"}


@pytest.mark.parametrize(("other", "places", "documents"), [
    ("Wyoming", 2, 2),   # another state's declaration: the same other name at both places
    ("Wyoming", 1, 1),   # a copy edited by hand at one place (its heading) is still a copy
    ("Montaria", 2, 1),  # the name misread the same way at both places, as OCR does
])
def test_a_name_substituted_at_several_aligned_places_makes_another_statement(
        tmp_path: Path, other: str, places: int, documents: int) -> None:
    montana = (TEMPLATED / "disaster-montana.txt").read_text(encoding="utf-8")
    assert montana.count("Montana") == 2  # the heading's and the first sentence's
    found = status(build(tmp_path, {"montana.txt": montana, "other.txt": montana.replace("Montana", other, places)}))
    assert len({doc for _, doc, _ in found.values()}) == documents


@pytest.mark.parametrize(("amount", "documents"), [
    ("$500 million", 2),   # the next memorandum: another figure in the same place
    ("$76 million", 2),
    ("$2OO million", 1),   # OCR's letters for digits: no figure, and a copy
    ("$20 million", 1),    # a digit lost (as a cut or OCR loses one) is no other figure
])
def test_one_figure_in_place_of_another_inside_the_text_makes_another_statement(
        tmp_path: Path, amount: str, documents: int) -> None:
    memorandum = (TEMPLATED / "drawdown-2022-03.txt").read_text(encoding="utf-8")
    assert memorandum.count("$200 million") == 1
    found = status(build(tmp_path, {"a.txt": memorandum, "b.txt": memorandum.replace("$200 million", amount)}))
    assert len({doc for _, doc, _ in found.values()}) == documents


def test_figures_differing_at_a_copy_s_edge_leave_it_a_copy(tmp_path: Path) -> None:
    # A site's dateline above the text, or its footer below, is the copy's own: where two copies
    # differ only there, their figures differing says nothing of the statement.
    memorandum = (TEMPLATED / "drawdown-2022-03.txt").read_text(encoding="utf-8")
    files = {"a.txt": f"March 12, 2022\n\n{memorandum}\n\nPage 1 of 2",
             "b.txt": f"March 14, 2022\n\n{memorandum}\n\nPage 2 of 3"}
    assert len({doc for _, doc, _ in status(build(tmp_path, files)).values()}) == 1


def test_a_text_held_in_one_many_times_its_size_never_leads_it(tmp_path: Path) -> None:
    # A short list a later, far longer one repeats (or an excerpt of a statement) is a part of
    # it: the longer text leads even where it needed a repair the short one did not. As the
    # "wrapped copy" of the short one, the longer one's own words would be lost from the corpus.
    full = max(GOLD, key=lambda path: len(path.read_text(encoding="utf-8"))).read_text(encoding="utf-8")
    paragraphs = full.split("\n\n")
    part = "\n\n".join([paragraphs[0], *paragraphs[-max(2, len(paragraphs) // 5):]])
    assert len(full) >= 3 * len(part)
    damaged = full.replace(" the ", " the\u200b ", 1)  # a zero-width space to remove: one repair more
    found = status(build(tmp_path, {"long.txt": damaged, "part.txt": part}))
    assert found["long.txt"][0] == "canonical"
    assert found["part.txt"][:2] == ("duplicate", "long.txt")


def test_of_texts_longer_than_the_alignment_allows_the_openings_are_aligned(tmp_path: Path) -> None:
    # Aligning costs the product of two texts' lengths (100 s for two of a million words): past
    # max_aligned_bigrams (and max_aligned_names) only the openings are compared. Here the caps are
    # set to the opening two texts share, and the rest of one is the other's paragraphs in reverse
    # order: aligned whole, too little of it lines up.
    paragraphs = ROME.split("\n\n")
    opening = "\n\n".join(paragraphs[:3])
    files = {"rome.txt": ROME, "reordered.txt": "\n\n".join(paragraphs[:3] + paragraphs[:2:-1])}
    assert len({doc for _, doc, _ in status(build(tmp_path / "whole", files)).values()}) == 2
    names = len(fingerprint(opening, Config().dedup).named.split())
    capped = replace(Config().dedup, max_aligned_bigrams=len(matching_tokens(opening)) - 1, max_aligned_names=names)
    candidate = build_candidate(raw_folder(tmp_path / "capped", files), replace(Config(), dedup=capped)).candidate
    assert len({doc for _, doc, _ in status(candidate).values()}) == 1
