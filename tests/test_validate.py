"""The Great Expectations suites pass on good output and name what is wrong with bad output."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from commclean.config import ValidationConfig
from commclean.records import Candidate
from commclean.schema import CORPUS_SCHEMA, SOURCES_SCHEMA, corpus_table, sources_table
from commclean.validate.suites import validate


def _with_rows(table: pa.Table, rows: list[dict], schema: pa.Schema) -> pa.Table:
    extra = pa.Table.from_pylist(rows, schema=schema)
    return pa.concat_tables([table, extra])


def test_the_seed_corpus_passes_every_expectation(seeds_candidate: Candidate) -> None:
    report = validate(corpus_table(seeds_candidate), sources_table(seeds_candidate), ValidationConfig())
    assert report.success, report.summary()
    assert report.evaluated >= 12


def test_dates_of_issue_and_of_events_pass_when_plausible(seeds_candidate: Candidate) -> None:
    rows = corpus_table(seeds_candidate).to_pylist()
    rows[0]["date"], rows[0]["event_date"] = dt.date(2022, 4, 8), dt.date(2022, 4, 5)
    report = validate(pa.Table.from_pylist(rows, schema=CORPUS_SCHEMA), sources_table(seeds_candidate), ValidationConfig())
    assert report.success, report.summary()


def test_each_broken_contract_is_named(seeds_candidate: Candidate) -> None:
    corpus, sources = corpus_table(seeds_candidate), sources_table(seeds_candidate)
    first = corpus.slice(0, 1).to_pylist()[0]
    bad_docs = [
        {**first, "text": "Bold **leftover** here."},  # also repeats the first doc_id
        {**first, "doc_id": "doc-fffd", "text": "Broken \ufffd character."},
        {**first, "doc_id": "doc-mojibake", "text": "The Coalitionâ€™s view."},
        {**first, "doc_id": "doc-future", "date": dt.date(2999, 1, 1)},
        {**first, "doc_id": "doc-future-event", "event_date": dt.date(2999, 1, 1)},
    ]
    bad_sources = [
        {"path": "x.txt", "sha256": "0" * 64, "size_bytes": 1, "encoding": "utf-8", "status": "lost",
         "doc_id": None, "reason": "?", "is_truncated": False},
        {"path": "y.txt", "sha256": "0" * 64, "size_bytes": 1, "encoding": "utf-8", "status": "duplicate",
         "doc_id": "doc-nowhere", "reason": "exact copy", "is_truncated": False},
    ]
    report = validate(
        _with_rows(corpus, bad_docs, CORPUS_SCHEMA), _with_rows(sources, bad_sources, SOURCES_SCHEMA), ValidationConfig()
    )
    assert not report.success
    named = {failure.name for failure in report.failed}
    assert named == {
        "doc_id is unique",
        "no markup leftovers in text",
        "no U+FFFD replacement characters in text",
        "no mojibake markers in text",
        "date within a plausible range",
        "event_date within a plausible range",
        "status within its set",
        "every non-quarantined source row points at a corpus row, and doc_id is null exactly when quarantined",
    }
    assert "no markup leftovers in text" in report.summary()


def test_text_checked_in_chunks_still_counts_every_bad_row(seeds_candidate: Candidate) -> None:
    corpus, sources = corpus_table(seeds_candidate), sources_table(seeds_candidate)
    rows = corpus.to_pylist()
    rows[0]["text"] = "First **leftover**."
    rows[3]["text"] = "Second **leftover**."
    report = validate(pa.Table.from_pylist(rows, schema=CORPUS_SCHEMA), sources, ValidationConfig(text_chunk_rows=2))
    (failure,) = report.failed
    assert failure.name == "no markup leftovers in text"
    assert failure.unexpected_count == 2


def test_the_doc_type_vocabulary_in_the_suite_is_the_extractor_s(seeds_candidate: Candidate) -> None:
    import json

    from commclean.metadata.extract import DOC_TYPES
    from commclean.validate.suites import DEFAULT_EXPECTATIONS_DIR

    suite = json.loads((DEFAULT_EXPECTATIONS_DIR / "corpus.json").read_text(encoding="utf-8"))
    (check,) = [e for e in suite["expectations"] if e["kwargs"].get("column") == "doc_type"]
    assert sorted(check["kwargs"]["value_set"]) == sorted(name for name, _ in DOC_TYPES)


def test_the_helper_process_gives_the_same_report_as_validating_in_place(seeds_candidate) -> None:  # noqa: ANN001
    from commclean.schema import tables_for
    from commclean.validate.suites import ValidationWorker

    tables = tables_for(seeds_candidate)
    config = ValidationConfig()
    bad_text = tables.corpus.set_column(1, "text", pa.array(["**bold** " + t for t in tables.corpus.column("text").to_pylist()]))
    with ValidationWorker() as worker:
        for corpus in (tables.corpus, bad_text):
            assert worker.validate(corpus, tables.sources, config) == validate(corpus, tables.sources, config)
    assert not validate(bad_text, tables.sources, config).success
