"""The bundled seeds come out as the end-to-end issue specifies (library pipeline, no Prefect)."""

from __future__ import annotations

import datetime as dt
import re


from commclean.records import Candidate, Status
from commclean.schema import corpus_rows

from conftest import BUNDLED_SEEDS, PROJECT, shared


def _doc_of(candidate: Candidate, path: str):
    return next(row for row in corpus_rows(candidate.built) if row.source_paths[0] == path)


def _source(candidate: Candidate, path: str):
    return next(row for row in candidate.sources if row.path == path)


SEED_001 = "001_7c02e8161f4096aa.txt"
SEED_003 = "003_d116377a37e340aa.txt"


def test_bundled_raw_folder_is_the_shared_seeds() -> None:
    seeds = shared("seeds")
    assert sorted(BUNDLED_SEEDS) == sorted(p.name for p in seeds.iterdir())
    for name in BUNDLED_SEEDS:
        assert (PROJECT / "raw" / name).read_bytes() == (seeds / name).read_bytes()


def test_four_documents_and_one_duplicate(seeds_candidate: Candidate) -> None:
    assert seeds_candidate.built.num_rows == 4
    statuses = sorted(str(row.status) for row in seeds_candidate.sources)
    assert statuses == ["canonical"] * 4 + ["duplicate"]


def test_seed_003_is_a_truncated_copy_of_seed_001(seeds_candidate: Candidate) -> None:
    doc = _doc_of(seeds_candidate, SEED_001)
    copy = _source(seeds_candidate, SEED_003)
    assert copy.status is Status.DUPLICATE
    assert copy.doc_id == doc.doc_id
    assert copy.reason.startswith("truncated copy")
    assert copy.is_truncated
    assert doc.source_paths == (SEED_001, SEED_003)
    assert not doc.is_truncated


def test_seed_001_date_is_completed_by_the_media_note_in_003(seeds_candidate: Candidate) -> None:
    doc = _doc_of(seeds_candidate, SEED_001)
    assert doc.metadata.date == dt.date(2019, 11, 14)
    assert SEED_003 in doc.metadata.date_source


def test_dates_and_places_where_the_text_states_them(seeds_candidate: Candidate) -> None:
    rome = _doc_of(seeds_candidate, "000_6c5b62fa821d58d1.txt").metadata
    assert (rome.date, rome.location) == (dt.date(2021, 6, 28), "Rome")
    copenhagen = _doc_of(seeds_candidate, "004_180829e56ac5bc96.txt").metadata
    assert copenhagen.date == dt.date(2020, 1, 29)
    assert copenhagen.location.startswith("Copenhagen")
    washington = _doc_of(seeds_candidate, "002_29dbddc1b0e4f577.txt").metadata
    assert washington.location == "Washington"
    assert washington.date is None, "002 only mentions other dates (5 April 2017, July 2017)"


def test_no_markup_leftovers_in_any_text(seeds_candidate: Candidate) -> None:
    for row in corpus_rows(seeds_candidate.built):
        assert not re.search(r"\*\*|\\\$|\$\\star|(?<!\w)\*\w", row.text), row.source_paths[0]
        assert "Further information" not in row.text


def test_the_six_page_break_splits_are_whole_again(seeds_candidate: Candidate) -> None:
    joined = [
        ("000_6c5b62fa821d58d1.txt", "the Government of Iraq protecting Coalition assets."),
        ("000_6c5b62fa821d58d1.txt", "several African nations as observers to this ministerial meeting."),
        ("000_6c5b62fa821d58d1.txt", "it is a cohesive, responsive tool"),
        (SEED_001, "against Daesh/ISIS in Iraq and Syria and to best safeguard"),
        (SEED_001, "While the Government of Iraq and the Coalition have liberated all territory"),
        ("002_29dbddc1b0e4f577.txt", "for such assistance in 2017 and continue to provide other vital support"),
    ]
    for path, sentence in joined:
        paragraphs = _doc_of(seeds_candidate, path).text.split("\n\n")
        assert any(sentence in p for p in paragraphs), (path, sentence)
    repairs = {row.source_paths[0]: row.repairs for row in corpus_rows(seeds_candidate.built)}
    assert all("rejoin_page_breaks" in repairs[p] for p, _ in joined)


def test_paragraphs_are_separated_by_exactly_one_blank_line(seeds_candidate: Candidate) -> None:
    for row in corpus_rows(seeds_candidate.built):
        assert "\n\n\n" not in row.text
        assert row.text == row.text.strip()
        assert all(p.strip() == p and p for p in row.text.split("\n\n"))


def test_numbered_items_are_paragraphs_of_their_own(seeds_candidate: Candidate) -> None:
    paragraphs = _doc_of(seeds_candidate, SEED_001).text.split("\n\n")
    numbered = [p[:2] for p in paragraphs if re.match(r"\d\. ", p)]
    assert numbered == [f"{n}." for n in range(1, 9)]
