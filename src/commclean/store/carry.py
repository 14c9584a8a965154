"""The published snapshot as the next run sees it: a digest of each document's signature (which
copies, how they belong), so that rows the run would build identically are taken from it
unchanged, and those rows as uncompressed Arrow beside the run state, kept in segments so that
a run writes only the rows it built."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from commclean import store
from commclean.assemble.rows import Signature, signature_digest
from commclean.config import PIPELINE_VERSION
from commclean.schema import CORPUS_SCHEMA, QUARANTINE_SCHEMA, Tables
from commclean.store import CORPUS_FILE, CURRENT_LINK, MANIFEST_FILE, QUARANTINE_FILE, SOURCES_FILE

# Each run adds a segment of the rows it built; past this many segments, or once the segments
# hold as many rows no snapshot needs any more as rows it does, the corpus is written whole
# into one segment again (what every run did before: 400 MB at 100k documents).
MAX_SEGMENTS = 16
# A segment's rows are written in record batches of this many: assembly's chunks and a merge's
# slices of old segments (many and small) are joined a batch at a time, not as one copy of the
# whole corpus (370 MB of text at 100k documents, held at the run's peak, during validation).
SEGMENT_BATCH_ROWS = 10_000
# Where each row of a snapshot's corpus lives, in the corpus's order, with its signature digest.
_ROWS = pa.schema([("doc_id", pa.string()), ("signature", pa.binary(16)),
                   ("segment", pa.dictionary(pa.int32(), pa.string())), ("row", pa.int32())])
_CANDIDATE = ".carry-candidate-{pid}.arrow"


@dataclass(frozen=True)
class CarriedRows:
    """A snapshot's corpus rows as segments beside the run state: for each row, in doc_id order,
    the segment file that holds it and its row there."""

    folder: Path
    segment_names: tuple[str, ...]
    segment: np.ndarray  # int32, index into segment_names
    row: np.ndarray  # int32

    def corpus(self) -> pa.Table:
        """The corpus, memory-mapped: slices of the segments, no row copied."""
        segments = [store.read_arrow(self.folder / name, CORPUS_SCHEMA, memory_map=True) for name in self.segment_names]
        if not len(self.row):
            return CORPUS_SCHEMA.empty_table()
        # A run of rows consecutive in one segment is one slice.
        breaks = np.flatnonzero((np.diff(self.segment) != 0) | (np.diff(self.row) != 1)) + 1
        starts = np.r_[0, breaks]
        lengths = np.diff(np.r_[starts, len(self.row)])
        return pa.concat_tables([segments[self.segment[s]].slice(self.row[s], n)
                                 for s, n in zip(starts.tolist(), lengths.tolist())])

    def rows_held(self) -> int:
        return sum(store.read_arrow(self.folder / name, CORPUS_SCHEMA, memory_map=True).num_rows
                   for name in self.segment_names)


@dataclass(frozen=True)
class PublishedSnapshot:
    folder: Path
    version: int
    signatures: dict[str, bytes]  # doc_id -> digest of its copies as the snapshot's ledger states them
    suites_sha256: str | None  # the expectation suites its rows were validated with
    rows: CarriedRows | None = None  # its corpus beside the run state, if this code kept it there

    def ledger(self) -> pa.Table:
        """Its ledger's paths, statuses and files' hashes."""
        return pq.read_table(self.folder / SOURCES_FILE, columns=["path", "status", "sha256"])

    def same_output(self, corpus: pa.Table, sources: pa.Table, quarantine: pa.Table) -> bool:
        """Whether these tables are the snapshot's own: a run that would publish them again
        publishes nothing (readers keep this version; history is not pushed out by idle runs).
        The ledger and quarantine are compared first: they are small, and differ first."""
        published = pq.read_table(self.folder / SOURCES_FILE)
        if not _same_rows(published, sources):
            return False
        kept = self.folder / QUARANTINE_FILE
        if not _same_rows(pq.read_table(kept) if kept.exists() else QUARANTINE_SCHEMA.empty_table(), quarantine):
            return False
        return self._same_corpus(corpus)

    def _same_corpus(self, corpus: pa.Table) -> bool:
        """Read from Parquet, compared a row group at a time (Config.row_group_mb): read whole,
        the corpus of a --full run that changed nothing made the run's peak (6 GB at a million
        documents). Row groups, not iter_batches, whose read-ahead held 1.6 GB there."""
        if self.rows is not None:
            return _same_rows(self.rows.corpus(), corpus)
        published = pq.ParquetFile(self.folder / CORPUS_FILE)
        if published.metadata.num_rows != corpus.num_rows or published.schema_arrow.names != CORPUS_SCHEMA.names:
            return False
        offset = 0
        for group in range(published.num_row_groups):
            part = _as_corpus(published.read_row_group(group))
            if not _same_rows(part, corpus.slice(offset, part.num_rows)):
                return False
            offset += part.num_rows
        return True

    def corpus(self) -> pa.Table:
        """The snapshot's corpus table, memory-mapped from the run state when it is there; else
        from its Parquet file (seconds at 100k documents)."""
        if self.rows is not None:
            return self.rows.corpus()
        return _as_corpus(pq.read_table(self.folder / CORPUS_FILE))


def _as_corpus(table: pa.Table) -> pa.Table:
    return pa.Table.from_arrays(table.select(CORPUS_SCHEMA.names).columns, schema=CORPUS_SCHEMA)


@dataclass(frozen=True)
class CandidateRows:
    """A candidate's rows as the next run will carry them from (see write_carried_rows)."""

    map_file: Path
    new_segment: Path | None
    segment_name: str  # what the new segment is kept as


