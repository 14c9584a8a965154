"""Readers see one whole version while runs publish and roll back: the recommended ways (the
README's "Reading while runs publish") never fail and never mix two versions."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import commclean
from commclean.store.publish import publish, rollback

PUBLISHES = 50
VERSION_KEY = b"commclean.snapshot_version"


def _tables(version: int) -> tuple[pa.Table, pa.Table]:
    """Tables big enough to take a while to read (several MB), each row naming its version."""
    rows = 3000 + 7 * version  # every version a different size: a mix of two shows
    text = [f"version {version} document {i} " + "words of a statement " * 60 for i in range(rows)]
    corpus = pa.table({"doc_id": [f"doc-{i}" for i in range(rows)], "text": text, "version": [version] * rows})
    sources = pa.table({"path": [f"{i}.txt" for i in range(rows)], "doc_id": [f"doc-{i}" for i in range(rows)],
                        "version": [version] * rows})
    return corpus, sources


def _one_version(corpus_versions: set[int], sources_versions: set[int], corpus_rows: int, sources_rows: int) -> None:
    assert len(corpus_versions) == 1 and corpus_versions == sources_versions, (corpus_versions, sources_versions)
    version = corpus_versions.pop()
    assert corpus_rows == sources_rows == 3000 + 7 * version


def _with_commclean(clean: Path) -> None:
    corpus, sources = commclean.read_published(clean)
    _one_version(set(corpus.column("version").to_pylist()), set(sources.column("version").to_pylist()),
                 corpus.num_rows, sources.num_rows)


def _with_pandas(clean: Path) -> None:
    snapshot = commclean.current_snapshot(clean)
    corpus, sources = pd.read_parquet(snapshot / "corpus.parquet"), pd.read_parquet(snapshot / "sources.parquet")
    _one_version(set(corpus["version"]), set(sources["version"]), len(corpus), len(sources))


def _with_duckdb(clean: Path) -> None:
    snapshot = commclean.current_snapshot(clean)
    rows = duckdb.sql(f"""
        SELECT (SELECT list(DISTINCT version) FROM '{snapshot}/corpus.parquet'),
               (SELECT list(DISTINCT version) FROM '{snapshot}/sources.parquet'),
               (SELECT count(*) FROM '{snapshot}/corpus.parquet'),
               (SELECT count(*) FROM '{snapshot}/sources.parquet')""").fetchall()[0]
    _one_version(set(rows[0]), set(rows[1]), rows[2], rows[3])


def _with_polars(clean: Path) -> None:
    snapshot = commclean.current_snapshot(clean)
    corpus, sources = pl.read_parquet(snapshot / "corpus.parquet"), pl.read_parquet(snapshot / "sources.parquet")
    _one_version(set(corpus["version"].to_list()), set(sources["version"].to_list()), corpus.height, sources.height)


READERS: dict[str, Callable[[Path], None]] = {
    "commclean.read_published (pyarrow)": _with_commclean,
    "pandas": _with_pandas,
    "DuckDB": _with_duckdb,
    "Polars": _with_polars,
}


@pytest.mark.slow
def test_readers_of_the_recommended_paths_never_fail_during_publishes_and_rollbacks(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    publish(*_tables(1), {"counts": {}}, clean, keep=10)
    done = threading.Event()
    read_since_switch = threading.Event()
    published: list[int] = []

    def publisher() -> None:
        try:
            for n in range(2, PUBLISHES + 2):
                if n % 5 == 0:  # every fifth switch is a rollback to an earlier version
                    rollback(clean, published[-3])
                else:
                    published.append(publish(*_tables(n), {"counts": {}}, clean, keep=10).version)
                # The promise is about versions, not time: a snapshot stays until 10 newer ones are
                # published. On a loaded machine one read could outlast 10 publishes, so the next
                # switch waits until some read has finished since this one (reads still overlap it).
                read_since_switch.clear()
                read_since_switch.wait(timeout=30)
        finally:
            done.set()

    thread = threading.Thread(target=publisher)
    thread.start()
    reads: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    while not done.is_set() or sum(reads.values()) < 40:
        for name, read in READERS.items():
            try:
                read(clean)
            except Exception as error:  # noqa: BLE001 - counted: the test is that there are none
                failures[name] += 1
                examples.setdefault(name, f"{type(error).__name__}: {error}")
            reads[name] += 1
            read_since_switch.set()
    thread.join()
    assert len(published) >= 30
    assert all(reads[name] >= 10 for name in READERS), reads
    assert not failures, (failures, examples)
