"""Hands memory that Python has freed back to the system, where the C library would keep it."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import cache


def give_back_freed_memory() -> bool:
    """Return the C heap's free pages to the system; whether that could be done (glibc only).

    Texts and alignment sequences are allocated by the C library's malloc, which keeps freed
    pages for later use by Python. Arrow allocates through its own allocator and never gets
    them: without this, the hundreds of megabytes a run lets go of before building its Arrow
    tables would still count in its peak memory. Arrow's own pool (mimalloc) keeps the pages of
    the tables assembly built and let go of: those go back too (30k files: 40 MB)."""
    if "pyarrow" in sys.modules:  # only a process that has used Arrow has anything in its pool
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@cache
def _malloc_trim():  # noqa: ANN202 - a ctypes function, or None
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to give back this way
        return None
