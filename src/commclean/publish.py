"""Publish validated output as an immutable, numbered snapshot and switch readers to it atomically."""

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
CURRENT_FILE = "CURRENT"
SNAPSHOTS = "snapshots"
PUBLISHED_FILES = (SOURCES_FILE, CORPUS_FILE, MANIFEST_FILE)


@dataclass(frozen=True)
class Published:
    version: int
    corpus_path: Path
    sources_path: Path
    manifest_path: Path


@dataclass(frozen=True)
class Snapshot:
    version: int
    path: Path
    manifest: dict

    def summary(self) -> str:
        counts = self.manifest.get("counts", {})
        validation = "passed" if self.manifest.get("validation", {}).get("success") else "FAILED"
        return (f"v{self.version}  {self.manifest.get('created_at', '?')}  pipeline {self.manifest.get('pipeline_version')}  "
                f"{counts.get('documents', '?')} documents, {counts.get('duplicates', '?')} duplicates, "
                f"{counts.get('quarantined', '?')} quarantined  validation {validation}")


def publish(corpus: pa.Table, sources: pa.Table, manifest: dict, clean_dir: str | Path, keep: int = 10) -> Published:
    """Write snapshot N+1 completely (staged, fsynced, then renamed into snapshots/), then point
    clean/corpus.parquet, clean/sources.parquet, clean/manifest.json and clean/CURRENT at it, each
    by an atomic rename. A reader sees the old files or the new ones, never a half-written file;
    one that needs the two tables from the same version reads snapshots/v<CURRENT>/."""
    clean = Path(clean_dir)
    (clean / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
    version = max((s.version for s in history(clean)), default=0) + 1
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=clean))
    try:
        metadata = {"commclean.pipeline_version": PIPELINE_VERSION, "commclean.snapshot_version": str(version)}
        _write_parquet(corpus, staging / CORPUS_FILE, metadata)
        _write_parquet(sources, staging / SOURCES_FILE, metadata)
        manifest = {
            **manifest,
            "version": version,
            "pipeline_version": PIPELINE_VERSION,
            "files": {name: _sha256(staging / name) for name in (CORPUS_FILE, SOURCES_FILE)},
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        for name in PUBLISHED_FILES:
            _fsync(staging / name)
        _fsync(staging)
        snapshot = clean / SNAPSHOTS / f"v{version}"
        os.rename(staging, snapshot)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    switch_to(clean, version)
    prune(clean, keep)
    return Published(version, clean / CORPUS_FILE, clean / SOURCES_FILE, clean / MANIFEST_FILE)


def switch_to(clean_dir: str | Path, version: int) -> None:
    """Point the top-level files at a snapshot: hard links (no copy), each swapped in atomically."""
    clean = Path(clean_dir)
    snapshot = clean / SNAPSHOTS / f"v{version}"
    if not (snapshot / MANIFEST_FILE).is_file():
        raise FileNotFoundError(f"no snapshot v{version} in {clean / SNAPSHOTS}")
    for name in PUBLISHED_FILES:
        temporary = clean / f".{name}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        os.link(snapshot / name, temporary)
        os.replace(temporary, clean / name)
    pointer = clean / f".{CURRENT_FILE}.{os.getpid()}.tmp"
    pointer.write_text(f"{version}\n")
    _fsync(pointer)
    os.replace(pointer, clean / CURRENT_FILE)
    _fsync(clean)


def current_version(clean_dir: str | Path) -> int | None:
    pointer = Path(clean_dir) / CURRENT_FILE
    return int(pointer.read_text().strip()) if pointer.is_file() else None


def history(clean_dir: str | Path) -> list[Snapshot]:
    """Every complete snapshot, oldest first (a snapshot dir exists only once it is complete)."""
    root = Path(clean_dir) / SNAPSHOTS
    snapshots = []
    for path in root.glob("v*") if root.is_dir() else ():
        if path.name[1:].isdigit() and (path / MANIFEST_FILE).is_file():
            snapshots.append(Snapshot(int(path.name[1:]), path, json.loads((path / MANIFEST_FILE).read_text())))
    return sorted(snapshots, key=lambda s: s.version)


def rollback(clean_dir: str | Path, version: int) -> None:
    """Publish an earlier snapshot again: readers see exactly the files it was published with."""
    switch_to(clean_dir, version)


def prune(clean_dir: str | Path, keep: int) -> list[int]:
    """Delete all but the newest `keep` snapshots, never the one readers are pointed at."""
    current = current_version(clean_dir)
    old = [s for s in history(clean_dir)[:-keep] if s.version != current] if keep > 0 else []
    for snapshot in old:
        shutil.rmtree(snapshot.path)
    return [s.version for s in old]


def _write_parquet(table: pa.Table, path: Path, metadata: dict[str, str]) -> None:
    merged = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
    pq.write_table(table.replace_schema_metadata(merged), path, compression="zstd")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
