"""Store: every file a run keeps, under the clean folder (what readers read) and the state folder
(what only runs read): where each one lives, one atomic write, one reader per format.

The clean folder holds only what readers need, so that dataset loaders see a dataset:

    corpus.parquet, sources.parquet,                 links into current/ (store.publish)
      quarantine.parquet, manifest.json,
      README.md, report.html
    current                                          link to snapshots/v<N> (store.publish)
    snapshots/v<N>/                                  the published snapshots, each complete (store.publish),
      README.md, report.html                           with its dataset card and report (card, htmlreport)
      data-docs/index.html                             and the Data Docs of its validation (validate.datadocs)
    .staging-*/                                      a snapshot being written; removed by the next run
    .run.lock                                        one publisher at a time: runs and rollback (store.lock)
    .state/                                          the state folder, unless --state puts it elsewhere

The state folder (hidden, so that `datasets`, DuckDB globs and Polars skip it):

    .run.lock                                        one run at a time on this state (store.lock)
    failed/<UTC time>/                               a run that failed validation: its Data Docs and
      data-docs/index.html, validation.json            report, the newest ValidationConfig.keep_failed_runs kept
    cache/results-<version>-f<format>.sqlite         what each file content gave, plain columns, each row
                                                     naming the code and settings that made it (store.cache)
    cache/state-<version>-<key>/                     the run state, Arrow and .npy only:
        files-<n>.arrow, contents-<n>.arrow, verdicts-<n>.arrow   stamps, entries, verdicts (store.state)
        index.arrow, index-bulk-<token>-{values,slots}.npy        the sample index (dedup.candidates)
        folders.arrow                                             folder listings (ingest.discover)
        carry-v<N>.arrow, corpus-<token>.arrow                    rows carried from snapshot v<N> (store.carry)
    cache/scratch/                                   a run's temporary files (the corpus rows it built,
                                                     the tables validation reads)

<key> names the code, library versions and settings that made the state (store.cache.settings_key).
Nothing here is ever unpickled: a file in the state folder is data, so whoever can write it can
change a cached result, never run code. Every reader checks the schema it expects and raises
StateDamaged otherwise; the run then treats the state as missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from commclean.store.mapping import mapped_table

STATE_DIR = ".state"  # the state folder's place inside the clean folder, unless a run is given another
CACHE_DIR = "cache"
# The published snapshot (publish.py)
SNAPSHOTS = "snapshots"
CURRENT_LINK = "current"
CORPUS_FILE = "corpus.parquet"
SOURCES_FILE = "sources.parquet"
QUARANTINE_FILE = "quarantine.parquet"  # documents set aside by a document-scope expectation
MANIFEST_FILE = "manifest.json"
CARD_FILE = "README.md"  # the dataset card (card.py)
REPORT_FILE = "report.html"  # the quality report (htmlreport.py)
PUBLISHED_FILES = (SOURCES_FILE, CORPUS_FILE, QUARANTINE_FILE, MANIFEST_FILE)
PAGES = (CARD_FILE, REPORT_FILE)  # linked at the top too, when the snapshot has them (older ones do not)
DATA_DOCS_DIR = "data-docs"
DATA_DOCS_INDEX = "index.html"  # the site's entry page, inside DATA_DOCS_DIR
FAILED_DIR = "failed"
SCRATCH_DIR = "scratch"  # under CACHE_DIR: a run's temporary files, removed when the next run starts
# Inside the run state folder
INDEX_FILE = "index.arrow"
LISTINGS_FILE = "folders.arrow"


class StateDamaged(ValueError):
    """A kept file is not what its reader expects (cut short, overwritten, another format)."""


@dataclass(frozen=True)
class Folders:
    """Where a run publishes (clean: for readers) and where it keeps what only runs read (state)."""

    clean: Path
    state: Path

    @classmethod
    def of(cls, clean_dir: str | Path, state_dir: str | Path | None = None) -> Folders:
        clean = Path(clean_dir)
        return cls(clean, Path(state_dir) if state_dir is not None else clean / STATE_DIR)

    def adopt_old_state(self) -> None:
        """Before version 0.5 the cache lived in clean/cache/: move it into the state folder (one
        rename on the same file system), so that an upgrade keeps what earlier runs learned."""
        old, new = self.clean / CACHE_DIR, self.state / CACHE_DIR
        if not old.is_dir() or old.is_symlink() or new.exists():
            return
        self.state.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(old, new)
        except OSError:  # another file system: the cache is only a cache
            shutil.rmtree(old, ignore_errors=True)


def scratch_dir(state_dir: str | Path) -> Path:
    """The folder for a run's temporary files (see fresh_scratch)."""
    return Path(state_dir) / CACHE_DIR / SCRATCH_DIR


