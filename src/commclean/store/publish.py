"""Publish validated output as an immutable, numbered snapshot and switch readers to it atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from commclean.config import PIPELINE_VERSION, Config
from commclean.schema import QUARANTINE_SCHEMA
from commclean.store import (
    CORPUS_FILE,
    CURRENT_LINK,
    DATA_DOCS_DIR,
    DATA_DOCS_INDEX,
    FAILED_DIR,
    MANIFEST_FILE,
    PAGES,
    PUBLISHED_FILES,
    QUARANTINE_FILE,
    SNAPSHOTS,
    SOURCES_FILE,
    fsync,
    write_bytes,
)

# Crash tests set this to the name of a point below; the process then kills itself there (SIGKILL,
# as the kernel's OOM killer or a power cut would), to prove readers keep a complete version.
CRASH_AT_ENV = "COMMCLEAN_CRASH_AT"


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
        when, pipeline = self.manifest.get("created_at", "?"), self.manifest.get("pipeline_version")
        return (f"v{self.version}  {when}  pipeline {pipeline}  "
                f"{counts.get('documents', '?')} documents, {counts.get('duplicates', '?')} duplicates, "
                f"{counts.get('quarantined', '?')} quarantined ({counts.get('set_aside', 0)} documents set aside)  "
                f"validation {validation}")


@dataclass(frozen=True)
class Staged:
    """A snapshot's Parquet files written (and fsynced) in a staging folder, not yet published."""

    clean: Path
    folder: Path
    version: int
    checksums: dict[str, str]


def publish(corpus: pa.Table, sources: pa.Table, manifest: dict, clean_dir: str | Path, keep: int = 10,
            quarantine: pa.Table | None = None, row_group_bytes: int = Config.row_group_mb << 20) -> Published:
    """Write snapshot N+1 completely (staged, fsynced, then renamed into snapshots/), then point
    readers at it (see switch_to). A reader sees the old version or the new one, never a
    half-written file nor a mix of two versions."""
    return commit(stage(corpus, sources, clean_dir, quarantine, row_group_bytes), manifest, keep)


