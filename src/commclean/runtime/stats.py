"""Counts of what each stage did, merged across batches into the run summary and manifest."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


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
        return {stage: dict(sorted(c.items())) for stage, c in sorted(self.counts.items())}

    @classmethod
    def merged(cls, parts: list[Stats]) -> Stats:
        total = cls()
        for part in parts:
            total.merge(part)
        return total
