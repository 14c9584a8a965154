"""The Prefect flow and the CLI end to end, on the bundled seeds, with Prefect's test harness."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from commclean.cli import app
from commclean.schema import CORPUS_SCHEMA, SOURCES_SCHEMA
from conftest import MISDATED

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]



def _read(clean: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(clean / "corpus.parquet").to_pylist(), pq.read_table(clean / "sources.parquet").to_pylist()


def test_flow_publishes_the_seed_corpus(seed_raw: Path, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    clean = tmp_path / "clean"
    summary = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    assert (summary.files_read, summary.documents, summary.duplicates, summary.quarantined) == (5, 4, 1, 0)
    assert summary.published
    corpus = pq.read_table(clean / "corpus.parquet")
    sources = pq.read_table(clean / "sources.parquet")
    assert corpus.schema.equals(CORPUS_SCHEMA, check_metadata=False)
    assert sources.schema.equals(SOURCES_SCHEMA, check_metadata=False)
    assert sorted(sources.column("status").to_pylist()) == ["canonical"] * 4 + ["duplicate"]
    assert (clean / "manifest.json").is_file()
    assert not list(clean.glob(".staging-*"))


def test_two_runs_on_the_same_raw_give_the_same_ids_and_texts(seed_raw: Path, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "one"))
    build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "two"))
    one, two = _read(tmp_path / "one"), _read(tmp_path / "two")
    assert [(d["doc_id"], d["text"]) for d in one[0]] == [(d["doc_id"], d["text"]) for d in two[0]]
    assert one[1] == two[1]


def test_a_failing_expectation_publishes_nothing_and_keeps_the_previous_corpus(seed_raw: Path, tmp_path: Path) -> None:
    from flows.build_corpus import ValidationFailed, build_corpus

    clean = tmp_path / "clean"
    build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    before = {name: (clean / name).read_bytes() for name in ("corpus.parquet", "sources.parquet", "manifest.json")}
    (seed_raw / "misdated.txt").write_text(MISDATED, encoding="utf-8")
    with pytest.raises(ValidationFailed, match="date within a plausible range"):
        build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    after = {name: (clean / name).read_bytes() for name in before}
    assert after == before
    assert not list(clean.glob(".staging-*"))
    # The run's artifact says what failed, with an example, and links the failed run's Data Docs.
    from prefect.artifacts import Artifact

    report = Artifact.get("commclean-run")
    assert report is not None and "## Set aside by document checks (1)" in report.data
    assert "| date within a plausible range | 1 | doc-" in report.data and ": 1901-01-05 |" in report.data
    (failed,) = (clean / ".state" / "failed").iterdir()
    assert f"[Data Docs of this validation]({(failed / 'data-docs' / 'index.html').as_uri()})" in report.data


def test_cli_run_prints_the_summary_and_fails_on_validation(seed_raw: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    clean = tmp_path / "clean"
    result = runner.invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code == 0, result.output
    assert "documents:    4" in result.output and "validation:   passed" in result.output
    (seed_raw / "misdated.txt").write_text(MISDATED, encoding="utf-8")
    result = runner.invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code == 1
    assert "date within a plausible range" in result.output
    (failed,) = (clean / ".state" / "failed").iterdir()
    assert f"data docs:    {failed / 'data-docs' / 'index.html'}" in result.output


def test_cli_serve_says_plainly_that_it_needs_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = CliRunner().invoke(app, ["serve", "--cron", "0 * * * *"])
    assert result.exit_code == 2
    assert "needs a running Prefect server" in result.output
    assert "prefect server start" in result.output


def test_cli_run_refuses_to_run_beside_another_run(seed_raw: Path, tmp_path: Path, lock_holder) -> None:  # noqa: ANN001
    clean = tmp_path / "clean"
    lock_holder(clean)
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code == 3
    assert "another commclean run is publishing" in result.output
    assert not (clean / "corpus.parquet").exists()


def test_a_second_run_takes_unchanged_files_from_the_cache_and_full_ignores_it(seed_raw: Path, tmp_path: Path) -> None:
    import json

    from flows.build_corpus import build_corpus

    clean = tmp_path / "clean"
    first = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    # One file written again with the same bytes: the second run builds (a run that finds raw/
    # as the snapshot was built from ends after discovery: test_unchanged.py), reading that file
    # and taking its results from the cache, the others known by their stat.
    rewritten = sorted(seed_raw.iterdir())[0]
    rewritten.write_bytes(rewritten.read_bytes())
    second = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    full = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean), full=True)
    assert first.stats["cache"] == {"hits": 0, "misses": 5}
    assert second.stats["cache"] == {"hits": 5, "misses": 0, "files not read (stat unchanged)": 4}
    assert second.stats["assemble"] == {"documents built": 0, "documents carried unchanged": 4}
    assert full.stats["cache"] == {"hits": 0, "misses": 5}
    # The same output each time: one snapshot, which the later runs leave current.
    assert (first.changed, second.changed, full.changed) == (True, False, False)
    assert second.snapshot == full.snapshot == 1 and [p.name for p in (clean / "snapshots").iterdir()] == ["v1"]
    assert json.loads((clean / "manifest.json").read_text())["stats"]["cache"] == first.stats["cache"]


def test_each_run_publishes_a_markdown_report_as_a_prefect_artifact(seed_raw: Path, tmp_path: Path) -> None:
    from prefect.artifacts import Artifact

    from flows.build_corpus import build_corpus

    (seed_raw / "empty.txt").write_bytes(b"")
    build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "clean"))
    report = Artifact.get("commclean-run")
    assert report is not None and report.type == "markdown"
    assert "| documents | 4 (4 added, 0 changed, 0 removed (nothing was published before)) |" in report.data
    assert "## New documents (4)" in report.data
    assert "- `empty.txt`: empty file" in report.data


def test_many_new_files_are_processed_by_the_task_runners_worker_processes(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commclean.pipeline import sequence
    from flows.build_corpus import build_corpus

    # Batches of one file and workers whatever the count: the process pool itself is exercised.
    monkeypatch.setattr(sequence, "worker_count", lambda config, files, batches: 2)
    pooled = build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "pooled"), batch_size=1)
    monkeypatch.setattr(sequence, "worker_count", lambda config, files, batches: 1)
    inline = build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "inline"), batch_size=1)
    assert _read(tmp_path / "pooled") == _read(tmp_path / "inline")
    assert pooled.stats["repair"] == inline.stats["repair"] and pooled.stats["cache"] == {"hits": 0, "misses": 5}
    # Results came back through files in the run's scratch folder: none is left behind.
    assert not list((tmp_path / "pooled" / ".state" / "cache" / "scratch").iterdir())


def test_a_damaged_result_cache_is_rebuilt_not_a_failed_run(seed_raw: Path, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    clean = tmp_path / "clean"
    first = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    (cache,) = (clean / ".state" / "cache").glob("results-*.sqlite")
    cache.write_bytes(b"not a database" * 100)
    second = build_corpus(raw_dir=str(seed_raw), clean_dir=str(clean))
    assert second.published and second.documents == first.documents
    assert second.stats["cache"]["misses"] == 5


def test_the_flow_and_the_library_run_the_same_steps_and_write_the_same_manifest(seed_raw: Path,
                                                                                 tmp_path: Path) -> None:
    import json

    from commclean.config import Config
    from commclean.pipeline import run_pipeline
    from flows.build_corpus import build_corpus

    build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "flow"))
    run_pipeline(seed_raw, tmp_path / "library", Config())
    flow, library = (json.loads((tmp_path / name / "manifest.json").read_text()) for name in ("flow", "library"))
    assert "publish" not in flow["stats"]["milliseconds"]  # timed while the manifest is written
    assert set(flow["stats"]["milliseconds"]) == set(library["stats"]["milliseconds"])
    assert {"deduplicate", "build the output tables", "save run state (beside assembly and validation)"} <= set(
        flow["stats"]["milliseconds"])
    for manifest in (flow, library):
        del manifest["created_at"], manifest["stats"]["milliseconds"]
    assert flow == library
    assert _read(tmp_path / "flow") == _read(tmp_path / "library")


def test_a_batch_size_below_one_is_refused_by_name_before_any_work(seed_raw: Path, tmp_path: Path) -> None:
    from prefect.exceptions import ParameterTypeError

    from flows.build_corpus import build_corpus

    with pytest.raises(ParameterTypeError, match="batch_size"):
        build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "clean"), batch_size=0)
    assert not (tmp_path / "clean").exists()
