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
        # What the block allocated is all still young: one look at it alone finds the few cycles
        # made meanwhile (Prefect's task engine makes some) before they are aged into the oldest
        # generation, where they would hold what they reach (a step's inputs: 0.4 GB at 30k
        # files) until a full collection. It costs 0.2 s at most per step at 30k files.
        gc.collect(0)
        _age_survivors()
        if was_enabled:
            gc.enable()


def _age_survivors() -> None:
    """Count everything the paused run allocated as old. Otherwise they all still sit in the
    youngest generation, and the first allocation after the collector resumes walks the lot
    (0.3 s at 100k files); moved to the oldest generation (freeze, then unfreeze: two list
    splices), they are looked at only when that generation's own turn comes."""
    gc.freeze()
    gc.unfreeze()