def write_carried_rows(tables: Tables, previous: CarriedRows | None, folder: Path) -> CandidateRows:
    """Write what the next run carries from, should this candidate be published: a new segment
    with the rows this run built (or, when the segments are due to be merged, the whole corpus),
    and where every row is. Nothing a published snapshot needs is touched."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (*folder.glob(".carry-candidate-*.arrow"), *folder.glob(".segment-candidate-*.arrow")):
        stale.unlink(missing_ok=True)  # left by a killed run (runs hold the lock)
    whole = previous is None or tables.origins is None or _merge_due(previous, tables)
    rows = tables.corpus if whole else tables.built
    token = uuid.uuid4().hex
    name = f"corpus-{token}.arrow"  # the name it is kept under once published
    segment = folder / f".segment-candidate-{os.getpid()}-{token}.arrow"
    written = whole or rows.num_rows > 0
    if written:
        store.write_arrow(segment, rows, SEGMENT_BATCH_ROWS)
    if whole:
        names, where, at = [name], np.zeros(rows.num_rows, np.int32), np.arange(rows.num_rows)
    else:
        assert previous is not None and tables.origins is not None
        names = [*previous.segment_names, name]
        old, row = tables.origins.from_previous, tables.origins.rows
        where = np.where(old, previous.segment[np.where(old, row, 0)], len(names) - 1)
        at = np.where(old, previous.row[np.where(old, row, 0)], row)
    used = sorted(set(where.tolist()))
    renumber = np.zeros(len(names), np.int32)
    renumber[used] = np.arange(len(used), dtype=np.int32)
    table = pa.Table.from_arrays([
        tables.corpus.column("doc_id").combine_chunks(),
        pa.array(tables.signatures, pa.binary(16)),
        pa.DictionaryArray.from_arrays(pa.array(renumber[where], pa.int32()), pa.array([names[i] for i in used])),
        pa.array(at, pa.int32()),
    ], schema=_ROWS)
    map_file = folder / _CANDIDATE.format(pid=os.getpid())
    store.write_arrow(map_file, table)
    return CandidateRows(map_file, segment if written else None, name)


def _merge_due(previous: CarriedRows, tables: Tables) -> bool:
    live = tables.corpus.num_rows
    return len(previous.segment_names) + 1 > MAX_SEGMENTS or previous.rows_held() + tables.built.num_rows > 2 * live


def keep_carried_rows(candidate: CandidateRows, version: int, folder: Path) -> None:
    """Keep the rows of the snapshot just published under its version, then delete what no
    snapshot's rows need any more (a crash in between leaves files the next publish deletes)."""
    if candidate.new_segment is not None:
        candidate.new_segment.replace(folder / candidate.segment_name)
    candidate.map_file.replace(folder / _map_name(version))
    store.fsync(folder)
    needed = set(_read_map(folder / _map_name(version)).column("segment").combine_chunks().dictionary.to_pylist())
    for older in folder.glob("carry-v*.arrow"):
        if older.name != _map_name(version):
            older.unlink(missing_ok=True)
    for segment in folder.glob("corpus-*.arrow"):
        if segment.name not in needed:
            segment.unlink(missing_ok=True)


