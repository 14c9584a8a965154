"""One run at a time per clean folder and per state folder: OS file locks that die with the process
holding them."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commclean.store import Folders

LOCK_FILE = ".run.lock"


class RunLocked(RuntimeError):
    """Another run holds the lock on this folder."""


@contextmanager
def run_lock(clean_dir: str | Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold <folder>/.run.lock for the length of a run. The kernel releases it when the holder
    exits, however it exits (SIGKILL included), so a killed run never leaves it stuck."""
    path = Path(clean_dir)
    path.mkdir(parents=True, exist_ok=True)
    handle = (path / LOCK_FILE).open("a+")
    try:
        _acquire(handle, path / LOCK_FILE, wait_seconds)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock


def _acquire(handle, path: Path, wait_seconds: float) -> None:  # noqa: ANN001 - a text file object
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text().strip() or "another process"
                raise RunLocked(
                    f"another commclean run is publishing to {path.parent} ({holder}); "
                    "wait for it to finish, or pass --wait SECONDS"
                ) from None
            time.sleep(0.2)


@contextmanager
def folders_locked(folders: Folders, wait_seconds: float = 0.0) -> Iterator[None]:
    """A run holds both locks, the clean folder's first (every publisher takes it: runs and
    rollback) and then its state folder's: two runs given different state folders still publish
    one at a time, and two given one state folder never write it together."""
    with run_lock(folders.clean, wait_seconds), run_lock(folders.state, wait_seconds):
        yield
