"""Which pairs of distinct texts are worth aligning: those sharing enough sampled shingles. An
inverted index of the samples is kept up to date as texts come and go, so that a run adding a
few files finds their candidates without re-indexing the corpus, with the very pairs a full
build finds."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from commclean import store
from commclean.config import DedupConfig

Pair = tuple[str, str]  # two exact keys, sorted


# The index keeps its bulk (the entries of a full build) in files it maps without reading, and
# what later runs add in a small part of its own; removed texts' entries only stop counting.
# Both parts are merged into a new bulk once the added part or the dead entries grow past these
# shares of the bulk: until then a run rewrites a few megabytes, not the whole index.
_ADDED_SHARE_BEFORE_MERGE = 1 / 8
_DEAD_SHARE_BEFORE_MERGE = 1 / 4
_EMPTY_VALUES = np.empty(0, np.uint64)
_EMPTY_SLOTS = np.empty(0, np.int32)
_EMPTY_KEYS, _EMPTY_COUNTS, _EMPTY_ROWS = np.empty(0, np.int64), np.empty(0, np.int32), np.empty(0, np.intp)
_SORT_PART_BITS = 3  # a full build sorts its entries an eighth of the value range at a time
_TEXTS_PER_GROUP = 4096  # and gathers each eighth from this many texts' samples at a time


@dataclass
class SampleIndex:
    """Every (sample, text) of the indexed texts sorted by sample, and the candidate pairs.

    The definition it keeps true: a sample indexes if 2 to max_posting_list texts hold it
    (more is boilerplate); two texts are a candidate pair if they share enough indexing samples
    (at least min_shared_samples, and min_sample_share of the smaller text's samples).

    Entries live in two sorted parts, the bulk (values, slots) and the added part; a text's
    entries are all in one of them. The bulk may still hold entries of removed texts (whose
    key is ""): every count skips them."""

    keys: list[str]  # slot -> exact key ("" once removed)
    sizes: np.ndarray  # slot -> number of samples of that text
    values: np.ndarray  # uint64, sorted: the bulk (read-only when mapped from a saved index)
    slots: np.ndarray  # int32, the text holding values[i]
    candidates: set[tuple[int, int]]  # slot pairs, smaller slot first
    added_values: np.ndarray = field(default_factory=lambda: _EMPTY_VALUES)  # uint64, sorted
    added_slots: np.ndarray = field(default_factory=lambda: _EMPTY_SLOTS)
    dead_entries: int = 0  # bulk entries of removed texts
    bulk_file: str | None = None  # the saved bulk these arrays are mapped from, if any

    @classmethod
    def build(cls, texts: Mapping[str, np.ndarray], config: DedupConfig) -> SampleIndex:
        keys = sorted(texts)
        sizes = np.array([len(texts[k]) for k in keys], dtype=np.int64)
        values, slots = _sorted_entries([texts[k] for k in keys], sizes)
        index = cls(keys, sizes, values, slots, set())
        index.candidates = set()
        for first, second, shared in _pairs_in_parts(index.values, index.slots, sizes, config):
            index.candidates |= index._chosen(first, second, shared, config)
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
        removed_values = self._remove(removed) if len(removed) else _EMPTY_VALUES

        first_new = len(self.keys)
        self.keys.extend(added_keys)
        new_sizes = np.array([len(texts[k]) for k in added_keys], dtype=np.int64)
        self.sizes = np.concatenate([self.sizes, new_sizes])
        new_values = np.concatenate([texts[k] for k in added_keys]) if added_keys else _EMPTY_VALUES
        new_slots = np.repeat(np.arange(first_new, len(self.keys), dtype=np.int32), new_sizes)
        order = np.argsort(new_values, kind="stable")
        new_values, new_slots = new_values[order], new_slots[order]
        self.added_values, self.added_slots = _merged(self.added_values, self.added_slots, new_values, new_slots)

        # Pairs with a new text: all its shared samples are its own, so its counts are whole.
        first, second, shared = _pairs_in_postings(*self._entries_of(np.unique(new_values)), config)
        with_new = (first >= first_new) | (second >= first_new)
        self.candidates |= self._chosen(first[with_new], second[with_new], shared[with_new], config)
        # A sample crossing the boilerplate limit changes the count of every pair of older texts
        # holding it: those pairs are counted again from scratch.
        self._recount_across_limit(removed_values, new_values, first_new, config)
        self._merge_parts_when_due()

    def _remove(self, removed: np.ndarray) -> np.ndarray:
        """Forget the texts in `removed` slots; the values their entries held."""
        in_bulk = self._held_by(removed, self.slots)
        in_added = self._held_by(removed, self.added_slots)
        gone = np.concatenate([self.values[in_bulk], self.added_values[in_added]])
        self.dead_entries += int(np.count_nonzero(in_bulk))
        self.added_values, self.added_slots = self.added_values[~in_added], self.added_slots[~in_added]
        dropped = set(removed.tolist())
        self.candidates = {pair for pair in self.candidates if pair[0] not in dropped and pair[1] not in dropped}
        for slot in dropped:
            self.keys[slot] = ""
        return gone

    def _entries_of(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every live entry whose value is in the sorted unique `query`: (values, slots) sorted
        by value."""
        parts = [_entries_in(values, slots, query)
                 for values, slots in ((self.values, self.slots), (self.added_values, self.added_slots))]
        values, slots = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        if self.dead_entries:
            live = self._live_slots()[slots]
            values, slots = values[live], slots[live]
        order = np.argsort(values, kind="stable")
        return values[order], slots[order]

    def _live_slots(self) -> np.ndarray:
        return np.array([bool(key) for key in self.keys], dtype=bool)

    def _recount_across_limit(self, removed_values: np.ndarray, new_values: np.ndarray, first_new: int,
                              config: DedupConfig) -> None:
        touched = np.unique(np.concatenate([removed_values, new_values]))
        values, slots = self._entries_of(touched)
        start = np.searchsorted(values, touched, side="left")
        end = np.searchsorted(values, touched, side="right")
        now = end - start
        before = now - _count_at(touched, new_values) + _count_at(touched, removed_values)
        limit = config.max_posting_list
        # Texts present before and after share a touched sample only if it was held by two
        # or more then and now, so only its crossing of the upper limit changes their count.
        # A sample crossing it upwards stops indexing: a pair's count can only fall, so a pair of
        # them that is no candidate stays none (a corpus's common phrases cross it as copies
        # arrive, each with a posting list's worth of such pairs: 105,000 at 100k documents).
        affected: set[tuple[int, int]] = set()
        for i in np.flatnonzero((before > limit) & (now <= limit)).tolist():
            affected.update(_older_pairs(slots[start[i] : end[i]], first_new))
        for i in np.flatnonzero((before <= limit) & (now > limit)).tolist():
            affected.update(pair for pair in _older_pairs(slots[start[i] : end[i]], first_new)
                            if pair in self.candidates)
        if not affected:
            return
        self.candidates -= affected
        slot_of = {self.keys[slot]: slot for pair in affected for slot in pair}
        held_samples = self._samples_of(list(slot_of), slot_of)
        common = {(a, b): np.intersect1d(held_samples[self.keys[a]], held_samples[self.keys[b]], assume_unique=True)
                  for a, b in affected}
        frequency = self._frequencies(np.unique(np.concatenate([_EMPTY_VALUES, *common.values()])))
        for (a, b), shared_values in common.items():
            times = frequency(shared_values)
            shared = int(np.count_nonzero((times >= 2) & (times <= limit)))
            if shared >= _needed(self.sizes[a], self.sizes[b], config):
                self.candidates.add((a, b))

    def _frequencies(self, points: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """How many texts hold each of some of the sorted unique `points`."""
        values, _ = self._entries_of(points)
        counts = np.searchsorted(values, points, side="right") - np.searchsorted(values, points, side="left")
        return lambda wanted: counts[np.searchsorted(points, wanted)]

    def _samples_of(self, keys: list[str], slot_of: Mapping[str, int]) -> dict[str, np.ndarray]:
        """The samples of indexed texts, from the index itself (each text's, sorted and unique)."""
        if not keys:
            return {}
        wanted = np.array(sorted(slot_of[key] for key in keys), dtype=np.int32)
        values, slots = self._entries_held_by(wanted)
        order = np.argsort(slots, kind="stable")  # by text, each text's values still sorted
        values, slots = values[order], slots[order]
        bounds = np.searchsorted(slots, wanted, side="left").tolist() + [len(slots)]
        return {self.keys[slot]: values[bounds[n] : bounds[n + 1]] for n, slot in enumerate(wanted.tolist())}

    def _entries_held_by(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries of the texts in `wanted` slots, each part's in value order."""
        parts = ((self.values, self.slots), (self.added_values, self.added_slots))
        chosen = [self._held_by(wanted, slots) for _, slots in parts]
        return (np.concatenate([values[rows] for (values, _), rows in zip(parts, chosen)]),
                np.concatenate([slots[rows] for (_, slots), rows in zip(parts, chosen)]))

    def _held_by(self, wanted: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Which of `slots` are among `wanted`: one lookup each (np.isin compares every entry
        with each wanted slot in turn when they are few: 0.5 s for 30 texts at 100k)."""
        chosen = np.zeros(len(self.keys), dtype=bool)
        chosen[wanted] = True
        return chosen[slots]

    def _merge_parts_when_due(self) -> None:
        bulk = max(len(self.values), 1)
        if (len(self.added_values) <= _ADDED_SHARE_BEFORE_MERGE * bulk
                and self.dead_entries <= _DEAD_SHARE_BEFORE_MERGE * bulk):
            return
        live = self._live_slots()[self.slots] if self.dead_entries else slice(None)
        self.values, self.slots = _merged(self.values[live], self.slots[live], self.added_values, self.added_slots)
        self.added_values, self.added_slots = _EMPTY_VALUES, _EMPTY_SLOTS
        self.dead_entries, self.bulk_file = 0, None

    def _chosen(self, first: np.ndarray, second: np.ndarray, shared: np.ndarray,
                config: DedupConfig) -> set[tuple[int, int]]:
        keep = shared >= _needed(self.sizes[first], self.sizes[second], config)
        return set(zip(first[keep].tolist(), second[keep].tolist()))

    def save(self, path: Path) -> None:
        """The bulk goes in .npy files of its own, written only when it changed, and is mapped by
        the next load; the rest (keys, pairs, the added part) is one Arrow row at `path`. Bulk
        files no saved index names any more (replaced, or left by a killed run) are deleted."""
        if self.bulk_file is None:
            bulk = f"{path.stem}-bulk-{uuid.uuid4().hex}"
            for part, array in (("values", self.values), ("slots", self.slots)):
                store.write_npy(path.with_name(f"{bulk}-{part}.npy"), array)
            self.bulk_file = bulk
        pairs = np.array(sorted(self.candidates), dtype=np.int32).reshape(-1, 2)
        lists = (self.keys, self.sizes, pairs[:, 0], pairs[:, 1], self.added_values, self.added_slots)
        store.write_arrow(path, pa.Table.from_arrays([
            *(_one_row_list(values, kind.type.value_type) for values, kind in zip(lists, _INDEX_SCHEMA)),
            pa.array([self.dead_entries], pa.int64()), pa.array([self.bulk_file], pa.string()),
        ], schema=_INDEX_SCHEMA))
        for stale in path.parent.glob(f"{path.stem}-bulk-*.npy"):
            if not stale.name.startswith(f"{self.bulk_file}-"):
                stale.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> SampleIndex:
        row = store.read_arrow(path, _INDEX_SCHEMA)
        if row.num_rows != 1:
            raise store.StateDamaged(f"{path.name}: {row.num_rows} rows, not one")
        column = {name: row.column(name).combine_chunks() for name in _INDEX_SCHEMA.names}
        bulk_file = column["bulk_file"][0].as_py()
        if not re.fullmatch(rf"{re.escape(path.stem)}-bulk-[0-9a-f]{{32}}", bulk_file or ""):
            raise store.StateDamaged(f"{path.name}: names no bulk file of its own")
        listed = {name: column[name].flatten().to_numpy(zero_copy_only=False)
                  for name in ("sizes", "pair_a", "pair_b", "added_values", "added_slots")}
        keys = column["keys"].flatten().to_pylist()
        values = store.read_npy(path.with_name(f"{bulk_file}-values.npy"), np.uint64)
        slots = store.read_npy(path.with_name(f"{bulk_file}-slots.npy"), np.int32)
        if len(listed["sizes"]) != len(keys) or len(values) != len(slots):
            raise store.StateDamaged(f"{path.name}: its parts do not match")
        return cls(keys, listed["sizes"].astype(np.int64), values, slots,
                   set(zip(listed["pair_a"].tolist(), listed["pair_b"].tolist())),
                   listed["added_values"].astype(np.uint64), listed["added_slots"].astype(np.int32),
                   int(column["dead_entries"][0].as_py()), bulk_file)


# One row: lists of unequal lengths, kept together so that the file is replaced in one rename.
_INDEX_SCHEMA = pa.schema([
    ("keys", pa.list_(pa.string())), ("sizes", pa.list_(pa.int64())),
    ("pair_a", pa.list_(pa.int32())), ("pair_b", pa.list_(pa.int32())),
    ("added_values", pa.list_(pa.uint64())), ("added_slots", pa.list_(pa.int32())),
    ("dead_entries", pa.int64()), ("bulk_file", pa.string()),
])


def _one_row_list(values: list | np.ndarray, value_type: pa.DataType) -> pa.ListArray:
    flat = pa.array(values, type=value_type)
    return pa.ListArray.from_arrays(pa.array([0, len(flat)], pa.int32()), flat)


def _entries_in(values: np.ndarray, slots: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The entries of one sorted part whose value is in the sorted `query`."""
    start = np.searchsorted(values, query, side="left")
    end = np.searchsorted(values, query, side="right")
    lengths = end - start
    rows = np.repeat(start - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return values[rows], slots[rows]


def _sorted_entries(arrays: list[np.ndarray], sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every text's samples (texts in slot order) as entries sorted by value, ties in slot order:
    what a stable argsort of their concatenation gives. Sorted one range of values at a time,
    each gathered from the texts a group at a time, so that neither a concatenation of every
    text's samples nor an order array of the whole index is held (at a million files, 8 bytes
    an entry each, beside the texts' own samples and the index being built)."""
    shift = np.uint64(64 - _SORT_PART_BITS)
    sorted_values, slots = np.empty(int(sizes.sum()), np.uint64), np.empty(int(sizes.sum()), np.int32)
    filled = 0
    for part in range(1 << _SORT_PART_BITS):  # the parts' ranges follow one another
        values, owners = _part_of_entries(arrays, sizes, part, shift)
        order = np.argsort(values, kind="stable")
        sorted_values[filled : filled + len(order)] = values[order]
        slots[filled : filled + len(order)] = owners[order]
        filled += len(order)
    return sorted_values, slots


def _part_of_entries(arrays: list[np.ndarray], sizes: np.ndarray, part: int,
                     shift: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """The entries whose value's top bits are `part`, in slot order: (values, slots)."""
    values, owners = [_EMPTY_VALUES], [_EMPTY_SLOTS]
    for first in range(0, len(arrays), _TEXTS_PER_GROUP):
        group = arrays[first : first + _TEXTS_PER_GROUP]
        group_values = np.concatenate(group)
        group_owners = np.repeat(np.arange(first, first + len(group), dtype=np.int32),
                                 sizes[first : first + len(group)])
        in_part = (group_values >> shift) == part
        values.append(group_values[in_part])
        owners.append(group_owners[in_part])
    return np.concatenate(values), np.concatenate(owners)


def _merged(values: np.ndarray, slots: np.ndarray, new_values: np.ndarray,
            new_slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted `new_values` (with their slots) merged into sorted `values`, each after its equals.
    A stable sort of two sorted runs is a merge (timsort finds the runs): linear time."""
    joined = np.concatenate([values, new_values])
    order = np.argsort(joined, kind="stable")
    return joined[order], np.concatenate([slots, new_slots])[order]


def _older_pairs(held: np.ndarray, first_new: int) -> Iterator[tuple[int, int]]:
    """Every pair of the slots in `held` below `first_new`, smaller slot first."""
    older = np.sort(held[held < first_new]).tolist()
    return ((a, b) for n, a in enumerate(older) for b in older[n + 1 :])


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
    keys, shared = _pair_keys_in_postings(values, slots, config)
    return keys >> 32, keys & 0xFFFFFFFF, shared


def _pair_keys_in_postings(values: np.ndarray, slots: np.ndarray,
                           config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """_pairs_in_postings' pairs as sorted keys (smaller slot << 32 | larger), with their counts
    (int32)."""
    if len(values) < 2:
        return _EMPTY_KEYS, _EMPTY_COUNTS
    # Only the posting lists of samples two or more texts hold are found (most samples are one
    # text's own): bounds of every list would take 12 bytes an entry at a million files.
    same_as_next = np.zeros(len(values), dtype=bool)
    np.equal(values[1:], values[:-1], out=same_as_next[:-1])
    same_as_previous = np.roll(same_as_next, 1)
    same_as_previous[0] = False
    starts = np.flatnonzero(same_as_next & ~same_as_previous).astype(np.int32)
    sizes = (np.flatnonzero(same_as_previous & ~same_as_next) + 1).astype(np.int32) - starts
    del same_as_next, same_as_previous
    indexed = sizes <= config.max_posting_list
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
        return _EMPTY_KEYS, _EMPTY_COUNTS
    joined = np.concatenate(keys)
    del keys
    joined.sort()  # in place: np.unique would sort a copy
    starts = _run_starts(joined)
    return joined[starts], np.diff(np.r_[starts, len(joined)]).astype(np.int32)


def _pairs_in_parts(values: np.ndarray, slots: np.ndarray, sizes: np.ndarray,
                    config: DedupConfig) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The pairs _pairs_in_postings gives that can be candidates, with the same counts, a range of
    pairs at a time. Most pairs share a single common phrase: about as many as entries, which
    counted all at once took several GB at a million files. So the pairs of each shared sample are
    found one range of values at a time (a posting list never spans two), twice. A pair needing
    more shared samples than there are ranges must share two in one range: the first pass finds
    those, the second counts only them (and the pairs of short texts, which need fewer), and the
    counts are summed a range of first slots at a time."""
    bounds = np.arange(1, 1 << _SORT_PART_BITS, dtype=np.uint64) << np.uint64(64 - _SORT_PART_BITS)
    cuts = [0, *np.searchsorted(values, bounds).tolist(), len(values)]
    ranges = list(zip(cuts, cuts[1:]))
    shared_twice = [_EMPTY_KEYS]
    for start, end in ranges:
        keys, shared = _pair_keys_in_postings(values[start:end], slots[start:end], config)
        shared_twice.append(keys[shared >= 2])
        del keys, shared
    promising = np.unique(np.concatenate(shared_twice))
    del shared_twice
    counted = []
    for start, end in ranges:
        keys, shared = _pair_keys_in_postings(values[start:end], slots[start:end], config)
        keep = _among(keys, promising) | (_needed(sizes[keys >> 32], sizes[keys & 0xFFFFFFFF], config) <= len(ranges))
        counted.append((keys[keep], shared[keep]))
        del keys, shared, keep
    firsts = np.linspace(0, len(sizes), (1 << _SORT_PART_BITS) + 1).astype(np.int64) << 32
    for low, high in zip(firsts, firsts[1:]):
        spans = [(np.searchsorted(keys, low), np.searchsorted(keys, high)) for keys, _ in counted]
        keys = np.concatenate([part_keys[a:b] for (part_keys, _), (a, b) in zip(counted, spans)])
        shared = np.concatenate([part_shared[a:b] for (_, part_shared), (a, b) in zip(counted, spans)])
        order = np.argsort(keys, kind="stable")  # runs already sorted, one per part: a merge
        keys, shared = keys[order], shared[order]
        starts = _run_starts(keys)
        keys, shared = keys[starts], np.add.reduceat(shared, starts) if len(keys) else shared
        yield keys >> 32, keys & 0xFFFFFFFF, shared


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal keys begins in `sorted_keys`."""
    if not len(sorted_keys):
        return _EMPTY_ROWS
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _among(keys: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Which of `keys` are in `sorted_unique`."""
    if not len(sorted_unique):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_unique, keys), len(sorted_unique) - 1)
    return sorted_unique[at] == keys


def _sorted_pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)
