"""Which pairs of distinct texts are worth aligning: those sharing enough sampled shingles. An
inverted index of the samples is kept up to date as texts come and go, so that a run adding a
few files finds their candidates without re-indexing the corpus, with the very pairs a full
build finds."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from commclean.config import DedupConfig

Pair = tuple[str, str]  # two exact keys, sorted


@dataclass
class SampleIndex:
    """Every (sample, text) of the indexed texts sorted by sample, and the candidate pairs.

    The definition it keeps true: a sample indexes if 2 to max_posting_list texts hold it
    (more is boilerplate); two texts are a candidate pair if they share enough indexing samples
    (at least min_shared_samples, and min_sample_share of the smaller text's samples)."""

    keys: list[str]  # slot -> exact key ("" once removed)
    sizes: np.ndarray  # slot -> number of samples of that text
    values: np.ndarray  # uint64, sorted
    slots: np.ndarray  # int32, the text holding values[i]
    candidates: set[tuple[int, int]]  # slot pairs, smaller slot first

    @classmethod
    def build(cls, texts: Mapping[str, np.ndarray], config: DedupConfig) -> SampleIndex:
        keys = sorted(texts)
        sizes = np.array([len(texts[k]) for k in keys], dtype=np.int64)
        slots = np.repeat(np.arange(len(keys), dtype=np.int32), sizes)
        values = np.concatenate([texts[k] for k in keys]) if keys else np.empty(0, np.uint64)
        order = np.argsort(values, kind="stable")
        values, slots = values[order], slots[order]
        del order
        index = cls(keys, sizes, values, slots, set())
        first, second, shared = _pairs_in_postings(index.values, index.slots, config)
        index.candidates = index._chosen(first, second, shared, config)
        return index

    def pairs(self) -> list[Pair]:
        return sorted(_sorted_pair(self.keys[a], self.keys[b]) for a, b in self.candidates)

    def update(self, texts: Mapping[str, np.ndarray], config: DedupConfig) -> None:
        """Index exactly `texts` now: remove texts gone, add new ones, and redo only the pairs
        whose count of shared indexing samples can have changed. Only the samples of texts not
        indexed yet are read from `texts`: the index holds those of the others (so a run need not
        load them)."""
        slot_of = {key: slot for slot, key in enumerate(self.keys) if key}
        if self.keys.count("") > len(self.keys) // 2:  # mostly freed slots: start the index afresh
            held = self._samples_of([key for key in texts if key in slot_of], slot_of)
            self.__dict__.update(SampleIndex.build({**texts, **held}, config).__dict__)
            return
        removed = np.array(sorted(slot_of[k] for k in slot_of.keys() - texts.keys()), dtype=np.int32)
        added_keys = sorted(texts.keys() - slot_of.keys())
        if len(removed) == 0 and not added_keys:
            return
        touched = [np.empty(0, np.uint64)]
        if len(removed):
            gone = np.isin(self.slots, removed)
            touched = [self.values[gone]]
            self.values, self.slots = self.values[~gone], self.slots[~gone]
        dropped = set(removed.tolist())
        self.candidates = {pair for pair in self.candidates if pair[0] not in dropped and pair[1] not in dropped}
        for slot in dropped:
            self.keys[slot] = ""

        first_new = len(self.keys)
        self.keys.extend(added_keys)
        new_sizes = np.array([len(texts[k]) for k in added_keys], dtype=np.int64)
        self.sizes = np.concatenate([self.sizes, new_sizes])
        new_values = np.concatenate([texts[k] for k in added_keys]) if added_keys else np.empty(0, np.uint64)
        new_slots = np.repeat(np.arange(first_new, len(self.keys), dtype=np.int32), new_sizes)
        order = np.argsort(new_values, kind="stable")
        new_values, new_slots = new_values[order], new_slots[order]
        self.values, self.slots = _merged(self.values, self.slots, new_values, new_slots)
        touched.append(new_values)

        # Pairs with a new text: all its shared samples are its own, so its counts are whole.
        first, second, shared = self._pairs_with_new(np.unique(new_values), first_new, config)
        self.candidates |= self._chosen(first, second, shared, config)
        # A sample crossing the boilerplate limit changes the count of every pair of older texts
        # holding it: those pairs are counted again from scratch.
        self._recount_across_limit(touched[0], new_values, first_new, config)

    def _pairs_with_new(self, new_values: np.ndarray, first_new: int,
                        config: DedupConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        start = np.searchsorted(self.values, new_values, side="left")
        end = np.searchsorted(self.values, new_values, side="right")
        keep = (end - start >= 2) & (end - start <= config.max_posting_list)
        rows = np.concatenate([np.arange(s, e) for s, e in zip(start[keep], end[keep])] or [np.empty(0, np.int64)])
        first, second, shared = _pairs_in_postings(self.values[rows], self.slots[rows], config)
        with_new = (first >= first_new) | (second >= first_new)
        return first[with_new], second[with_new], shared[with_new]

    def _recount_across_limit(self, removed_values: np.ndarray, new_values: np.ndarray, first_new: int,
                              config: DedupConfig) -> None:
        touched = np.unique(np.concatenate([removed_values, new_values]))
        start = np.searchsorted(self.values, touched, side="left")
        end = np.searchsorted(self.values, touched, side="right")
        now = end - start
        before = now - _count_at(touched, new_values) + _count_at(touched, removed_values)
        limit = config.max_posting_list
        # Texts present before and after share a touched sample only if it was held by two
        # or more then and now, so only its crossing of the upper limit changes their count.
        crossed = np.flatnonzero((before <= limit) != (now <= limit))
        affected: set[tuple[int, int]] = set()
        for i in crossed.tolist():
            held = self.slots[start[i] : end[i]]
            older = np.sort(held[held < first_new]).tolist()
            affected.update((a, b) for n, a in enumerate(older) for b in older[n + 1 :])
        if not affected:
            return
        self.candidates -= affected
        frequency = dict(zip(touched.tolist(), now.tolist()))
        slot_of = {self.keys[slot]: slot for pair in affected for slot in pair}
        held = self._samples_of(list(slot_of), slot_of)
        for a, b in affected:
            common = np.intersect1d(held[self.keys[a]], held[self.keys[b]], assume_unique=True)
            shared = sum(1 for v in common.tolist() if 2 <= (frequency.get(v) or self._frequency(v)) <= limit)
            if shared >= _needed(self.sizes[a], self.sizes[b], config):
                self.candidates.add((a, b))

    def _samples_of(self, keys: list[str], slot_of: Mapping[str, int]) -> dict[str, np.ndarray]:
        """The samples of indexed texts, from the index itself (each text's, sorted and unique)."""
        if not keys:
            return {}
        wanted = np.array(sorted(slot_of[key] for key in keys), dtype=np.int32)
        rows = np.flatnonzero(np.isin(self.slots, wanted))
        rows = rows[np.argsort(self.slots[rows], kind="stable")]  # by text, each text's values still sorted
        bounds = np.searchsorted(self.slots[rows], wanted, side="left").tolist() + [len(rows)]
        values = self.values[rows]
        return {self.keys[slot]: values[bounds[n] : bounds[n + 1]] for n, slot in enumerate(wanted.tolist())}

    def _frequency(self, value: int) -> int:
        v = np.uint64(value)
        return int(np.searchsorted(self.values, v, side="right") - np.searchsorted(self.values, v, side="left"))

    def _chosen(self, first: np.ndarray, second: np.ndarray, shared: np.ndarray,
                config: DedupConfig) -> set[tuple[int, int]]:
        keep = shared >= _needed(self.sizes[first], self.sizes[second], config)
        return set(zip(first[keep].tolist(), second[keep].tolist()))

    def save(self, path: Path) -> None:
        # pickle writes the arrays' buffers as they are: quicker than npz, whose zip checksums
        # every byte, and this file is only ever read back by this code.
        temporary = path.with_name(f".{path.name}.tmp")
        with temporary.open("wb") as out:
            pickle.dump(self, out, protocol=5)
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path) -> SampleIndex:
        with path.open("rb") as saved:
            index = pickle.load(saved)
        if not isinstance(index, cls):
            raise ValueError(f"{path} holds no sample index")
        return index


def _merged(values: np.ndarray, slots: np.ndarray, new_values: np.ndarray,
            new_slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted `new_values` (with their slots) merged into sorted `values`, each after its equals
    (np.insert does the same, several times slower on arrays of millions)."""
    at = np.searchsorted(values, new_values, side="right") + np.arange(len(new_values))
    kept = np.ones(len(values) + len(new_values), dtype=bool)
    kept[at] = False
    merged_values = np.empty(len(kept), dtype=values.dtype)
    merged_slots = np.empty(len(kept), dtype=slots.dtype)
    merged_values[at], merged_slots[at] = new_values, new_slots
    merged_values[kept], merged_slots[kept] = values, slots
    return merged_values, merged_slots


def _count_at(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many times each of the sorted unique `points` occurs in `values` (all of them points)."""
    counts = np.zeros(len(points), dtype=np.int64)
    if len(values):
        found, times = np.unique(values, return_counts=True)
        counts[np.searchsorted(points, found)] = times
    return counts


def _needed(size_a: np.ndarray | int, size_b: np.ndarray | int, config: DedupConfig) -> np.ndarray:
    # A copy shares a good part of its samples even when edited or cut; two statements that only
    # quote the same sentences share few, and are not worth aligning.
    smaller = np.minimum(size_a, size_b)
    return np.maximum(np.minimum(config.min_shared_samples, smaller), config.min_sample_share * smaller)


def _pairs_in_postings(values: np.ndarray, slots: np.ndarray,
                       config: DedupConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of texts in each indexing sample's posting list, with the number of such
    samples they share (values sorted; pairs as slot arrays, smaller slot first)."""
    if len(values) < 2:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]).astype(np.int32)
    sizes = np.diff(np.r_[starts, len(values)]).astype(np.int32)
    indexed = (sizes >= 2) & (sizes <= config.max_posting_list)
    starts, sizes = starts[indexed], sizes[indexed]
    # Rows of the indexing samples' posting lists, each with the end of its list (int32: at
    # 100k documents these arrays hold millions of entries).
    ends = np.repeat(starts + sizes, sizes)
    rows = np.arange(len(ends), dtype=np.int32) - np.repeat(np.cumsum(sizes) - sizes - starts, sizes)
    del starts, sizes, indexed
    keys = []
    offset = 1
    while True:  # pairs (row, row + offset) within a posting list, one offset at a time
        inside = rows + offset < ends
        rows, ends = rows[inside], ends[inside]
        if not len(rows):
            break
        a, b = slots[rows].astype(np.int64), slots[rows + offset].astype(np.int64)
        keys.append(np.minimum(a, b) << 32 | np.maximum(a, b))
        offset += 1
    if not keys:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    pairs, shared = np.unique(np.concatenate(keys), return_counts=True)
    return pairs >> 32, pairs & 0xFFFFFFFF, shared


def _sorted_pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)
