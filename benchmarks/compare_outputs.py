"""Build a raw folder from scratch, or compare two published corpora column by column.

Usage:
  python benchmarks/compare_outputs.py build RAW CLEAN     # a full run_pipeline build of RAW into CLEAN
  python benchmarks/compare_outputs.py compare CLEAN_A CLEAN_B

To check that a change leaves the output alone, build the same raw folder with each version of
the code (PYTHONPATH=<a checkout of the other commit>/src for the other one) and compare."""

from __future__ import annotations

import sys
import time

import pyarrow.parquet as pq


def build(raw: str, clean: str) -> None:
    from commclean.config import Config
    from commclean.pipeline import run_pipeline

    started = time.perf_counter()
    summary = run_pipeline(raw, clean, Config(), full=True)
    print(f"published={summary.published} documents={summary.documents} duplicates={summary.duplicates} "
          f"quarantined={summary.quarantined} seconds={time.perf_counter() - started:.1f}")


def compare(first: str, second: str) -> bool:
    same = True
    for name in ("corpus.parquet", "sources.parquet"):
        a, b = (pq.read_table(f"{folder}/{name}").replace_schema_metadata(None) for folder in (first, second))
        differing = [c for c in a.column_names if c not in b.column_names or not a.column(c).equals(b.column(c))]
        differing += [c for c in b.column_names if c not in a.column_names]
        print(f"{name}: {a.num_rows} and {b.num_rows} rows, " + (f"columns differ: {differing}" if differing
                                                                    else "identical"))
        same = same and not differing
    return same


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("build", "compare"):
        sys.exit(__doc__)
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
