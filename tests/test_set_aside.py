"""Validation keeps the good corpus: documents failing a document check are set aside with their
reason and the rest is published; a broken table, or too many bad documents, publish nothing and
keep the failed run's report and Data Docs for a person to look at."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from commclean.config import Config, ValidationConfig
from commclean.pipeline import run_pipeline
from commclean.read import read_published
from commclean.schema import QUARANTINE_SCHEMA
from conftest import MISDATED, SHARED, chromium_dom, visible_text

LENIENT = Config(validation=ValidationConfig(max_rejected_share=0.5))
REASON = "failed expectation: date within a plausible range"


def _add_misdated(raw: Path) -> None:
    (raw / "misdated.txt").write_text(MISDATED, encoding="utf-8")
    copy = raw / "misdated-copy.txt"  # an exact copy, newer: set aside with it
    copy.write_text(MISDATED, encoding="utf-8")
    made = (raw / "misdated.txt").stat().st_mtime_ns
    os.utime(copy, ns=(made + 10**9, made + 10**9))


def _published(clean: Path) -> tuple[list[dict], list[dict], list[dict]]:
    corpus, sources = read_published(clean)
    quarantine = pq.read_table(clean / "current" / "quarantine.parquet")
    return corpus.to_pylist(), sources.to_pylist(), quarantine.to_pylist()


def test_a_document_failing_a_document_check_is_set_aside_and_the_rest_published(seed_raw: Path,
                                                                                  tmp_path: Path) -> None:
    alone = run_pipeline(seed_raw, tmp_path / "before", LENIENT)
    _add_misdated(seed_raw)
    clean = tmp_path / "clean"
    summary = run_pipeline(seed_raw, clean, LENIENT)
    assert summary.published and summary.documents == alone.documents == 4
    corpus, sources, quarantine = _published(clean)
    assert [(d["doc_id"], d["text"]) for d in corpus] == [(d["doc_id"], d["text"]) for d in _published(tmp_path / "before")[0]]
    ledger = {row["path"]: row for row in sources}
    for path in ("misdated.txt", "misdated-copy.txt"):
        assert (ledger[path]["status"], ledger[path]["doc_id"], ledger[path]["reason"]) == ("quarantined", None, REASON)
    (kept,) = quarantine
    assert kept["failed_expectations"] == ["date within a plausible range"]
    assert kept["source_paths"] == ["misdated.txt", "misdated-copy.txt"] and "1901" in kept["text"]
    assert pq.read_schema(clean / "quarantine.parquet").equals(QUARANTINE_SCHEMA, check_metadata=False)
    manifest = json.loads((clean / "manifest.json").read_text())
    assert manifest["counts"]["set_aside"] == 1 and manifest["counts"]["quarantined"] == 2
    (aside,) = manifest["validation"]["set_aside"]
    assert aside["documents"] == 1 and aside["examples"] == [f"{kept['doc_id']}: 1901-01-05"]
    assert manifest["stats"]["documents set aside by expectation"] == {"date within a plausible range": 1}
    assert (clean / "current" / manifest["data_docs"]).is_file()
    assert summary.data_docs == str(clean / "snapshots" / "v1" / "data-docs" / "index.html")
    assert "set aside:    1" in "\n".join(summary.lines())


def test_every_snapshot_has_a_quarantine_table_even_an_empty_one(seed_raw: Path, tmp_path: Path) -> None:
    run_pipeline(seed_raw, tmp_path / "clean", Config())
    table = pq.read_table(tmp_path / "clean" / "quarantine.parquet")
    assert table.num_rows == 0 and table.schema.equals(QUARANTINE_SCHEMA, check_metadata=False)
    # Hugging Face datasets cannot load a config without rows: the card offers none then.
    card = (tmp_path / "clean" / "current" / "README.md").read_text(encoding="utf-8")
    assert "config_name: corpus" in card and "config_name: quarantine" not in card


def test_too_many_bad_documents_publish_nothing_and_keep_the_failed_run_for_a_person(seed_raw: Path,
                                                                                     tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    before = {name: (clean / name).read_bytes() for name in ("corpus.parquet", "sources.parquet", "manifest.json")}
    _add_misdated(seed_raw)
    summary = run_pipeline(seed_raw, clean, Config())  # 1 of 5 documents: far above 1%
    assert not summary.published
    assert {name: (clean / name).read_bytes() for name in before} == before
    assert "a repair is broken" in summary.validation and "date within a plausible range" in summary.validation
    (failed,) = (clean / ".state" / "failed").iterdir()
    report = json.loads((failed / "validation.json").read_text())
    assert not report["success"] and report["documents_set_aside"] == 1
    assert report["set_aside"][0]["expectation"] == "date within a plausible range"
    assert summary.data_docs == str(failed / "data-docs" / "index.html") and Path(summary.data_docs).is_file()
    assert not list(clean.glob(".staging-*")) and not list((clean / ".state" / "cache" / "scratch").iterdir())


def test_only_the_newest_failed_runs_are_kept(seed_raw: Path, tmp_path: Path) -> None:
    _add_misdated(seed_raw)
    config = Config(validation=ValidationConfig(keep_failed_runs=2))
    for _ in range(3):
        assert not run_pipeline(seed_raw, tmp_path / "clean", config).published
    assert len(list((tmp_path / "clean" / ".state" / "failed").iterdir())) == 2


def test_runs_after_a_set_aside_equal_a_full_build(seed_raw: Path, tmp_path: Path) -> None:
    extra = sorted((SHARED / "corpus-extra").glob("*.txt"))
    assert len(extra) >= 2, f"{SHARED / 'corpus-extra'} is missing"
    clean = tmp_path / "clean"
    _add_misdated(seed_raw)
    run_pipeline(seed_raw, clean, LENIENT)
    shutil.copy(extra[0], seed_raw / "new-statement.txt")
    # One run with a new file, one with a file written again with the same bytes (nothing new, but
    # raw/ is not as the snapshot was built from, so the run builds): both carry rows past the
    # set-aside one.
    for step in range(2):
        if step:
            rewritten = seed_raw / "new-statement.txt"
            rewritten.write_bytes(rewritten.read_bytes())
        summary = run_pipeline(seed_raw, clean, LENIENT)
        assert summary.published and summary.stats["assemble"]["documents carried unchanged"] > 0
        full = tmp_path / f"full-{summary.stats['assemble']['documents built']}"
        shutil.rmtree(full, ignore_errors=True)
        run_pipeline(seed_raw, full, LENIENT, full=True)
        assert _published(clean) == _published(full)


def test_a_set_aside_document_whose_fault_is_mended_returns(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _add_misdated(seed_raw)
    run_pipeline(seed_raw, clean, LENIENT)
    for path in ("misdated.txt", "misdated-copy.txt"):
        (seed_raw / path).write_text(MISDATED.replace("1901", "2001"), encoding="utf-8")
    run_pipeline(seed_raw, clean, LENIENT)
    corpus, sources, quarantine = _published(clean)
    assert not quarantine and len(corpus) == 5
    assert {row["status"] for row in sources if row["path"].startswith("misdated")} == {"canonical", "duplicate"}


def test_the_data_docs_render_offline_in_headless_chromium(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _add_misdated(seed_raw)
    site = Path(run_pipeline(seed_raw, clean, LENIENT).data_docs or "").parent
    for page in site.rglob("*.html"):  # nothing is fetched from the network: it renders offline
        assert not re.search(r"""<(script|link)\b[^>]*(src|href)=["']https?://""", page.read_text()), page
    index = visible_text(chromium_dom(site / "index.html", tmp_path / "profile"))
    # The validation table is drawn by the page's scripts: its rows exist only if they ran.
    assert "Showing 1 to 2 of 2 rows" in index, index[:2000]
    assert "commclean-corpus" in index and "commclean-sources" in index and "published" in index
    (corpus_page,) = site.glob("validations/corpus/*/*/*.html")
    page = visible_text(chromium_dom(corpus_page, tmp_path / "profile"))
    assert "Expectation Suite: corpus" in page and "Status: Failed" in page.replace("  ", " ")
    assert "1 unexpected values found" in page and "1901-01-05" in page
    (sources_page,) = site.glob("validations/sources/*/*/*.html")
    assert "Status: Succeeded" in visible_text(chromium_dom(sources_page, tmp_path / "profile"))


def test_each_snapshot_is_a_hugging_face_dataset_with_its_card(seed_raw: Path, tmp_path: Path,
                                                               monkeypatch) -> None:  # noqa: ANN001
    import datasets

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    clean = tmp_path / "clean"
    _add_misdated(seed_raw)
    run_pipeline(seed_raw, clean, LENIENT)
    card = (clean / "current" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "config_name: sources" in card and "Stable id of the document" in card
    cache = str(tmp_path / "hf-cache")
    corpus = datasets.load_dataset(str(clean / "current"), cache_dir=cache)["train"]
    assert corpus.num_rows == 4 and corpus.column_names == pq.read_schema(clean / "corpus.parquet").names
    ledger = datasets.load_dataset(str(clean / "current"), "sources", cache_dir=cache)["train"]
    assert sorted(ledger["path"]) == sorted(p.name for p in seed_raw.iterdir())
    aside = datasets.load_dataset(str(clean / "current"), "quarantine", cache_dir=cache)["train"]
    assert aside["failed_expectations"] == [["date within a plausible range"]]
    # The clean folder itself is the current snapshot as a dataset: its state folder is hidden.
    assert datasets.load_dataset(str(clean), cache_dir=cache)["train"]["doc_id"] == corpus["doc_id"]
