"""Publishing: immutable numbered snapshots, an atomic switch, history, rollback, one run at a time."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from commclean.cli import app
from commclean.store.lock import RunLocked, run_lock
from commclean.store.publish import current_version, history, publish, rollback
from commclean.records import Candidate
from commclean.schema import QUARANTINE_SCHEMA, sources_table


def _publish(candidate: Candidate, clean: Path, keep: int = 10, drop: int = 0) -> int:
    corpus = candidate.built
    corpus = corpus.slice(0, corpus.num_rows - drop)
    return publish(corpus, sources_table(candidate), {"counts": {"documents": corpus.num_rows}}, clean, keep).version


def test_each_publish_is_a_new_snapshot_that_readers_are_switched_to(seeds_candidate: Candidate, tmp_path: Path) -> None:
    assert [_publish(seeds_candidate, tmp_path), _publish(seeds_candidate, tmp_path, drop=1)] == [1, 2]
    assert [s.version for s in history(tmp_path)] == [1, 2]
    assert current_version(tmp_path) == 2
    for name in ("corpus.parquet", "sources.parquet", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "snapshots" / "v2" / name).read_bytes()
    assert pq.read_table(tmp_path / "corpus.parquet").num_rows == 3


def test_parquet_files_carry_pipeline_and_snapshot_versions(seeds_candidate: Candidate, tmp_path: Path) -> None:
    _publish(seeds_candidate, tmp_path)
    metadata = pq.read_schema(tmp_path / "corpus.parquet").metadata
    assert metadata[b"commclean.snapshot_version"] == b"1"
    assert b"commclean.pipeline_version" in metadata
    assert pq.read_schema(tmp_path / "corpus.parquet").field("date").metadata[b"description"]


def test_rollback_republishes_an_earlier_snapshot(seeds_candidate: Candidate, tmp_path: Path) -> None:
    _publish(seeds_candidate, tmp_path)
    first = (tmp_path / "corpus.parquet").read_bytes()
    _publish(seeds_candidate, tmp_path, drop=2)
    assert (tmp_path / "corpus.parquet").read_bytes() != first
    rollback(tmp_path, 1)
    assert (tmp_path / "corpus.parquet").read_bytes() == first
    assert current_version(tmp_path) == 1
    with pytest.raises(FileNotFoundError):
        rollback(tmp_path, 9)


def test_only_the_newest_snapshots_are_kept_and_never_the_current_one(seeds_candidate: Candidate, tmp_path: Path) -> None:
    for _ in range(4):
        _publish(seeds_candidate, tmp_path, keep=2)
    assert [s.version for s in history(tmp_path)] == [3, 4]
    rollback(tmp_path, 3)
    _publish(seeds_candidate, tmp_path, keep=1)
    assert [s.version for s in history(tmp_path)] == [5]


def test_history_and_rollback_commands(seeds_candidate: Candidate, tmp_path: Path) -> None:
    runner = CliRunner()
    assert "nothing published" in runner.invoke(app, ["history", "--clean", str(tmp_path)]).output
    _publish(seeds_candidate, tmp_path)
    _publish(seeds_candidate, tmp_path, drop=1)
    listed = runner.invoke(app, ["history", "--clean", str(tmp_path)]).output.splitlines()
    assert listed[0].startswith("  v1") and listed[1].startswith("* v2")
    assert runner.invoke(app, ["rollback", "1", "--clean", str(tmp_path)]).exit_code == 0
    assert current_version(tmp_path) == 1
    assert runner.invoke(app, ["rollback", "7", "--clean", str(tmp_path)]).exit_code == 2


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path: Path, lock_holder) -> None:  # noqa: ANN001
    holder = lock_holder(tmp_path)
    started = time.monotonic()
    with pytest.raises(RunLocked, match=f"pid {holder.pid}"):
        with run_lock(tmp_path, wait_seconds=0.5):
            pass
    assert time.monotonic() - started >= 0.5


def test_a_killed_run_never_leaves_the_lock_stuck(tmp_path: Path, lock_holder) -> None:  # noqa: ANN001
    holder = lock_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with run_lock(tmp_path):
        pass


def test_current_pointing_at_something_else_is_no_version_and_history_still_lists(
        seeds_candidate: Candidate, tmp_path: Path) -> None:
    _publish(seeds_candidate, tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "current").unlink()
    (tmp_path / "current").symlink_to("elsewhere")
    assert current_version(tmp_path) is None
    result = CliRunner().invoke(app, ["history", "--clean", str(tmp_path)])
    assert result.exit_code == 0 and "v1" in result.output and "* " not in result.output
    assert _publish(seeds_candidate, tmp_path) == 2 and current_version(tmp_path) == 2


def test_rollback_on_a_missing_clean_folder_says_so_and_creates_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rollback", "1", "--clean", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_raw_path_that_is_a_file_is_reported_as_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "raw").write_text("not a folder")
    result = CliRunner().invoke(app, ["run", "--raw", str(tmp_path / "raw"), "--clean", str(tmp_path / "clean")])
    assert result.exit_code == 2 and "is not a folder" in result.output


@pytest.mark.parametrize("inside", [".", "clean", "deeper/clean"])
def test_a_clean_folder_inside_raw_is_refused_before_anything_is_written(seed_raw: Path, inside: str) -> None:
    clean = seed_raw / inside
    before = sorted(p.name for p in seed_raw.rglob("*"))
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code == 2 and "inside the raw folder" in result.output
    assert sorted(p.name for p in seed_raw.rglob("*")) == before
    from commclean.config import Config
    from commclean.ingest.discover import FolderClash
    from commclean.pipeline import run_pipeline

    with pytest.raises(FolderClash):
        run_pipeline(seed_raw, clean, Config())


def test_a_clean_folder_that_cannot_be_written_is_said_in_one_line_with_exit_4(seed_raw: Path, tmp_path: Path) -> None:
    (tmp_path / "clean").write_text("a file where the clean folder should be")
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(tmp_path / "clean")])
    assert result.exit_code == 4
    assert "cannot be written" in result.output and "Traceback" not in result.output


def test_a_raw_folder_inside_the_clean_folder_is_refused(seed_raw: Path) -> None:
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(seed_raw.parent)])
    assert result.exit_code == 2 and "inside the clean folder" in result.output


def test_an_unreachable_prefect_server_is_one_line_with_exit_4_and_the_traceback_only_with_debug(
        seed_raw: Path, tmp_path: Path) -> None:
    def run(clean: str, api_url: str, *flags: str):  # noqa: ANN202 - click's Result
        return CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(tmp_path / clean), *flags],
                                  env={"PREFECT_API_URL": api_url})

    refused = "http://127.0.0.1:9/api"  # nothing listens on port 9
    plain = run("clean", refused)
    assert plain.exit_code == 4, plain.output[-2000:]
    (line,) = plain.stderr.splitlines()
    assert "127.0.0.1:9" in line and "cannot be reached" in line
    debug = run("other", refused, "--debug")
    assert debug.exit_code != 0 and "cannot be reached" in str(debug.exception)
    nowhere = run("third", "http://no-such-host.invalid:4200/api")  # a name that never resolves
    assert nowhere.exit_code == 4 and "no-such-host.invalid" in nowhere.stderr and "cannot be reached" in nowhere.stderr
    assert not any((tmp_path / name / "corpus.parquet").exists() for name in ("clean", "other", "third"))


def test_rollback_on_a_folder_that_is_no_corpus_refuses_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("someone else's folder")
    result = CliRunner().invoke(app, ["rollback", "1", "--clean", str(tmp_path)])
    assert result.exit_code == 2 and "no commclean snapshots" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    history = CliRunner().invoke(app, ["history", "--clean", str(tmp_path)])
    assert history.exit_code == 0 and "nothing published" in history.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_everything_published_is_readable_by_other_users(seed_raw: Path, tmp_path: Path) -> None:
    import os
    import stat

    from commclean.config import Config
    from commclean.pipeline import run_pipeline
    from commclean.read import current_snapshot

    clean = tmp_path / "clean"
    previous = os.umask(0o022)  # the usual umask: group and others may read
    try:
        run_pipeline(seed_raw, clean, Config())
    finally:
        os.umask(previous)
    snapshot = current_snapshot(clean)
    for path in (clean, clean / "snapshots", snapshot, *snapshot.rglob("*")):
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o005 if path.is_dir() else 0o004  # folders: read and enter; files: read
        assert mode & wanted == wanted, f"{path.relative_to(tmp_path)} is {oct(mode)}"


def test_diff_names_the_documents_and_files_that_changed_between_snapshots(seed_raw: Path, tmp_path: Path) -> None:
    import json
    import shutil

    from commclean.config import Config
    from commclean.pipeline import run_pipeline
    from conftest import PROJECT

    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    gold = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))[0]
    shutil.copy(gold, seed_raw / "new.txt")  # a document added
    removed = sorted(seed_raw.glob("00[02]_*.txt"))
    removed[0].unlink()  # a document gone
    edited = removed[1]  # a document whose text changes: a new id, the same canonical file
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA closing paragraph added later.\n", encoding="utf-8")
    summary = run_pipeline(seed_raw, clean, Config())
    assert "files read:   5 (1 new, 1 changed, 3 unchanged, 1 gone since v1)" in summary.lines()[0]
    result = CliRunner().invoke(app, ["diff", "1", "--clean", str(clean)])
    assert result.exit_code == 0, result.output
    assert "v1 -> v2" in result.output and "documents: 1 added, 1 removed, 1 changed" in result.output
    assert "(new.txt)" in result.output and f"({removed[0].name})" in result.output
    assert "text" in [line for line in result.output.splitlines() if line.startswith("  ~ ")][0]
    assert "files: 1 new, 1 changed, 1 gone, 0 with another status" in result.output
    assert f"  * {edited.name}: other bytes" in result.output
    as_json = json.loads(CliRunner().invoke(app, ["diff", "1", "2", "--clean", str(clean), "--json"]).output)
    assert as_json["files_new"] == ["new.txt"] and as_json["changed"][0]["was"] != as_json["changed"][0]["doc_id"]
    assert as_json["files_changed"] == [edited.name]
    missing = CliRunner().invoke(app, ["diff", "7", "--clean", str(clean)])
    assert missing.exit_code == 2 and "no snapshot v7" in missing.output


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_the_run_summary_says_what_changed_and_prints_as_json(seed_raw: Path, tmp_path: Path) -> None:
    import json
    import shutil

    from conftest import PROJECT

    clean = tmp_path / "clean"
    first = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert "files read:   5 (5 new, 0 changed, 0 unchanged, 0 gone (nothing was published before))" in first.output
    assert "duplicates:   1 (truncated copy 1)" in first.output and "published:    yes: v1" in first.output
    (seed_raw / "empty.txt").write_bytes(b"")
    shutil.copy(sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))[0], seed_raw / "new.txt")
    second = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean), "--json"])
    assert second.exit_code == 0, second.output
    summary = json.loads(second.stdout)
    assert summary["changes"] == {"since": 1, "files_new": 2, "files_unchanged": 5, "files_gone": 0,
                                  "files_changed": 0, "documents_added": 1, "documents_changed": 0,
                                  "documents_removed": 0}
    assert summary["quarantined_files"] == [["empty.txt", "empty file"]] and summary["snapshot"] == 2
    manifest = json.loads((clean / "manifest.json").read_text())
    assert manifest["changes"] == summary["changes"] and manifest["duplicates_by_kind"] == {"truncated copy": 1}
    version = CliRunner().invoke(app, ["--version"])
    from commclean.config import PIPELINE_VERSION

    assert version.exit_code == 0 and f"(pipeline {PIPELINE_VERSION})" in version.output


def test_a_corpus_is_written_in_row_groups_of_the_size_asked_for_and_reads_back_whole(
        seeds_candidate: Candidate, tmp_path: Path) -> None:
    corpus = seeds_candidate.built
    publish(corpus, sources_table(seeds_candidate), {"counts": {}}, tmp_path / "default")
    assert pq.ParquetFile(tmp_path / "default" / "corpus.parquet").num_row_groups == 1  # a few KB
    two_rows = -(-2 * corpus.nbytes // corpus.num_rows)  # rounded up: two rows, on average
    publish(corpus, sources_table(seeds_candidate), {"counts": {}}, tmp_path / "small", row_group_bytes=two_rows)
    written = pq.ParquetFile(tmp_path / "small" / "corpus.parquet")
    assert [written.metadata.row_group(g).num_rows for g in range(written.num_row_groups)] == [2, 2]
    assert written.read().select(corpus.column_names).equals(corpus)


def test_a_published_corpus_compared_a_row_group_at_a_time_finds_a_difference_in_any_row(
        seeds_candidate: Candidate, tmp_path: Path) -> None:
    from commclean.store import carry

    corpus, sources = seeds_candidate.built, sources_table(seeds_candidate)
    publish(corpus, sources, {"counts": {}}, tmp_path, row_group_bytes=1)  # a row per group
    snapshot = carry.PublishedSnapshot(tmp_path / "snapshots" / "v1", 1, {}, None)
    nothing_set_aside = QUARANTINE_SCHEMA.empty_table()
    assert snapshot.same_output(corpus, sources, nothing_set_aside)
    for row in range(corpus.num_rows):  # a row's repairs differ: the diff of documents does not see it
        repairs = corpus.column("repairs").to_pylist()
        repairs[row] = [*repairs[row], "consensus_from_copies"]
        other = corpus.set_column(corpus.column_names.index("repairs"), corpus.schema.field("repairs"),
                                  pa.array(repairs, corpus.schema.field("repairs").type))
        assert not snapshot.same_output(other, sources, nothing_set_aside), row
    assert not snapshot.same_output(corpus.slice(1), sources, nothing_set_aside)


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError])
def test_a_run_stopped_between_staging_and_publishing_leaves_no_staged_snapshot(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]) -> None:
    from commclean.config import Config
    from commclean.pipeline import run_pipeline, sequence

    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    published = (clean / "corpus.parquet").read_bytes()
    (seed_raw / "new.txt").write_text("Joint Statement\n\nThe two ministers met in Rome on 5 May 2022. " * 20)

    def stopped(*_: object) -> None:
        raise stop()

    monkeypatch.setattr(sequence, "changes_since", stopped)  # after validation and staging, before the switch
    with pytest.raises(stop):
        run_pipeline(seed_raw, clean, Config())
    assert not list(clean.glob(".staging-*"))  # a corpus' size, not left for the next run to remove
    assert current_version(clean) == 1 and (clean / "corpus.parquet").read_bytes() == published
    monkeypatch.undo()
    assert run_pipeline(seed_raw, clean, Config()).snapshot == 2
