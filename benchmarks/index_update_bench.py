"""The sample index's update alone: the index a build saved in its state folder, and N new
generated texts (their fingerprints computed first, outside the timing), as a run adding N files
updates it. Prints the update's seconds, the candidate pairs before and after, and a digest of
the pairs, so that two codes can be compared on the same index (put one on PYTHONPATH).

Usage: python benchmarks/index_update_bench.py STATE_FOLDER [--new 1000] [--seed 4001] [--repeat 2]

STATE_FOLDER is a clean folder's `.state` (or a copy of it): the index is read, never written.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from dedup_bench import iter_docs  # noqa: E402

from commclean import store  # noqa: E402
from commclean.config import Config  # noqa: E402
from commclean.dedup.candidates import SampleIndex  # noqa: E402
from commclean.dedup.clusters import fingerprint  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("state", type=Path)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=4001)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    config = Config().dedup
    saved = sorted(args.state.rglob(store.INDEX_FILE))
    if len(saved) != 1:
        raise SystemExit(f"expected one saved index under {args.state}, found {len(saved)}")
    new = {}
    for doc in iter_docs(args.new, args.seed, "added-for-the-index/"):
        found = fingerprint(doc.text, config)
        new[found.exact_key] = found.samples
    for _ in range(args.repeat):
        index = SampleIndex.load(saved[0])
        # Texts the index holds are passed without samples, as a run passes them.
        texts = {key: np.empty(0, np.uint64) for key in index.keys if key}
        texts.update(new)
        before, held = len(index.candidates), sum(1 for key in index.keys if key)
        started = time.perf_counter()
        index.update(texts, config)
        seconds = time.perf_counter() - started
        pairs = hashlib.sha256(repr(index.pairs()).encode()).hexdigest()[:16]
        print(f"indexed {held:,} texts, {len(new):,} new: update {seconds:.2f} s, "
              f"candidate pairs {before:,} -> {len(index.candidates):,}, pairs digest {pairs}")


if __name__ == "__main__":
    main()
