"""Pauses Python's cyclic garbage collector while a run builds its records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """A run holds millions of long-lived records (a stamp, an entry and a ledger row per file),
    and every collection of the oldest generation walks all of them: at 100k files that was a
    third of an incremental run. The records hold no reference cycles, so reference counting
    frees each as soon as it is dropped; only the few cycles other code makes wait for the
    collector, which runs again as usual once the run is over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
