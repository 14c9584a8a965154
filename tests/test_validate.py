"""The Great Expectations suites pass on good output and name what is wrong with bad output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa

from commclean.config import ValidationConfig
from commclean.records import Candidate
from commclean.schema import CORPUS_SCHEMA, SOURCES_SCHEMA, sources_table
from commclean.validate.suites import validate


def _with_rows(table: pa.Table, rows: list[dict], schema: pa.Schema) -> pa.Table:
    extra = pa.Table.from_pylist(rows, schema=schema)
    return pa.concat_tables([table, extra])


def test_the_seed_corpus_passes_every_expectation(seeds_candidate: Candidate) -> None:
    report = validate(seeds_candidate.built, sources_table(seeds_candidate), ValidationConfig())
    assert report.success, report.summary()
    assert report.evaluated >= 12


def test_dates_of_issue_and_of_events_pass_when_plausible(seeds_candidate: Candidate) -> None:
    rows = seeds_candidate.built.to_pylist()
    rows[0]["date"], rows[0]["event_date"] = dt.date(2022, 4, 8), dt.date(2022, 4, 5)
    report = validate(pa.Table.from_pylist(rows, schema=CORPUS_SCHEMA), sources_table(seeds_candidate), ValidationConfig())
    assert report.success, report.summary()


def test_a_broken_table_is_named_and_blocks(seeds_candidate: Candidate) -> None:
    corpus, sources = seeds_candidate.built, sources_table(seeds_candidate)
    first = corpus.slice(0, 1).to_pylist()[0]
    bad_sources = [
        {"path": "x.txt", "sha256": "0" * 64, "size_bytes": 1, "encoding": "utf-8", "status": "lost",
         "doc_id": None, "reason": "?", "is_truncated": False},
        {"path": "y.txt", "sha256": "0" * 64, "size_bytes": 1, "encoding": "utf-8", "status": "duplicate",
         "doc_id": "doc-nowhere", "reason": "exact copy", "is_truncated": False},
    ]
    report = validate(_with_rows(corpus, [first], CORPUS_SCHEMA), _with_rows(sources, bad_sources, SOURCES_SCHEMA),
                      ValidationConfig(max_rejected_share=1.0))
    assert not report.success
    assert {failure.name for failure in report.blocking} == {
        "doc_id is unique",
        "status within its set",
        "every non-quarantined source row points at a corpus row, and doc_id is null exactly when quarantined",
    }
    assert not report.rejected
    assert "doc_id is unique" in report.summary()


def _with_bad_documents(seeds_candidate: Candidate) -> tuple[pa.Table, pa.Table]:
    corpus, sources = seeds_candidate.built, sources_table(seeds_candidate)
    first = corpus.slice(0, 1).to_pylist()[0]
    long = first["text"]
    bad_docs = [
        {**first, "doc_id": "doc-markup", "text": long + "\n\nBold **leftover** here."},
        {**first, "doc_id": "doc-fffd", "text": long + " Broken \ufffd character."},
        {**first, "doc_id": "doc-mojibake", "text": long + " The Coalition\u00e2\u20ac\u2122s view."},
        {**first, "doc_id": "doc-future", "date": dt.date(2999, 1, 1)},
        {**first, "doc_id": "doc-future-event", "event_date": dt.date(2999, 1, 1)},
        {**first, "doc_id": "doc-short", "text": "A stub of a statement."},
        {**first, "doc_id": "doc-lines", "text": long + "\nA line broken\ninside a paragraph."},
    ]
    ledger = [{"path": f"{row['doc_id']}.txt", "sha256": "0" * 64, "size_bytes": 1, "encoding": "utf-8",
               "status": "canonical", "doc_id": row["doc_id"], "reason": None, "is_truncated": False}
              for row in bad_docs]
    return _with_rows(corpus, bad_docs, CORPUS_SCHEMA), _with_rows(sources, ledger, SOURCES_SCHEMA)


def test_documents_failing_a_document_check_are_named_for_setting_aside(seeds_candidate: Candidate) -> None:
    corpus, sources = _with_bad_documents(seeds_candidate)
    report = validate(corpus, sources, ValidationConfig(max_rejected_share=1.0))
    assert report.success, report.summary()
    assert dict(report.rejected) == {
        "doc-markup": ("no markup leftovers in text",),
        "doc-fffd": ("no U+FFFD replacement characters in text",),
        "doc-mojibake": ("no mojibake markers in text",),
        "doc-future": ("date within a plausible range",),
        "doc-future-event": ("event_date within a plausible range",),
        "doc-short": ("text at least the minimum document length",),
        "doc-lines": ("paragraphs separated by exactly one blank line, no line break or trailing space inside",),
    }
    assert not report.blocking
    assert report.documents == corpus.num_rows
    (markup,) = [f for f in report.set_aside if f.name == "no markup leftovers in text"]
    assert markup.unexpected_count == 1 and markup.examples[0].startswith("doc-markup: ")
    assert "**leftover**" in markup.examples[0] and len(markup.examples[0]) < 150
    (future,) = [f for f in report.set_aside if f.name == "date within a plausible range"]
    assert future.examples == ("doc-future: 2999-01-01",)
    assert "7 documents set aside" in report.summary()


def test_more_than_the_allowed_share_of_bad_documents_blocks(seeds_candidate: Candidate) -> None:
    corpus, sources = _with_bad_documents(seeds_candidate)
    share = 7 / corpus.num_rows
    assert not validate(corpus, sources, ValidationConfig(max_rejected_share=share - 0.01)).success
    report = validate(corpus, sources, ValidationConfig())
    assert not report.success and report.too_many_rejected and not report.blocking
    assert "a repair is broken" in report.summary() and "no markup leftovers in text" in report.summary()
    assert validate(corpus, sources, ValidationConfig(max_rejected_share=share)).success


def test_every_expectation_declares_its_scope() -> None:
    import json

    from commclean.validate.suites import DEFAULT_EXPECTATIONS_DIR

    for name in ("corpus", "sources"):
        suite = json.loads((DEFAULT_EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        scopes = {e["meta"]["name"]: e["meta"]["scope"] for e in suite["expectations"]}
        assert set(scopes.values()) <= ({"table", "document"} if name == "corpus" else {"table"}), scopes
    assert scopes["each raw file appears once"] == "table"


def test_a_document_scope_outside_the_corpus_suite_is_refused(tmp_path) -> None:  # noqa: ANN001
    import json

    import pytest

    from commclean.validate.suites import DEFAULT_EXPECTATIONS_DIR, load_suite

    for name in ("corpus", "sources"):
        suite = json.loads((DEFAULT_EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        if name == "sources":
            suite["expectations"][0]["meta"]["scope"] = "document"
        (tmp_path / f"{name}.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(ValueError, match="path is never null"):
        load_suite("sources", ValidationConfig(expectations_dir=str(tmp_path)))


def test_text_checked_in_chunks_still_counts_every_bad_row(seeds_candidate: Candidate) -> None:
    corpus, sources = seeds_candidate.built, sources_table(seeds_candidate)
    rows = corpus.to_pylist()
    rows[0]["text"] += " First **leftover**."
    rows[3]["text"] += " Second **leftover**."
    report = validate(pa.Table.from_pylist(rows, schema=CORPUS_SCHEMA), sources, ValidationConfig(text_chunk_rows=2))
    (failure,) = report.failed
    assert failure.name == "no markup leftovers in text"
    assert failure.unexpected_count == 2
    assert len(report.rejected) == 2


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


def test_a_document_failing_two_checks_names_both_in_the_ledger(seeds_candidate: Candidate) -> None:
    from commclean.schema import tables_for
    from commclean.validate.setaside import ledger_with, quarantine_table, tables_without

    tables = tables_for(seeds_candidate)
    rows = tables.corpus.to_pylist()
    rows[0]["text"] += " Bold **leftover**."
    rows[0]["date"] = dt.date(1901, 1, 5)
    corpus = pa.Table.from_pylist(rows, schema=CORPUS_SCHEMA)
    report = validate(corpus, tables.sources, ValidationConfig(max_rejected_share=1.0))
    doc_id = rows[0]["doc_id"]
    assert dict(report.rejected) == {doc_id: ("date within a plausible range", "no markup leftovers in text")}
    ledger = ledger_with(tables.sources, dict(report.rejected)).to_pylist()
    for row in (r for r in ledger if r["path"] in rows[0]["source_paths"]):
        assert row["status"] == "quarantined" and row["doc_id"] is None
        assert row["reason"] == "failed expectation: date within a plausible range; no markup leftovers in text"
    assert [r["doc_id"] for r in quarantine_table(corpus, dict(report.rejected)).to_pylist()] == [doc_id]
    kept = tables_without(tables, dict(report.rejected))
    assert doc_id not in kept.corpus.column("doc_id").to_pylist() and len(kept.signatures) == kept.corpus.num_rows


def test_only_the_columns_the_suites_check_become_frames(seeds_candidate: Candidate) -> None:
    from commclean.schema import tables_for
    from commclean.validate.suites import checked_columns, corpus_frame, ledger_frame, load_suite

    config = ValidationConfig()
    tables = tables_for(seeds_candidate, None)
    corpus_columns = checked_columns(load_suite("corpus", config))
    assert {"doc_id", "date", "event_date", "doc_type", "is_truncated", "text"} <= corpus_columns
    frame = corpus_frame(tables.corpus, corpus_columns)
    assert set(frame.columns) == corpus_columns - {"text"}
    assert "title" not in frame.columns  # no expectation reads it
    ledger = ledger_frame(tables.sources, set(frame["doc_id"]), checked_columns(load_suite("sources", config)))
    assert ledger["ledger_doc_id_resolves"].all() and ledger["ledger_reason_given"].all()
    assert "sha256" not in ledger.columns


def _page_text(page: Path) -> str:
    """A Data Docs page without what differs between any two builds: ids, times of the run."""
    text = re.sub(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", "ID", page.read_text(encoding="utf-8"))
    text = re.sub(r"\d{8}T\d{6}\.\d+Z", "TIME", text)
    return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?|'_run_time_sort': [\d.]+", "TIME", text)


def test_data_docs_built_after_other_sites_equal_those_of_a_fresh_process(
        seeds_candidate: Candidate, tmp_path: Path) -> None:
    from commclean.schema import tables_for
    from commclean.validate.suites import ValidationWorker

    tables = tables_for(seeds_candidate)
    config = ValidationConfig(max_rejected_share=1.0)
    bad_text = tables.corpus.set_column(1, "text", pa.array(["**bold** " + t for t in tables.corpus.column("text").to_pylist()]))
    validate(bad_text, tables.sources, config, data_docs=tmp_path / "failing")  # a site of failures first
    validate(tables.corpus, tables.sources, config, data_docs=tmp_path / "here")
    with ValidationWorker() as worker:  # its first site: every template compiled afresh
        worker.validate(tables.corpus, tables.sources, config, data_docs=tmp_path / "fresh")
    here, fresh = (sorted(p.relative_to(tmp_path / s) for p in (tmp_path / s).rglob("*.html")) for s in ("here", "fresh"))
    assert len(here) == 5 and [p.parts[0] for p in here] == [p.parts[0] for p in fresh]
    for mine, theirs in zip(here, fresh, strict=True):
        assert _page_text(tmp_path / "here" / mine) == _page_text(tmp_path / "fresh" / theirs), mine
    assert "**bold**" in " ".join(_page_text(p) for p in (tmp_path / "failing").rglob("*.html"))


def test_the_helper_starts_before_processing_here_and_after_processing_in_worker_processes(
        seed_raw: Path, monkeypatch) -> None:  # noqa: ANN001
    """Worker processes take both cores, and the helper's 250 MB would add to theirs at the end of
    processing, and to deduplication's index build after it: it starts once both are done, and
    one started before the run is stopped until then. Processing here, its import uses the other
    core."""
    import commclean.pipeline.sequence as sequence
    from commclean.config import Config
    from commclean.validate.suites import ValidationWorker

    started_while_processing: list[bool] = []
    started_while_deduplicating: list[bool] = []
    save, deduplicate = sequence.save_new_results, sequence.deduplicate_files

    def saving(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - runs as processing's results come in
        started_while_processing.append(helper.started)
        return save(*args, **kwargs)

    def deduplicating(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started_while_deduplicating.append(helper.started)
        return deduplicate(*args, **kwargs)

    monkeypatch.setattr(sequence, "save_new_results", saving)
    monkeypatch.setattr(sequence, "deduplicate_files", deduplicating)
    pooled = Config(batch_size=2, workers=2, min_files_for_workers=1)
    # The third: a helper started before the run (as an update of a published corpus starts it) is
    # stopped when the new files turn out to go to worker processes, and started again after.
    for config, early, started_before in [(Config(), True, False), (pooled, False, False), (pooled, False, True)]:
        helper = ValidationWorker()
        try:
            if started_before:
                helper.start()
                first = helper._process
            sequence.build_candidate(seed_raw, config, helper=helper)
            assert started_while_processing[-1] is early
            assert started_while_deduplicating[-1] is early
            assert helper.started
            if started_before:
                assert first is not None and first.wait(timeout=10) is not None and helper._process is not first
        finally:
            helper.stop(at_once=True)  # nothing to validate: not waited for through its import


EARLY_HELPER = """
import sys
from pathlib import Path
import commclean.validate.suites as suites
for clean in sys.argv[1:]:
    suites.start_helper_if_updating(Path(clean))
    early = suites._started_early
    with suites.validation_worker() as worker:
        print(early is not None and worker is early and worker.started, worker is not None, flush=True)
        if worker.started:
            worker._process.kill()  # not waited for through its import: nothing is validated here
"""


def test_an_update_starts_its_validation_helper_before_the_run_which_then_validates_in_it(
        seed_raw: Path, tmp_path: Path) -> None:
    """Started early, the helper's import of Great Expectations overlaps Prefect's start; a first
    build (nothing published yet) starts its own helper later, after processing."""
    import subprocess
    import sys

    from commclean.config import Config
    from commclean.pipeline import run_pipeline

    run_pipeline(seed_raw, tmp_path / "published", Config())
    done = subprocess.run([sys.executable, "-c", EARLY_HELPER, str(tmp_path / "published"), str(tmp_path / "new")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["True True", "False True"]
