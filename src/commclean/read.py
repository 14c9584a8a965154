"""Read one published version whole, however often runs and rollbacks switch `clean/current`.

`clean/corpus.parquet` is a link that each publish re-points. A reader that opens it once reads
one complete file, but readers that open it more than once (a footer, then the row groups; the
corpus, then the ledger) can get parts of two versions. These functions resolve `current` once,
to the snapshot's own folder, whose files are never rewritten, and read each file through one
open handle: the tables come from one version even if it is switched or pruned meanwhile."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from commclean.store import CORPUS_FILE, CURRENT_LINK, MANIFEST_FILE, SOURCES_FILE


def current_snapshot(clean_dir: str | Path) -> Path:
    """The folder of the version readers see now (`clean/snapshots/v<N>`). Its path never names
    another version's files, so any tool may read from it by path (until Config.keep_snapshots
    newer versions have been published and it is pruned)."""
    clean = Path(clean_dir)
    try:
        target = os.readlink(clean / CURRENT_LINK)  # read once: the switch may happen right after
    except OSError:
        raise FileNotFoundError(f"nothing is published in {clean}") from None
    snapshot = clean / target
    if not (snapshot / MANIFEST_FILE).is_file():
        raise FileNotFoundError(f"{clean / CURRENT_LINK} points at no snapshot")
    return snapshot


def read_corpus(clean_dir: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The corpus readers see now, whole and of one version."""
    return _read(current_snapshot(clean_dir) / CORPUS_FILE, columns)


def read_sources(clean_dir: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The ledger readers see now, whole and of one version."""
    return _read(current_snapshot(clean_dir) / SOURCES_FILE, columns)


def read_published(clean_dir: str | Path) -> tuple[pa.Table, pa.Table]:
    """The corpus and the ledger of the same version."""
    snapshot = current_snapshot(clean_dir)
    return _read(snapshot / CORPUS_FILE, None), _read(snapshot / SOURCES_FILE, None)


def _read(path: Path, columns: Sequence[str] | None) -> pa.Table:
    # One mapping of one open file: what is read stays that file even if it is pruned meanwhile.
    with pa.memory_map(str(path)) as source:
        return pq.read_table(source, columns=list(columns) if columns is not None else None)
