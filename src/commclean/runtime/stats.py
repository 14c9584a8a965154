"""Counts of what each stage did, with a few examples of it, merged across batches into the run
summary and manifest."""

from __future__ import annotations

import bisect
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from commclean.examples import Example

# Sections every run summary and manifest has, empty when the stage had nothing to do (a run with
# no new file decodes nothing): a reader comparing manifests finds the same keys in each.
STAGE_SECTIONS = ("cache", "decode", "repair", "truncation", "metadata", "quarantine", "dedup", "assemble", "sources",
                  "corpus repairs", "milliseconds")
EXAMPLES_KEPT = 3  # per counted thing (a repair, a kind of duplicate): the first ones, in path order


@dataclass
class Stats:
    """Per-stage counters, e.g. stats.counts["decode"]["encoding:utf_8"] == 4."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, dict[str, list[Example]]] = field(default_factory=dict)

    def update(self, stage: str, key: str, n: int = 1) -> None:
        counter = self.counts.get(stage)
        if counter is None:  # not setdefault: it would build a Counter on every call
            counter = self.counts[stage] = Counter()
        counter[key] += n

    def keep_example(self, stage: str, key: str, path: str, build: Callable[[], Example | None]) -> None:
        """Keep the example `build` makes for the file at `path` while it is among the first
        EXAMPLES_KEPT in path order: the same examples, however the files were batched and in
        whatever order the batches came back. Past them it is not built at all (None: nothing to show)."""
        kept = self.examples.get(stage, {}).get(key, ())
        if len(kept) >= EXAMPLES_KEPT and path >= kept[-1].path:
            return
        if (example := build()) is not None:
            self._add_example(stage, key, example)

    def _add_example(self, stage: str, key: str, example: Example) -> None:
        kept = self.examples.setdefault(stage, {}).setdefault(key, [])
        bisect.insort(kept, example, key=lambda e: e.path)  # after those of its own file: their order stays
        del kept[EXAMPLES_KEPT:]

    def merge(self, other: Stats) -> Stats:
        for stage, counter in other.counts.items():
            self.counts.setdefault(stage, Counter()).update(counter)
        for stage, by_key in other.examples.items():
            for key, examples in by_key.items():
                for example in examples:
                    self._add_example(stage, key, example)
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

    def examples_as_dict(self) -> dict[str, dict[str, list[dict[str, str]]]]:
        return {stage: {key: [e.as_dict() for e in kept] for key, kept in sorted(by_key.items())}
                for stage, by_key in sorted(self.examples.items())}

    @classmethod
    def merged(cls, parts: list[Stats]) -> Stats:
        total = cls()
        for part in parts:
            total.merge(part)
        return total