def fresh_scratch(state_dir: str | Path) -> Path:
    """An empty folder for this run's temporary files, whatever a killed run left in it."""
    folder = scratch_dir(state_dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file beside `path`, fsync it, rename it over `path` and fsync the
    folder: after a crash or power cut the file is the old one or the new one, whole."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync(path.parent)


def write_bytes(path: Path, data: bytes) -> None:
    write_atomically(path, lambda out: out.write(data))


def fsync(path: Path) -> None:
    """Flush a file, or a folder's entries (a rename is durable only once its folder is)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_arrow(path: Path, table: pa.Table, batch_rows: int | None = None) -> None:
    """An uncompressed Arrow IPC file: the next run maps it without decoding. With `batch_rows`,
    the table's chunks (however many and small) become record batches of that many rows, each
    made whole on its own: never a copy of the whole table in memory."""
    if batch_rows is None:
        write_atomically(path, lambda out: feather.write_feather(table, out, compression="uncompressed"))
        return

    def batches(out: BinaryIO) -> None:
        with pa.ipc.new_file(out, table.schema) as writer:
            for start in range(0, table.num_rows, batch_rows):
                writer.write_table(table.slice(start, batch_rows).combine_chunks())

    write_atomically(path, batches)


def read_arrow(path: Path, schema: pa.Schema, memory_map: bool = False) -> pa.Table:
    """The table kept at `path`, which must have exactly `schema`."""
    try:
        table = mapped_table(path) if memory_map else feather.read_table(path)
    except (pa.ArrowException, ValueError) as damage:  # ValueError: an empty file cannot be mapped
        raise StateDamaged(f"{path.name}: {damage}") from damage
    if not table.schema.equals(schema):
        raise StateDamaged(f"{path.name}: unexpected schema")
    return table


def built_rows_path(scratch: Path) -> Path:
    """Where a run spills the corpus rows it builds: a new name each time, so that a table an
    earlier run in this process still maps is never written over."""
    return scratch / f"built-{uuid.uuid4().hex}.arrow"


class SpilledTable:
    """Tables added one at a time to an uncompressed Arrow file, read back as one table mapped
    from it: a table larger than memory is held by the page cache, which the system can take
    back, rather than by the run's process (a corpus of a million statements is 4 GB of text)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._path = path
        self._file = pa.OSFile(str(path), "wb")
        self._writer = pa.ipc.new_file(self._file, schema)

    def add(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def table(self) -> pa.Table:
        self._writer.close()
        self._file.close()
        table = mapped_table(self._path)
        # Mapped, the file needs no name: it is gone once the table is, and no run leaves it behind
        # (where a mapped file cannot be removed, the next run's fresh scratch folder takes it).
        with contextlib.suppress(OSError):
            self._path.unlink()
        return table


def write_npy(path: Path, array: np.ndarray) -> None:
    if array.dtype.hasobject:
        raise TypeError("object arrays are never kept: they would be pickled")
    write_atomically(path, lambda out: np.save(out, array, allow_pickle=False))


def read_npy(path: Path, dtype: np.dtype | type, memory_map: bool = True) -> np.ndarray:
    """A plain one-dimensional array of `dtype` (never pickled objects), mapped rather than read."""
    try:
        array = np.load(path, mmap_mode="r" if memory_map else None, allow_pickle=False)
    except (ValueError, EOFError) as damage:
        raise StateDamaged(f"{path.name}: {damage}") from damage
    if array.dtype != np.dtype(dtype) or array.ndim != 1:
        raise StateDamaged(f"{path.name}: holds {array.dtype} in {array.ndim} dimensions, not {np.dtype(dtype)}")
    return array
