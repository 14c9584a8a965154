"""Arrow files read by memory mapping, whose pages the process lets go of as it reads on."""

from __future__ import annotations

import contextlib
import mmap
import threading
import time
import weakref
from pathlib import Path

import pyarrow as pa

# A mapped page, once read, counts in the process's resident memory until it is unmapped: one
# pass over a mapped corpus of a million statements would add its 4 GB of text to the run's
# process, though the page cache holds them and the process needs only the pages in hand. Every
# so often the process tells the kernel it no longer needs its mapped pages (MADV_DONTNEED, which
# for a read-only file mapping only drops them from the process: the next read finds them in
# the page cache again, or reads them from the file).
_LET_GO_EVERY_SECONDS = 0.5

_mappings: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()
_lock = threading.Lock()
_letting_go: threading.Thread | None = None


def mapped_table(path: Path) -> pa.Table:
    """The Arrow IPC file at `path` as a table of slices of its mapping: nothing is read until
    used, and what was read leaves this process's resident memory within a second. The mapping
    lives as long as the table (or any slice of it)."""
    with open(path, "rb") as file:
        mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(mapping))).read_all()
    _let_go_of_pages_of(mapping)
    return table


def _let_go_of_pages_of(mapping: mmap.mmap) -> None:
    global _letting_go
    with _lock:
        _mappings.add(mapping)
        if _letting_go is None:
            _letting_go = threading.Thread(target=_let_go_while_mapped, name="commclean-mapped-pages", daemon=True)
            _letting_go.start()


def _let_go_while_mapped() -> None:
    """Drop the mapped pages of every live mapping, until none is left (the thread then ends; a
    new mapping starts another). No mapping is held across the wait: a table let go of unmaps."""
    global _letting_go
    while True:
        time.sleep(_LET_GO_EVERY_SECONDS)
        with _lock:
            live = list(_mappings)
            if not live:
                _letting_go = None
                return
        for mapping in live:
            with contextlib.suppress(ValueError, OSError):  # closed meanwhile
                mapping.madvise(mmap.MADV_DONTNEED)
        live = mapping = None  # type: ignore[assignment]
