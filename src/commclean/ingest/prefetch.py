"""Warm the kernel's inode cache for a walk of raw/: a helper process stats, in threads, the
folders and files the last run listed, while the walk stats them again in its own order.

A scheduled run hours after the last finds the inodes of raw/ gone from the kernel's cache, and
each stat of the walk then waits on the disk: a million files took 77 s to discover that way,
33 s with this helper ahead of the walk (warm, 11.4 s and 12.6 s: benchmarks/RESULTS.md).
Threads in the walk's own process were no good: the walk's Python work and theirs take turns
at the interpreter lock (warm, 9.3 s became 23 s). The helper only stats paths under raw/
whose every part is a plain name (a link itself, not its target), and never opens a file."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

_FOLDERS_PER_TASK = 512


def start_prefetch(raw_dir: Path, listings_file: Path, threads: int) -> subprocess.Popen | None:
    """The helper, started on the listings the last run kept; None if there are none or
    `threads` is 0. Stop it with stop_prefetch: it is of no use once the walk is done."""
    if threads < 1 or not listings_file.is_file():
        return None
    command = [sys.executable, "-m", __name__, str(Path(raw_dir).resolve()), str(listings_file), str(threads)]
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


def prefetch(root: str, listings_file: str, threads: int) -> int:
    """Stat every folder and file of the listings under root; how many paths were stat'ed."""
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

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(stat_some, range(0, len(listed), _FOLDERS_PER_TASK)))


def _plain(names: list[str]) -> bool:
    """Every one a name within its folder (the listings are a file anyone may have edited)."""
    return all(name not in ("", ".", "..") and "/" not in name and "\0" not in name for name in names)


if __name__ == "__main__":
    prefetch(sys.argv[1], sys.argv[2], int(sys.argv[3]))
