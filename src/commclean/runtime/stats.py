"""Counts of what each stage did, merged across batches into the run summary and manifest."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# Sections every run summary and manifest has, empty when the stage had nothing to do (a run with
# no new file decodes nothing): a reader comparing manifests finds the same keys in each.
STAGE_SECTIONS = ("cache", "decode", "repair", "truncation", "metadata", "quarantine", "dedup", "assemble", "sources",
                  "corpus repairs", "milliseconds")


@dataclass
class Stats:
    """Per-stage counters, e.g. stats.counts["decode"]["encoding:utf_8"] == 4."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def update(self, stage: str, key: str, n: int = 1) -> None:
        counter = self.counts.get(stage)
        if counter is None:  # not setdefault: it would build a Counter on every call
            counter = self.counts[stage] = Counter()
        counter[key] += n

    def merge(self, other: Stats) -> Stats:
        for stage, counter in other.counts.items():
            self.counts.setdefault(stage, Counter()).update(counter)
        return self

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Count the step's wall time, in milliseconds, under "milliseconds"."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.update("milliseconds", step, round((time.perf_counter() - started) * 1000))

    def as_dict(self) -> dict[str, dict[str, int]]:
        """Every stage's counts, the STAGE_SECTIONS included even when empty."""
        stages = sorted({*self.counts, *STAGE_SECTIONS})
        return {stage: dict(sorted(self.counts.get(stage, Counter()).items())) for stage in stages}

    @classmethod
    def merged(cls, parts: list[Stats]) -> Stats:
        total = cls()
        for part in parts:
            total.merge(part)
        return total
