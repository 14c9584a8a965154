"""Warm the kernel's inode cache for a walk of raw/: a helper process stats, in threads, the
folders and files the last run listed (or, with no listings, walks raw/ itself in threads), while
the walk stats them again in its own order.

A scheduled run hours after the last finds the inodes of raw/ gone from the kernel's cache, and
each stat of the walk then waits on the disk: a million files took 77 s to discover that way,
33 s with this helper ahead of the walk (warm, 11.4 s and 12.6 s: benchmarks/RESULTS.md, so it
now ends as soon as it finds the inodes cached). A first build, or a --full one, has no listings
to go by: the helper then reads the folders themselves, several at a time. Threads in the walk's
own process were no good: the walk's Python work and theirs take turns at the interpreter lock
(warm, 9.3 s became 23 s). The helper only stats paths under raw/ whose every part is a plain
name (a link itself, not its target), never follows a link to a folder, and never opens a file."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_FOLDERS_PER_TASK = 512
_WALKED_PER_TASK = 64  # folders one thread reads before handing back what it found beneath them
_NO_LISTINGS = "-"
# The helper first times one share of folders on its own: read or stat'ed in under this a folder,
# the inodes are cached (28 us a folder cached, 290 us cold, benchmarks/RESULTS.md), and the helper
# ends there. Its threads would only have taken the second core from the walk (at 100k files,
# discovery with the caches warm took 2.3 s alone and 2.8 s beside a helper).
_WARM_SECONDS_A_FOLDER = 100e-6


def start_prefetch(raw_dir: Path, listings_file: Path | None, threads: int) -> subprocess.Popen | None:
    """The helper, started on the listings the last run kept, or to walk raw/ where there are
    none (a first or --full run); None if `threads` is 0. Stop it with stop_prefetch: it is of no
    use once the walk is done."""
    if threads < 1:
        return None
    listed = str(listings_file) if listings_file is not None and listings_file.is_file() else _NO_LISTINGS
    command = [sys.executable, "-m", __name__, str(Path(raw_dir).resolve()), listed, str(threads)]
    try:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    except OSError:
        return None  # only a speed-up: the walk does without it


def stop_prefetch(helper: subprocess.Popen | None) -> None:
    if helper is None:
        return
    helper.kill()
    helper.wait()


def prefetch(root: str, listings_file: str, threads: int, stop_if_warm: bool = True) -> int:
    """Stat every folder and file of the listings under root (unless the first share shows the
    inodes cached, and `stop_if_warm`); how many paths were stat'ed."""
    import pyarrow as pa  # here: a walk without listings starts quicker without it

    with pa.memory_map(listings_file) as source:
        table = pa.ipc.open_file(source).read_all()
    listed = list(zip(table.column("folder").to_pylist(), table.column("files").to_pylist()))

    def stat_some(start: int) -> int:
        done = 0
        for prefix, names in listed[start:start + _FOLDERS_PER_TASK]:
            if not _plain(prefix.split("/")[:-1]):
                continue
            folder = f"{root}/{prefix[:-1]}" if prefix else root
            for path in (folder, *(f"{folder}/{name}" for name in names or () if _plain([name]))):
                try:
                    os.stat(path, follow_symlinks=False)
                    done += 1
                except OSError:
                    pass
        return done

    starts = range(0, len(listed), _FOLDERS_PER_TASK)
    started = time.perf_counter()
    done = stat_some(0) if starts else 0
    if stop_if_warm and _warm(started, min(len(listed), _FOLDERS_PER_TASK)):
        return done
    with ThreadPoolExecutor(threads) as pool:
        return done + sum(pool.map(stat_some, starts[1:]))


def _warm(started: float, folders: int) -> bool:
    return time.perf_counter() - started < folders * _WARM_SECONDS_A_FOLDER


def walk(root: str, threads: int, stop_if_warm: bool = True) -> int:
    """Read every folder under root and stat each entry (the link, not its target), folders
    shared among threads, unless the first share shows the inodes cached (and `stop_if_warm`);
    how many paths were stat'ed. Folders that hide (".git") are left, as discovery leaves them.
    Discovery's walk takes the last folder it found first: so do these threads (last in, first
    out, each share read backwards), to stay ahead of it, not meet it."""
    below, stated_first = _read_folders([root])
    split = max(len(below) - _WALKED_PER_TASK, 0)
    first, below = below[split:], below[:split]
    started = time.perf_counter()
    below_first, stated_then = _read_folders(reversed(first))
    if stop_if_warm and first and _warm(started, len(first)):
        return stated_first + stated_then
    shares: queue.LifoQueue[list[str] | None] = queue.LifoQueue()
    _share_out(shares, below)
    _share_out(shares, below_first)
    stated = [stated_first + stated_then] + [0] * threads

    def read_shares(thread: int) -> None:
        while (folders := shares.get()) is not None:
            try:
                found, stated_here = _read_folders(reversed(folders))
                stated[thread] += stated_here
                _share_out(shares, found)
            finally:  # whatever happened, the share is done with: join() must not wait for ever
                shares.task_done()

    readers = [threading.Thread(target=read_shares, args=(thread,), daemon=True) for thread in range(1, threads + 1)]
    for reader in readers:
        reader.start()
    shares.join()
    for _ in readers:
        shares.put(None)
    for reader in readers:
        reader.join()
    return sum(stated)


def _share_out(shares: queue.LifoQueue[list[str] | None], folders: list[str]) -> None:
    for start in range(0, len(folders), _WALKED_PER_TASK):
        shares.put(folders[start:start + _WALKED_PER_TASK])


def _read_folders(folders: Iterable[str]) -> tuple[list[str], int]:
    below, stated = [], 0
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                stated += 1
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if not entry.name.startswith("."):
                            below.append(entry.path)
                    else:
                        entry.stat(follow_symlinks=False)
                        stated += 1
        except OSError:
            pass  # gone or unreadable: the walk itself says so
    return below, stated


def _plain(names: list[str]) -> bool:
    """Every one a name within its folder (the listings are a file anyone may have edited)."""
    return all(name not in ("", ".", "..") and "/" not in name and "\0" not in name for name in names)


if __name__ == "__main__":
    if sys.argv[2] == _NO_LISTINGS:
        walk(sys.argv[1], int(sys.argv[3]))
    else:
        prefetch(sys.argv[1], sys.argv[2], int(sys.argv[3]))
