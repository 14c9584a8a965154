"""The published snapshot as the next run sees it: each document's signature (which copies, how
they belong), so that rows the run would build identically are taken from it unchanged."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from commclean.assemble import Signature
from commclean.config import PIPELINE_VERSION
from commclean.publish import CORPUS_FILE, CURRENT_LINK, MANIFEST_FILE, SOURCES_FILE
from commclean.schema import CORPUS_SCHEMA


@dataclass(frozen=True)
class PublishedSnapshot:
    folder: Path
    version: int
    signatures: dict[str, Signature]  # doc_id -> its copies as the snapshot's ledger states them
    suites_sha256: str | None  # the expectation suites its rows were validated with
    copy: Path | None = None  # an uncompressed Arrow copy of its corpus (see keep_arrow_copy)

    def corpus(self) -> pa.Table:
        """The snapshot's corpus table, memory-mapped from the Arrow copy when there is one."""
        if self.copy is not None and self.copy.exists():
            return feather.read_table(self.copy, memory_map=True)
        table = pq.read_table(self.folder / CORPUS_FILE)
        return pa.Table.from_arrays(table.select(CORPUS_SCHEMA.names).columns, schema=CORPUS_SCHEMA)


def write_arrow_copy(corpus: pa.Table, folder: Path) -> Path:
    """Write a candidate corpus as uncompressed Arrow beside the run state (see keep_arrow_copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".corpus-candidate-*.arrow"):  # left by a killed run (runs hold the lock)
        stale.unlink(missing_ok=True)
    path = folder / f".corpus-candidate-{os.getpid()}.arrow"
    feather.write_feather(corpus, path, compression="uncompressed")
    return path


def keep_arrow_copy(written: Path, version: int, folder: Path) -> None:
    """Keep the corpus just published, as written by write_arrow_copy: the next run maps it in
    no time, where decompressing the Parquet file takes seconds at 100k documents."""
    written.replace(folder / _copy_name(version))
    for older in folder.glob("corpus-v*.arrow"):
        if older.name != _copy_name(version):
            older.unlink(missing_ok=True)


def _copy_name(version: int) -> str:
    return f"corpus-v{version}.arrow"


def load_published(clean_dir: str | Path, settings_key: str, state_dir: Path | None = None) -> PublishedSnapshot | None:
    """The snapshot readers see now, if this pipeline version with these settings published it
    (rows made by other code or settings are never carried over)."""
    folder = Path(clean_dir) / CURRENT_LINK
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("pipeline_version") != PIPELINE_VERSION or manifest.get("settings_key") != settings_key:
        return None
    folder = folder.resolve()
    sources = pq.read_table(folder / SOURCES_FILE, columns=["path", "sha256", "reason", "is_truncated"])
    ledger = {path: (path, sha, reason, truncated)
              for path, sha, reason, truncated in zip(*(c.to_pylist() for c in sources.columns))}
    corpus = pq.read_table(folder / CORPUS_FILE, columns=["doc_id", "source_paths"])
    signatures = {
        doc_id: tuple(ledger[path] for path in paths)
        for doc_id, paths in zip(corpus.column("doc_id").to_pylist(), corpus.column("source_paths").to_pylist())
    }
    version = int(manifest["version"])
    copy = state_dir / _copy_name(version) if state_dir else None
    return PublishedSnapshot(folder, version, signatures, manifest.get("validation", {}).get("suites_sha256"), copy)
