"""A run killed with SIGKILL at any point leaves readers a complete version, and the next run
publishes the right corpus."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.publish import CRASH_AT_ENV, current_version

from conftest import PROJECT

GOLD = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))
RUN = "import sys\nfrom commclean.config import Config\nfrom commclean.pipeline import run_pipeline\nrun_pipeline(sys.argv[1], sys.argv[2], Config())"


def _tables(folder: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(folder / "corpus.parquet").to_pylist(), pq.read_table(folder / "sources.parquet").to_pylist()


@pytest.mark.parametrize("point", ["built", "snapshot-staged", "snapshot-written", "switched"])
def test_a_killed_run_leaves_a_complete_version_and_the_next_run_recovers(point: str, seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run_pipeline(seed_raw, clean, Config())
    before = _tables(clean)
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")

    killed = subprocess.run([sys.executable, "-c", RUN, str(seed_raw), str(clean)],
                            env={**os.environ, CRASH_AT_ENV: point}, capture_output=True)
    assert killed.returncode == -signal.SIGKILL

    # Readers see one whole version: the previous one, or (killed after the switch) the new one.
    expected = 2 if point == "switched" else 1
    assert current_version(clean) == expected
    assert _tables(clean) == _tables(clean / "snapshots" / f"v{expected}")
    if point != "switched":
        assert _tables(clean) == before

    summary = run_pipeline(seed_raw, clean, Config())
    assert summary.published
    fresh = tmp_path / "fresh"
    run_pipeline(seed_raw, fresh, Config())
    assert _tables(clean) == _tables(fresh)
    assert len(_tables(clean)[0]) == 5
    assert not list(clean.glob(".staging-*"))
