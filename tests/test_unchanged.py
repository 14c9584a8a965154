"""A run that finds raw/ file for file as the current snapshot was built from ends after discovery
(pipeline/unchanged.py): a scheduled run with nothing new costs a walk of raw/, not a build."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.store import MANIFEST_FILE
from commclean.store.publish import history, rollback

from conftest import GOLD

ONLY_DISCOVERY = ["discover raw files (and read the run state)"]


def _steps(summary) -> list[str]:  # noqa: ANN001 - a RunSummary
    return sorted(summary.stats["milliseconds"])


def test_a_run_with_nothing_new_ends_after_discovery_and_says_the_snapshot_stands(seed_raw: Path,
                                                                                  tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    first = run_pipeline(seed_raw, clean, Config())
    manifest = (clean / MANIFEST_FILE).read_bytes()
    again = run_pipeline(seed_raw, clean, Config())
    assert _steps(again) == ONLY_DISCOVERY
    assert (again.changed, again.snapshot, again.published) == (False, 1, True)
    assert (again.documents, again.duplicates, again.quarantined, again.files_read) == \
        (first.documents, first.duplicates, first.quarantined, first.files_read)
    assert again.duplicates_by_kind == first.duplicates_by_kind and again.report == first.report
    assert again.validation == "not run again: raw/ is file for file what v1 was built from, and v1 " + first.validation
    assert (again.changes.files_unchanged, again.changes.files_new, again.changes.documents_added) == (5, 0, 0)
    assert (clean / MANIFEST_FILE).read_bytes() == manifest and [s.version for s in history(clean)] == [1]


def test_a_file_rewritten_with_the_same_bytes_or_a_new_skipped_entry_runs_the_build(seed_raw: Path,
                                                                                      tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    first_file = sorted(seed_raw.iterdir())[0]
    stat = first_file.stat()
    os.utime(first_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = run_pipeline(seed_raw, clean, Config())
    assert "deduplicate" in touched.stats["milliseconds"] and not touched.changed  # read again, same output
    assert _steps(run_pipeline(seed_raw, clean, Config())) == ONLY_DISCOVERY  # and now known as it is
    (seed_raw / ".notes.txt").write_text("a hidden file", encoding="utf-8")
    hidden = run_pipeline(seed_raw, clean, Config())
    assert "deduplicate" in hidden.stats["milliseconds"] and hidden.skipped == 1


def test_a_new_file_publishes_and_the_run_after_it_ends_after_discovery(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    shutil.copy(GOLD[0], seed_raw / "new.txt")
    added = run_pipeline(seed_raw, clean, Config())
    assert (added.changed, added.snapshot) == (True, 2)
    after = run_pipeline(seed_raw, clean, Config())
    assert _steps(after) == ONLY_DISCOVERY and (after.snapshot, after.documents) == (2, added.documents)


def test_after_a_rollback_the_run_builds_again(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    shutil.copy(GOLD[0], seed_raw / "new.txt")
    run_pipeline(seed_raw, clean, Config())
    rollback(clean, 1)  # readers see v1, which was not built from this raw/
    rebuilt = run_pipeline(seed_raw, clean, Config())
    assert "deduplicate" in rebuilt.stats["milliseconds"] and (rebuilt.changed, rebuilt.snapshot) == (True, 3)


def test_an_edited_expectations_suite_runs_the_build_and_validation_again(seed_raw: Path, tmp_path: Path) -> None:
    suites = tmp_path / "expectations"
    shutil.copytree(Path(__file__).resolve().parents[1] / "expectations", suites)
    config = Config(validation=replace(Config().validation, expectations_dir=str(suites)))
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, config)
    corpus_suite = suites / "corpus.json"
    corpus_suite.write_text(json.dumps(json.loads(corpus_suite.read_text()), indent=1), encoding="utf-8")
    edited = run_pipeline(seed_raw, clean, config)
    assert "validate with Great Expectations (and stage the snapshot meanwhile)" in edited.stats["milliseconds"]
    assert edited.validation.startswith("passed")


def test_a_damaged_record_or_a_snapshot_that_cannot_say_what_it_holds_has_the_run_build(seed_raw: Path,
                                                                                       tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    (record,) = (clean / ".state").rglob("published-from.json")
    record.write_text("{not json", encoding="utf-8")
    assert "deduplicate" in run_pipeline(seed_raw, clean, Config()).stats["milliseconds"]
    assert _steps(run_pipeline(seed_raw, clean, Config())) == ONLY_DISCOVERY  # written again
    manifest = clean / "snapshots" / "v1" / MANIFEST_FILE
    manifest.write_text(json.dumps({key: value for key, value in json.loads(manifest.read_text()).items()
                                    if key != "validation"}), encoding="utf-8")
    assert "deduplicate" in run_pipeline(seed_raw, clean, Config()).stats["milliseconds"]
