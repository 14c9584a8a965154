"""New files are handed to worker processes in batches small enough that none works on alone at the end."""

from __future__ import annotations

import shutil
from pathlib import Path

from commclean.config import Config
from commclean.ingest.discover import discover
from commclean.pipeline.batches import identify_files
from commclean.pipeline.workspace import Workspace
from commclean.runtime.workers import BATCHES_PER_WORKER

from conftest import GOLD


def _batch_sizes(raw: Path, config: Config) -> list[int]:
    return [len(batch.items) for batch in identify_files(discover(raw).files, config, Workspace())]


def test_files_for_worker_processes_come_in_batches_enough_for_every_worker_to_the_end(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for n in range(40):
        shutil.copy(GOLD[n % len(GOLD)], raw / f"{n:02}.txt")

    sizes = _batch_sizes(raw, Config(workers=2, min_files_for_workers=10, batch_size=2_000))
    assert sum(sizes) == 40 and len(sizes) >= 2 * BATCHES_PER_WORKER and max(sizes) - min(sizes) <= 1

    # Never above the configured size, and as configured where no worker process starts.
    assert max(_batch_sizes(raw, Config(workers=2, min_files_for_workers=10, batch_size=3))) == 3
    assert _batch_sizes(raw, Config(workers=2, min_files_for_workers=100, batch_size=2_000)) == [40]
    # No worker processes at all (workers=0) is one process's work, whatever the size.
    assert sum(_batch_sizes(raw, Config(workers=0, min_files_for_workers=10, batch_size=2_000))) == 40
