"""The clean folder holds only what readers read; what only runs read (cache, run state, failed
runs, the run lock) lives in a state folder: clean/.state, hidden from dataset loaders, or the
folder `--state` names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from commclean.cli import app
from commclean.config import Config
from commclean.ingest.discover import FolderClash
from commclean.pipeline import run_pipeline
from commclean.store.publish import rollback
from conftest import GOLD

READERS_NEED = {"corpus.parquet", "sources.parquet", "quarantine.parquet", "manifest.json", "README.md",
                "report.html", "current", "snapshots"}
UNCHANGED = "files not read (stat unchanged)"


def _visible(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


def test_the_clean_folder_holds_only_what_readers_need(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    assert _visible(clean) == READERS_NEED
    assert {p.name for p in clean.iterdir()} - READERS_NEED == {".state", ".run.lock"}
    assert (clean / "README.md").read_text() == (clean / "current" / "README.md").read_text()
    assert (clean / ".state" / "cache").is_dir()


def test_a_state_folder_elsewhere_keeps_what_runs_learned_and_nothing_of_it_in_clean(seed_raw: Path,
                                                                                     tmp_path: Path) -> None:
    clean, state = tmp_path / "clean", tmp_path / "state"
    first = run_pipeline(seed_raw, clean, Config(), state_dir=state)
    again = run_pipeline(seed_raw, clean, Config(), state_dir=state)
    assert first.stats["cache"]["misses"] == 5 and again.stats["cache"][UNCHANGED] == 5
    assert _visible(clean) == READERS_NEED and not (clean / ".state").exists()
    assert any((state / "cache").glob("results-*.sqlite"))
    run_pipeline(seed_raw, tmp_path / "default", Config())
    assert pq.read_table(clean / "corpus.parquet").equals(pq.read_table(tmp_path / "default" / "corpus.parquet"))


def test_a_clean_folder_from_before_the_state_folder_keeps_its_cache(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    (clean / ".state" / "cache").rename(clean / "cache")  # where versions before 0.5 kept it
    shutil.rmtree(clean / ".state")
    for record in (clean / "cache").rglob("published-from.json"):
        record.unlink()  # which they did not write: the run builds, from the cache it adopted
    stats = run_pipeline(seed_raw, clean, Config()).stats
    assert stats["cache"][UNCHANGED] == 5 and stats["cache"]["misses"] == 0
    assert not (clean / "cache").exists() and (clean / ".state" / "cache").is_dir()


@pytest.mark.parametrize("inside", ["state", "deeper/state"])
def test_a_state_folder_inside_raw_is_refused_before_anything_is_written(seed_raw: Path, tmp_path: Path,
                                                                         inside: str) -> None:
    before = sorted(p.name for p in seed_raw.rglob("*"))
    clean, state = tmp_path / "clean", seed_raw / inside
    with pytest.raises(FolderClash, match="state folder"):
        run_pipeline(seed_raw, clean, Config(), state_dir=state)
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean), "--state", str(state)])
    assert result.exit_code == 2 and "state folder" in result.output and "inside the raw folder" in result.output
    assert sorted(p.name for p in seed_raw.rglob("*")) == before


def test_a_rollback_to_a_snapshot_without_a_report_leaves_no_dangling_link(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    run_pipeline(seed_raw, clean, Config())
    (clean / "snapshots" / "v1" / "report.html").unlink()  # as a snapshot of an older version has none
    rollback(clean, 1)
    assert not (clean / "report.html").is_symlink() and (clean / "README.md").is_file()
    rollback(clean, 2)
    assert (clean / "report.html").read_bytes() == (clean / "snapshots" / "v2" / "report.html").read_bytes()
