"""A full disk at any write of a run: the run stops saying so, readers keep the last good corpus,
and the next run (disk freed) publishes exactly what a full rebuild does."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from commclean import store
from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.pipeline.unchanged import PUBLISHED_FROM_FILE
from commclean.store import publish
from commclean.store.cache import ResultCache
from commclean.store.publish import current_version

from conftest import GOLD



def _tables(clean: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(clean / "corpus.parquet").to_pylist(), pq.read_table(clean / "sources.parquet").to_pylist()


class _Disk:
    """Every way a run writes under clean/, counted; the `fail_at`-th write finds the disk full."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> None:
        self.writes, self.fail_at = 0, fail_at
        self.written: list[str] = []  # the name of each file written atomically, else ""
        self._wrap(monkeypatch, store, "write_atomically", OSError(errno.ENOSPC, "No space left on device"))
        self._wrap(monkeypatch, publish, "_write_parquet", OSError(errno.ENOSPC, "No space left on device"))
        self._wrap(monkeypatch, ResultCache, "put_many", sqlite3.OperationalError("database or disk is full"))

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, full: Exception) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        def write(*args: Any, **kwargs: Any) -> Any:
            self.writes += 1
            self.written.append(args[0].name if isinstance(args[0], Path) else "")
            if self.writes == self.fail_at:
                raise full
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, write)


@pytest.mark.slow
def test_a_full_disk_at_any_write_keeps_the_last_corpus_and_the_next_run_recovers(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pristine = tmp_path / "pristine"
    assert run_pipeline(seed_raw, pristine, Config()).published
    published = _tables(pristine)
    sorted(seed_raw.iterdir())[-1].unlink()  # a file gone and a file new: both kinds of change
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    assert run_pipeline(seed_raw, tmp_path / "full", Config(), full=True).published
    expected = _tables(tmp_path / "full")

    with monkeypatch.context() as patch:  # how many writes a run makes
        counted = _Disk(patch)
        shutil.copytree(pristine, tmp_path / "counting", symlinks=True)
        assert run_pipeline(seed_raw, tmp_path / "counting", Config()).published
    assert counted.writes >= 8, counted.writes

    for fail_at in range(1, counted.writes + 1):
        clean = tmp_path / f"clean-{fail_at}"
        shutil.copytree(pristine, clean, symlinks=True)
        if counted.written[fail_at - 1] == PUBLISHED_FROM_FILE:
            # After the publish: the record of what it was built from is a shortcut for the next
            # run, whose loss fails nothing.
            with monkeypatch.context() as patch:
                _Disk(patch, fail_at)
                assert run_pipeline(seed_raw, clean, Config()).published
            assert current_version(clean) == 2 and _tables(clean) == expected, f"write {fail_at}"
            continue
        with monkeypatch.context() as patch:
            disk = _Disk(patch, fail_at)
            with pytest.raises((OSError, sqlite3.OperationalError)):
                run_pipeline(seed_raw, clean, Config())
            assert disk.writes >= fail_at
        assert current_version(clean) == 1 and _tables(clean) == published, f"write {fail_at}"
        assert run_pipeline(seed_raw, clean, Config()).published, f"write {fail_at}"
        assert _tables(clean) == expected, f"write {fail_at}"
