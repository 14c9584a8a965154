"""Write the validated corpus so that readers see the old files or the new ones, never half of either."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from commclean.config import PIPELINE_VERSION

CORPUS_FILE = "corpus.parquet"
SOURCES_FILE = "sources.parquet"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Published:
    corpus_path: Path
    sources_path: Path
    manifest_path: Path


def publish(corpus: pa.Table, sources: pa.Table, manifest: dict, clean_dir: str | Path) -> Published:
    """Stage every file in clean/ (same filesystem), fsync, then rename each into place atomically."""
    clean = Path(clean_dir)
    clean.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=clean))
    try:
        _write_parquet(corpus, staging / CORPUS_FILE)
        _write_parquet(sources, staging / SOURCES_FILE)
        manifest = {
            **manifest,
            "pipeline_version": PIPELINE_VERSION,
            "files": {name: _sha256(staging / name) for name in (CORPUS_FILE, SOURCES_FILE)},
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for name in (SOURCES_FILE, CORPUS_FILE, MANIFEST_FILE):
            _fsync(staging / name)
            os.replace(staging / name, clean / name)
        _fsync_dir(clean)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Published(clean / CORPUS_FILE, clean / SOURCES_FILE, clean / MANIFEST_FILE)


def _write_parquet(table: pa.Table, path: Path) -> None:
    metadata = {**(table.schema.metadata or {}), b"commclean.pipeline_version": PIPELINE_VERSION.encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path, compression="zstd")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