def stage(corpus: pa.Table, sources: pa.Table, clean_dir: str | Path, quarantine: pa.Table | None = None,
          row_group_bytes: int = Config.row_group_mb << 20) -> Staged:
    """Write the next snapshot's tables into a staging folder, where no reader looks: a run may
    do it while validation is still running, and discard it if validation fails. The quarantine
    table (documents set aside by validation) is written empty when there is none, so that every
    snapshot has one to read."""
    clean = Path(clean_dir)
    (clean / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
    for stale in clean.glob(".staging-*"):  # left by a run killed mid-write (runs hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
    version = max((s.version for s in history(clean)), default=0) + 1
    # Not mkdtemp, whose 0700 would lock every other user and service account out of the
    # snapshot: a plain mkdir honours the umask, as every file a run writes does.
    staging = clean / f".staging-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        metadata = {"commclean.pipeline_version": PIPELINE_VERSION, "commclean.snapshot_version": str(version)}
        tables = ((CORPUS_FILE, corpus), (SOURCES_FILE, sources),
                  (QUARANTINE_FILE, QUARANTINE_SCHEMA.empty_table() if quarantine is None else quarantine))
        with ThreadPoolExecutor(2) as writers:  # Arrow writes without holding the interpreter
            written = {name: writers.submit(_write_parquet, table, staging / name, metadata, row_group_bytes)
                       for name, table in tables}
        checksums = {name: future.result() for name, future in written.items()}
        for name in checksums:
            fsync(staging / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Staged(clean, staging, version, checksums)


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)


def add_data_docs(staged: Staged, site: Path) -> Path:
    """Move a built Data Docs site into the staged snapshot; its index page once published."""
    shutil.move(site, staged.folder / DATA_DOCS_DIR)  # built in the state folder: maybe another file system
    return staged.clean / SNAPSHOTS / f"v{staged.version}" / DATA_DOCS_DIR / DATA_DOCS_INDEX


def keep_failed_run(state_dir: str | Path, report: dict, site: Path | None, keep: int) -> Path:
    """Keep what a person needs to see why a run published nothing: its validation report and
    Data Docs, under failed/<UTC time>/ in the state folder; only the newest `keep` stay."""
    root = Path(state_dir) / FAILED_DIR
    root.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = root / stamp
    folder.mkdir()
    write_bytes(folder / "validation.json", (json.dumps(report, indent=2, sort_keys=True) + "\n").encode())
    if site is not None and site.is_dir():
        shutil.move(site, folder / DATA_DOCS_DIR)
    for old in sorted(p for p in root.iterdir() if p.is_dir())[:-max(keep, 1)]:  # never the one just kept
        shutil.rmtree(old, ignore_errors=True)
    return folder


def commit(staged: Staged, manifest: dict, keep: int = 10) -> Published:
    """Complete the staged snapshot with its manifest, move it into snapshots/, switch readers."""
    clean, version = staged.clean, staged.version
    try:
        manifest = {**manifest, "version": version, "pipeline_version": PIPELINE_VERSION, "files": staged.checksums}
        write_bytes(staged.folder / MANIFEST_FILE, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        crash_point("snapshot-staged")
        os.rename(staged.folder, clean / SNAPSHOTS / f"v{version}")
    finally:
        discard(staged)
    crash_point("snapshot-written")
    switch_to(clean, version)
    prune(clean, keep)
    return Published(version, clean / CORPUS_FILE, clean / SOURCES_FILE, clean / MANIFEST_FILE)


def switch_to(clean_dir: str | Path, version: int) -> None:
    """Point readers at a snapshot with one atomic rename: clean/current is a symbolic link to
    snapshots/v<N>, and clean/corpus.parquet, sources.parquet and manifest.json are fixed links
    into clean/current. So both tables always come from the same version, even after a crash."""
    clean = Path(clean_dir)
    snapshot = clean / SNAPSHOTS / f"v{version}"
    if not (snapshot / MANIFEST_FILE).is_file():
        raise FileNotFoundError(f"no snapshot v{version} in {clean / SNAPSHOTS}")
    pointer = clean / f".{CURRENT_LINK}.{os.getpid()}.tmp"
    pointer.unlink(missing_ok=True)
    os.symlink(Path(SNAPSHOTS) / f"v{version}", pointer)
    os.replace(pointer, clean / CURRENT_LINK)
    crash_point("switched")
    for name in PUBLISHED_FILES:
        _ensure_link(clean / name, Path(CURRENT_LINK) / name)
    for name in PAGES:  # a snapshot older than its card or report: no link left dangling at the top
        if (snapshot / name).is_file():
            _ensure_link(clean / name, Path(CURRENT_LINK) / name)
        elif (clean / name).is_symlink():
            (clean / name).unlink()
    fsync(clean)


def _ensure_link(path: Path, target: Path) -> None:
    """The top-level names are links that never change; made once, and again only if missing."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, path)


def current_version(clean_dir: str | Path) -> int | None:
    """The snapshot readers see, or None (nothing published, or `current` points at something
    that is no snapshot of ours)."""
    link = Path(clean_dir) / CURRENT_LINK
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).name
    return int(name[1:]) if name[:1] == "v" and name[1:].isdigit() else None


def published_doc_ids(clean_dir: str | Path) -> pa.Array:
    """The doc_ids readers see now (none before the first publish)."""
    corpus = Path(clean_dir) / CORPUS_FILE
    if not corpus.exists():
        return pa.array([], pa.string())
    return pq.read_table(corpus, columns=["doc_id"]).column("doc_id").combine_chunks()


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


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _write_parquet(table: pa.Table, path: Path, metadata: dict[str, str], row_group_bytes: int) -> str:
    """Write the file and return its SHA-256, hashed as it is written (not read back)."""
    merged = {**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in metadata.items()}}
    with path.open("wb") as raw:
        hashing = _HashingWriter(raw)
        pq.write_table(table.replace_schema_metadata(merged), hashing, compression="zstd",
                       row_group_size=rows_per_group(table, row_group_bytes))
    return hashing.digest.hexdigest()


def rows_per_group(table: pa.Table, row_group_bytes: int) -> int:
    """As many rows as hold about `row_group_bytes` of the table's data, on average."""
    if table.num_rows == 0:
        return 1
    return max(1, min(table.num_rows, row_group_bytes * table.num_rows // max(table.nbytes, 1)))


class _HashingWriter(io.RawIOBase):
    def __init__(self, out: BinaryIO) -> None:
        self.out, self.digest = out, hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.digest.update(data)
        return self.out.write(data)
