"""The sample index finds, after any sequence of texts added and removed, exactly the candidate
pairs a fresh index of the same texts finds: incremental runs see the pairs a full build sees."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commclean.dedup import candidates
from commclean.dedup.candidates import SampleIndex
from commclean.config import DedupConfig

# A tiny boilerplate limit and vocabulary, so that samples cross the limit in both directions.
CONFIG = DedupConfig(max_posting_list=3, min_shared_samples=2, min_sample_share=0.3)
samples = st.lists(st.integers(0, 12), min_size=0, max_size=8).map(lambda v: np.unique(np.array(v, dtype=np.uint64)))
NO_SAMPLES = np.empty(0, dtype=np.uint64)
texts = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), samples, max_size=8)


# Whether the added part is merged into the bulk after every update, never, or as configured.
MERGE_SHARES = {"as configured": (1 / 8, 1 / 4), "always": (0.0, 0.0), "never": (math.inf, math.inf)}


@pytest.mark.parametrize("merging", MERGE_SHARES)
@settings(max_examples=int(os.environ.get("COMMCLEAN_FUZZ_EXAMPLES", 300)), deadline=None)
@given(states=st.lists(st.tuples(texts, st.booleans()), min_size=1, max_size=5))
def test_updating_gives_the_pairs_of_a_fresh_build(merging: str, states: list[tuple[dict[str, np.ndarray], bool]]) -> None:
    first_seen: dict[str, np.ndarray] = {}
    for state, _ in states:  # the same key always means the same text, as an exact key does
        for key, value in state.items():
            first_seen.setdefault(key, value)
    added, dead = MERGE_SHARES[merging]
    with (mock.patch.object(candidates, "_ADDED_SHARE_BEFORE_MERGE", added),
          mock.patch.object(candidates, "_DEAD_SHARE_BEFORE_MERGE", dead),
          tempfile.TemporaryDirectory() as folder):
        index = SampleIndex.build({key: first_seen[key] for key in states[0][0]}, CONFIG)
        for state, reload in states[1:]:
            if reload:  # as the next run finds it: the bulk mapped read-only from its file
                index.save(Path(folder) / "index.arrow")
                index = SampleIndex.load(Path(folder) / "index.arrow")
            now = {key: first_seen[key] for key in state}
            indexed = {key for key in index.keys if key}
            # A run knows only the samples of texts new to it; the index has the others'.
            index.update({key: NO_SAMPLES if key in indexed else value for key, value in now.items()}, CONFIG)
            assert index.pairs() == SampleIndex.build(now, CONFIG).pairs()


def test_pairs_share_enough_samples_held_by_few_texts() -> None:
    boiler = np.arange(100, 105, dtype=np.uint64)  # in every text: over the limit, indexes nothing
    texts = {
        "copy-a": np.r_[np.arange(10, dtype=np.uint64), boiler],
        "copy-b": np.r_[np.arange(8, dtype=np.uint64), boiler],
        "other": np.r_[np.arange(50, 60, dtype=np.uint64), boiler],
        "more": np.r_[np.arange(70, 80, dtype=np.uint64), boiler],
    }
    assert SampleIndex.build(texts, CONFIG).pairs() == [("copy-a", "copy-b")]


@settings(max_examples=int(os.environ.get("COMMCLEAN_FUZZ_EXAMPLES", 300)), deadline=None)
@given(state=texts, spread=st.integers(1, 2**61).map(lambda n: 2 * n + 1))
def test_a_build_sorted_part_by_part_holds_what_one_stable_sort_gives(state: dict[str, np.ndarray],
                                                                        spread: int) -> None:
    # Real samples are 64-bit hashes: spread the small values over the whole range (an odd
    # multiplier keeps them distinct), so that they fall in every part of it.
    with np.errstate(over="ignore"):
        spread_texts = {key: np.unique(values * np.uint64(spread)) for key, values in state.items()}
    index = SampleIndex.build(spread_texts, CONFIG)
    keys = sorted(spread_texts)
    everything = np.concatenate([spread_texts[key] for key in keys]) if keys else NO_SAMPLES
    owners = np.repeat(np.arange(len(keys), dtype=np.int32), [len(spread_texts[key]) for key in keys])
    order = np.argsort(everything, kind="stable")
    assert index.values.tolist() == everything[order].tolist()
    assert index.slots.tolist() == owners[order].tolist()
    assert index.pairs() == SampleIndex.build(state, CONFIG).pairs()  # which values they are does not matter


# Texts of up to 70 samples, in 2 to 8 value ranges: a pair may need more shared samples than there
# are ranges (then it is counted only if it shares two in one range) or not (then it always is).
LONG = DedupConfig(max_posting_list=6, min_shared_samples=2, min_sample_share=0.15)
long_texts = st.dictionaries(
    st.text("abcdefghij", min_size=1, max_size=2),
    st.lists(st.integers(0, 150), max_size=70).map(lambda v: np.unique(np.array(v, dtype=np.uint64))), max_size=10)


@settings(max_examples=int(os.environ.get("COMMCLEAN_FUZZ_EXAMPLES", 300)), deadline=None)
@given(state=long_texts, spread=st.integers(1, 2**61).map(lambda n: 2 * n + 1), part_bits=st.integers(1, 3))
def test_pairs_counted_range_by_range_give_the_candidates_of_one_count(state: dict[str, np.ndarray],
                                                                        spread: int, part_bits: int) -> None:
    with np.errstate(over="ignore"):
        spread_texts = {key: np.unique(values * np.uint64(spread)) for key, values in state.items()}
    with mock.patch.object(candidates, "_SORT_PART_BITS", part_bits):
        index = SampleIndex.build(spread_texts, LONG)
    first, second, shared = candidates._pairs_in_postings(index.values, index.slots, LONG)
    assert index.candidates == index._chosen(first, second, shared, LONG)
    # Every pair the ranges give comes with the count of one pass over the whole index.
    whole = dict(zip((first << 32 | second).tolist(), shared.tolist()))
    with mock.patch.object(candidates, "_SORT_PART_BITS", part_bits):
        parts = list(candidates._pairs_in_parts(index.values, index.slots, index.sizes, LONG))
    for part_first, part_second, part_shared in parts:
        assert [whole[key] for key in (part_first << 32 | part_second).tolist()] == part_shared.tolist()


def test_the_index_survives_a_save_and_load(tmp_path: Path) -> None:
    texts = {"a": np.arange(6, dtype=np.uint64), "b": np.arange(1, 7, dtype=np.uint64)}
    index = SampleIndex.build(texts, CONFIG)
    index.save(tmp_path / "index.arrow")
    loaded = SampleIndex.load(tmp_path / "index.arrow")
    loaded.update({**texts, "c": np.arange(2, 8, dtype=np.uint64)}, CONFIG)
    assert loaded.pairs() == SampleIndex.build({**texts, "c": np.arange(2, 8, dtype=np.uint64)}, CONFIG).pairs()


def test_a_save_rewrites_the_bulk_only_when_it_changed(tmp_path: Path) -> None:
    texts = {f"t{n}": np.arange(n, n + 40, dtype=np.uint64) for n in range(40)}
    SampleIndex.build(texts, CONFIG).save(tmp_path / "index.arrow")
    bulk = sorted(tmp_path.glob("index-bulk-*.npy"))
    written = [p.stat().st_mtime_ns for p in bulk]
    loaded = SampleIndex.load(tmp_path / "index.arrow")
    loaded.update({**{key: NO_SAMPLES for key in texts}, "new": np.arange(5, 45, dtype=np.uint64)}, CONFIG)
    loaded.save(tmp_path / "index.arrow")
    assert sorted(tmp_path.glob("index-bulk-*.npy")) == bulk  # one added text: only index.arrow changed
    assert [p.stat().st_mtime_ns for p in bulk] == written
    merged = SampleIndex.load(tmp_path / "index.arrow")
    merged.update({key: NO_SAMPLES for key in ("t0", "t1", "new")}, CONFIG)  # most texts gone
    merged.save(tmp_path / "index.arrow")
    now = sorted(tmp_path.glob("index-bulk-*.npy"))
    assert len(now) == 2 and now != bulk  # a new bulk, and the old one deleted
    assert SampleIndex.load(tmp_path / "index.arrow").pairs() == SampleIndex.build(
        {key: texts.get(key, np.arange(5, 45, dtype=np.uint64)) for key in ("t0", "t1", "new")}, CONFIG).pairs()
