"""New files are handed to worker processes in batches small enough that none works on alone at the end, and
exact copies of a file are processed once; a Config with counts no run can work with is refused."""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from commclean.config import Config
from commclean.ingest.discover import discover
from commclean.pipeline.batches import identify_files, process_batch
from commclean.pipeline.sequence import run_pipeline
from commclean.pipeline.workspace import Workspace, discover_and_open
from commclean.runtime.workers import BATCHES_PER_WORKER, closing_within
from commclean.store import Folders

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


def _statements(raw: Path, count: int) -> None:
    raw.mkdir()
    for n in range(count):
        shutil.copy(GOLD[n % len(GOLD)], raw / f"{n:02}.txt")


def test_exact_copies_fall_in_one_batch_though_their_names_lie_far_apart(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _statements(raw, 12)
    # Shorter than every other file, so that the two copies lead the order by size.
    short = GOLD[0].read_text(encoding="utf-8")[:400]
    for name in ("00-copy.txt", "zz-copy.txt"):
        (raw / name).write_text(short, encoding="utf-8")

    batches = identify_files(discover(raw).files, Config(min_files_for_workers=100, batch_size=2), Workspace())

    (holding,) = [b for b in batches if "00-copy.txt" in {p.found.path for p in b.items}]
    assert {p.found.path for p in holding.items} == {"00-copy.txt", "zz-copy.txt"}
    assert sorted(p.found.path for b in batches for p in b.items) == sorted(f.name for f in raw.iterdir())


def _comparable(item: object) -> tuple:
    """A result with its fingerprint's arrays as bytes (an array's == gives no truth value)."""
    print_ = getattr(item, "fingerprint", None)
    if print_ is None:
        return (item,)
    return (replace(item, fingerprint=None), print_.exact_key, print_.samples.tobytes(), print_.sequence)


def test_a_batch_processes_a_content_once_and_each_copy_gets_what_processing_it_alone_gives(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _statements(raw, 4)
    shutil.copy(raw / "01.txt", raw / "copy-of-01.txt")
    shutil.copy(raw / "01.txt", raw / "second-copy-of-01.txt")
    (raw / "blank.txt").write_text(" \n" * 50, encoding="utf-8")
    (raw / "blank-copy.txt").write_text(" \n" * 50, encoding="utf-8")
    config = Config(min_files_for_workers=100)
    files = discover(raw).files

    (batch,) = identify_files(files, config, Workspace())
    done = process_batch(batch.work(), config)

    assert done.stats.counts["cache"]["exact copies in a batch (processed once)"] == 3
    results = {item.raw.path: item for item in (*done.items, *done.quarantined)}
    assert sorted(results) == sorted(f.path for f in files)
    for found in files:
        (alone,) = identify_files([found], config, Workspace())
        by_itself = process_batch(alone.work(), config)
        assert [_comparable(i) for i in (*by_itself.items, *by_itself.quarantined)] == [_comparable(results[found.path])]
        if by_itself.items:
            assert by_itself.packed[found.path].entry == done.packed[found.path].entry
            assert by_itself.packed[found.path].texts == done.packed[found.path].texts
    assert results["blank-copy.txt"].reason == results["blank.txt"].reason


def test_an_update_keeps_its_new_files_together_whatever_their_sizes(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    _statements(raw, 40)
    config = Config(workers=2, min_files_for_workers=10, batch_size=2_000)
    run_pipeline(raw, clean, config)
    # Two new statements, one shorter and one longer than every file there (by size, far apart).
    (raw / "zz-new").mkdir()
    (raw / "zz-new" / "a.txt").write_text(GOLD[0].read_text(encoding="utf-8")[:400] + " Added.", encoding="utf-8")
    (raw / "zz-new" / "b.txt").write_text("\n\n".join(g.read_text(encoding="utf-8") for g in GOLD[:3]),
                                          encoding="utf-8")

    discovery, workspace = discover_and_open(raw, Folders.of(clean), config, full=False)
    batches = identify_files(discovery.files, config, workspace)

    assert [sorted(p.found.path for p in b.items) for b in batches if b.items] == [["zz-new/a.txt", "zz-new/b.txt"]]


def test_a_config_with_counts_no_run_can_work_with_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"batch_size=0 \(at least 1\)"):
        Config(batch_size=0)
    with pytest.raises(ValueError, match=r"workers=-1 .*keep_snapshots=-2"):
        Config(workers=-1, keep_snapshots=-2)
    # Zero workers (everything in the run's process) and no snapshot kept but the current one stay valid.
    assert Config(workers=0, keep_snapshots=0, texts_held_mb=0).batch_size == 2_000


def test_a_batch_holds_at_most_batch_mb_of_files_and_a_larger_file_goes_alone(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _statements(raw, 6)
    (raw / "big.txt").write_text(GOLD[0].read_text(encoding="utf-8") * 1_000, encoding="utf-8")  # over 1 MB
    small = sum(f.stat().st_size for f in raw.iterdir() if f.name != "big.txt")
    assert small < 1 << 20 < (raw / "big.txt").stat().st_size

    batches = identify_files(discover(raw).files, Config(min_files_for_workers=100, batch_mb=1), Workspace())

    assert [sorted(p.found.path for p in b.items) for b in batches] == [
        ["big.txt"], sorted(f.name for f in raw.iterdir() if f.name != "big.txt")]


def _pool_and_its_workers(count: int) -> tuple[ProcessPoolExecutor, list[multiprocessing.Process]]:
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))
    assert sorted(pool.map(abs, range(-count, 0))) == list(range(1, count + 1))
    return pool, [p for p in multiprocessing.active_children() if p not in before]


def test_a_pool_still_closing_long_after_its_last_result_has_its_workers_killed() -> None:
    # A pool that hangs while it closes (CPython 3.11 can wait for ever on an idle worker) must
    # not hang the run: its workers, their results all taken, are killed after the grace period.
    with closing_within(0.5) as closing:
        pool, workers = _pool_and_its_workers(2)
        closing()
        time.sleep(3)  # the pool "hangs": nobody shuts it down within the grace period
        assert workers and not any(worker.is_alive() for worker in workers)
        assert {worker.exitcode for worker in workers} == {-signal.SIGKILL}
        pool.shutdown(wait=True, cancel_futures=True)  # returns: its workers are gone


def test_a_pool_that_closes_in_time_has_its_workers_end_as_they_would() -> None:
    with closing_within(0.5) as closing:
        pool, workers = _pool_and_its_workers(2)
        closing()
        pool.shutdown(wait=True)
    time.sleep(1)  # past the grace period: nothing is killed once the pool has closed
    assert workers and {worker.exitcode for worker in workers} == {0}