def discard_carried_rows(candidate: CandidateRows) -> None:
    candidate.map_file.unlink(missing_ok=True)
    if candidate.new_segment is not None:
        candidate.new_segment.unlink(missing_ok=True)


def _map_name(version: int) -> str:
    return f"carry-v{version}.arrow"


def _read_map(path: Path) -> pa.Table:
    return store.read_arrow(path, _ROWS)


def _same_rows(first: pa.Table, second: pa.Table) -> bool:
    return first.num_rows == second.num_rows and first.column_names == second.column_names and all(
        a.equals(b) for a, b in zip(first.columns, second.columns))


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
    version = int(manifest["version"])
    suites = manifest.get("validation", {}).get("suites_sha256")
    rows = _carried_rows(state_dir, version) if state_dir else None
    if rows is not None:
        return PublishedSnapshot(folder.resolve(), version, rows[1], suites, rows[0])
    return PublishedSnapshot(folder.resolve(), version, _signatures_from_parquet(folder.resolve()), suites)


def _carried_rows(folder: Path, version: int) -> tuple[CarriedRows, dict[str, bytes]] | None:
    """The rows kept for this version and their digests, if they are all there."""
    try:
        table = _read_map(folder / _map_name(version))
    except (OSError, ValueError, pa.ArrowException):
        return None
    segment = table.column("segment").combine_chunks()
    names = tuple(segment.dictionary.to_pylist())
    if not all(_segment_is_readable(folder / name) for name in names):
        return None  # the snapshot's own Parquet files give the rows instead
    rows = CarriedRows(folder, names, segment.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                       table.column("row").to_numpy().astype(np.int32))
    return rows, dict(zip(table.column("doc_id").to_pylist(), table.column("signature").to_pylist()))


def _segment_is_readable(path: Path) -> bool:
    """The segment is there and its footer says it holds corpus rows (a cut or overwritten file
    fails here, before a run counts on it)."""
    try:
        with pa.memory_map(str(path)) as source:
            return pa.ipc.open_file(source).schema.equals(CORPUS_SCHEMA)
    except (OSError, pa.ArrowException):
        return False


def _signatures_from_parquet(folder: Path) -> dict[str, bytes]:
    """Each document's signature digest, from the snapshot's own files (its rows were not kept
    beside the run state: older code, a rollback, a deleted cache)."""
    sources = pq.read_table(folder / SOURCES_FILE, columns=["path", "sha256", "reason", "is_truncated"])
    ledger = {path: (path, sha, reason, truncated)
              for path, sha, reason, truncated in zip(*(c.to_pylist() for c in sources.columns))}
    corpus = pq.read_table(folder / CORPUS_FILE, columns=["doc_id", "source_paths"])
    signatures: dict[str, Signature] = {
        doc_id: tuple(ledger[path] for path in paths)
        for doc_id, paths in zip(corpus.column("doc_id").to_pylist(), corpus.column("source_paths").to_pylist())
    }
    return {doc_id: signature_digest(sig) for doc_id, sig in signatures.items()}
