"""The sample index's full build on real samples: its time and the peak of what it allocates.

Usage: python benchmarks/index_memory.py STATE_DIR
  STATE_DIR: a run state folder (clean/.state/cache/state-*), e.g. left by scale_bench.py --keep.

The samples of every text are taken from the index that run saved, then the index is built
again from them, as a full build does at the end of processing. numpy's allocations are traced
(tracemalloc), so the peak is the build's own arrays, beside the texts' samples it is given.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

from commclean.config import DedupConfig
from commclean.dedup.candidates import SampleIndex
from commclean.store import INDEX_FILE


def main() -> None:
    saved = SampleIndex.load(Path(sys.argv[1]) / INDEX_FILE)
    slot_of = {key: slot for slot, key in enumerate(saved.keys) if key}
    texts = saved._samples_of(list(slot_of), slot_of)
    entries = sum(len(v) for v in texts.values())
    pairs = len(saved.candidates)
    del saved
    tracemalloc.start()
    started = time.perf_counter()
    index = SampleIndex.build(texts, DedupConfig())
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    kept = index.values.nbytes + index.slots.nbytes
    assert len(index.candidates) == pairs, (len(index.candidates), pairs)
    print(f"{len(texts):,} texts, {entries:,} entries, {pairs:,} candidate pairs: build {seconds:.1f} s, "
          f"peak {peak >> 20:,} MB traced, of which the index itself {kept >> 20:,} MB")


if __name__ == "__main__":
    main()
