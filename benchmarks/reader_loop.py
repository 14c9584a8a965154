"""Readers during publishes and rollbacks: how often each way of reading fails or mixes two versions.

Usage: python benchmarks/reader_loop.py [--publishes 200] [--rows 3000] [--work /tmp/commclean-readers]

One thread publishes (every fifth switch a rollback) while this one reads in a loop, each way in
turn: the top-level paths `clean/corpus.parquet` and `clean/sources.parquet` (what a path-based
reader does), and the recommended ways (commclean.read_published, or the paths under
commclean.current_snapshot). A read fails when it raises or when its corpus and ledger (or a file's
own rows) come from two versions."""

from __future__ import annotations

import argparse
import platform
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

import commclean
from commclean.store.publish import publish, rollback


def tables(version: int, rows: int) -> tuple[pa.Table, pa.Table]:
    rows += 7 * version
    text = [f"version {version} document {i} " + "words of a statement " * 60 for i in range(rows)]
    return (pa.table({"doc_id": [f"doc-{i}" for i in range(rows)], "text": text, "version": [version] * rows}),
            pa.table({"path": [f"{i}.txt" for i in range(rows)], "version": [version] * rows}))


def versions_of(corpus: list[int], sources: list[int]) -> set[int]:
    return set(corpus) | set(sources)


def folder(clean: Path, recommended: bool) -> Path:
    return commclean.current_snapshot(clean) if recommended else clean


def with_pyarrow(clean: Path, recommended: bool) -> set[int]:
    if recommended:
        corpus, sources = commclean.read_published(clean)
    else:
        corpus, sources = pq.read_table(clean / "corpus.parquet"), pq.read_table(clean / "sources.parquet")
    return versions_of(corpus.column("version").to_pylist(), sources.column("version").to_pylist())


def with_pandas(clean: Path, recommended: bool) -> set[int]:
    base = folder(clean, recommended)
    return versions_of(list(pd.read_parquet(base / "corpus.parquet")["version"]),
                       list(pd.read_parquet(base / "sources.parquet")["version"]))


def with_duckdb(clean: Path, recommended: bool) -> set[int]:
    base = folder(clean, recommended)
    row = duckdb.sql(f"SELECT (SELECT list(DISTINCT version) FROM '{base}/corpus.parquet'), "
                     f"(SELECT list(DISTINCT version) FROM '{base}/sources.parquet')").fetchall()[0]
    return versions_of(row[0], row[1])


def with_polars(clean: Path, recommended: bool) -> set[int]:
    base = folder(clean, recommended)
    return versions_of(pl.read_parquet(base / "corpus.parquet")["version"].to_list(),
                       pl.read_parquet(base / "sources.parquet")["version"].to_list())


READERS: dict[str, Callable[[Path, bool], set[int]]] = {
    "pyarrow": with_pyarrow, "pandas": with_pandas, "DuckDB": with_duckdb, "Polars": with_polars}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/commclean-readers"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    clean = args.work / "clean"
    publish(*tables(1, args.rows), {"counts": {}}, clean)
    done = threading.Event()

    def publisher() -> None:
        published = [1]
        for n in range(2, args.publishes + 2):
            if n % 5 == 0:
                rollback(clean, published[-3])
            else:
                published.append(publish(*tables(n, args.rows), {"counts": {}}, clean).version)
        done.set()

    threading.Thread(target=publisher).start()
    reads, raised, mixed = Counter(), Counter(), Counter()
    examples: dict[tuple[str, bool], str] = {}
    while not done.is_set():
        for name, read in READERS.items():
            for recommended in (False, True):
                key = (name, recommended)
                reads[key] += 1
                try:
                    if len(read(clean, recommended)) != 1:
                        mixed[key] += 1
                except Exception as error:  # noqa: BLE001 - counted
                    raised[key] += 1
                    examples.setdefault(key, f"{type(error).__name__}: {str(error).splitlines()[0][:120]}")
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {args.publishes} switches "
          f"(every fifth a rollback), {args.rows}+ rows a table\n")
    print("| reader | way | reads | raised | two versions mixed | first error |\n|---|---|---|---|---|---|")
    for (name, recommended), count in sorted(reads.items()):
        way = "recommended (current_snapshot / read_published)" if recommended else "top-level paths"
        key = (name, recommended)
        print(f"| {name} | {way} | {count} | {raised[key]} | {mixed[key]} | {examples.get(key, '')} |")


if __name__ == "__main__":
    main()
