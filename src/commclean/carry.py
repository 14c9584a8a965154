"""The published snapshot as the next run sees it: each document's signature (which copies, how
they belong), so that rows the run would build identically are taken from it unchanged."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from commclean.assemble import Signature
from commclean.config import PIPELINE_VERSION
from commclean.publish import CORPUS_FILE, CURRENT_LINK, MANIFEST_FILE, SOURCES_FILE
from commclean.schema import CORPUS_SCHEMA


@dataclass(frozen=True)
class PublishedSnapshot:
    folder: Path
    signatures: dict[str, Signature]  # doc_id -> its copies as the snapshot's ledger states them
    suites_sha256: str | None  # the expectation suites its rows were validated with

    def rows(self, doc_ids: Collection[str]) -> pa.Table:
        """The snapshot's corpus rows for these documents, in the output schema."""
        table = pq.read_table(self.folder / CORPUS_FILE)
        kept = table.filter(pc.is_in(table.column("doc_id"), pa.array(sorted(doc_ids), pa.string())))
        return pa.Table.from_arrays(kept.select(CORPUS_SCHEMA.names).columns, schema=CORPUS_SCHEMA)


def load_published(clean_dir: str | Path, settings_key: str) -> PublishedSnapshot | None:
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
    return PublishedSnapshot(folder, signatures, manifest.get("validation", {}).get("suites_sha256"))
