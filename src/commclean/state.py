"""What earlier runs learned of each file and content, kept beside the result cache, so that a
run re-reads, re-analyses and re-aligns only what changed: the stat stamp and hash of every
file, a text-free entry per content, and the verdict of every aligned pair."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

from commclean.candidates import SampleIndex
from commclean.dedup import Verdict, Verdicts
from commclean.records import ContentEntry, RawFile

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: see FoundFile.stamp

_INDEX = "index.pickle"
_MAX_SEGMENTS = 16
_FILES = pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                    ("ctime_ns", pa.int64()), ("inode", pa.int64()), ("sha256", pa.string())])
_CONTENTS = pa.schema([
    ("sha256", pa.string()), ("encoding", pa.string()), ("quarantine_reason", pa.string()),
    ("doc_id", pa.string()), ("exact_key", pa.string()), ("is_truncated", pa.bool_()),
    ("repair_count", pa.int32()), ("unknown_words", pa.int32()), ("text_length", pa.int64()),
])
_VERDICTS = pa.schema([("key_a", pa.string()), ("key_b", pa.string()), ("verified", pa.bool_()),
                       ("small", pa.string()), ("kind", pa.string()), ("similarity", pa.float64()),
                       ("cut_off", pa.bool_())])


@dataclass
class RunState:
    """Knowledge that depends only on file contents (and stat, for the stamps): valid whatever
    was published, so a rollback or a failed validation never makes it wrong. A file whose
    stamp changed is read and hashed again; `commclean run --full` ignores all of it."""

    stamps: dict[str, tuple[Stamp, str]] = field(default_factory=dict)  # path -> (stamp, sha256)
    contents: dict[str, ContentEntry] = field(default_factory=dict)  # sha256 -> entry
    verdicts: Verdicts = field(default_factory=dict)
    index: SampleIndex | None = None  # the sampled shingles of the distinct texts, and candidate pairs
    saved_contents: set[str] = field(default_factory=set)  # hashes whose entries are on disk already

    def known_sha256(self, path: str, stamp: Stamp) -> str | None:
        """The file's hash, if its stamp is what it was when it was hashed (and its content known)."""
        seen = self.stamps.get(path)
        if seen and seen[0] == stamp and seen[1] in self.contents:
            return seen[1]
        return None

    @classmethod
    def load(cls, folder: Path) -> RunState:
        """The saved state, or an empty one (first run, or files unreadable: it is only a cache)."""
        try:
            # Entries are kept without their samples, which only the index holds: no use without it.
            index = SampleIndex.load(folder / _INDEX)
            contents = _load_contents(folder)
            return cls(_load_stamps(folder), contents, _load_verdicts(folder), index, set(contents))
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, pa.ArrowException, KeyError):
            return cls()

    def save(self, folder: Path, files: Iterable[tuple[RawFile, Stamp]], contents: Iterable[ContentEntry]) -> None:
        """Keep what this run saw, and verdicts between contents still present; each file is
        replaced atomically, and any one of them alone is still correct."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.index is not None:  # first: an entry saved without its samples relies on it
            self.index.save(folder / _INDEX)
        rows = [(raw.path, *stamp, raw.sha256) for raw, stamp in files if raw.sha256]
        _write(folder / "files.arrow", _FILES, list(zip(*rows)) if rows else [[]] * len(_FILES))
        kept = {entry.sha256: entry for entry in contents if entry.sha256}
        self._save_contents(folder, kept)
        keys = {entry.exact_key for entry in kept.values() if entry.exact_key}
        pairs = sorted((pair, v) for pair, v in self.verdicts.items() if pair[0] in keys and pair[1] in keys)
        _write(folder / "verdicts.arrow", _VERDICTS, [
            [p[0] for p, _ in pairs], [p[1] for p, _ in pairs], [v is not None for _, v in pairs],
            [v.small if v else None for _, v in pairs], [v.kind if v else None for _, v in pairs],
            [v.similarity if v else None for _, v in pairs], [v.cut_off if v else None for _, v in pairs],
        ])

    def _save_contents(self, folder: Path, kept: dict[str, ContentEntry]) -> None:
        """Contents go in segments: a run writes only the entries it added, and the segments are
        merged into one when there are too many or too much of them is stale."""
        segments = _segments(folder)
        # A state that loaded nothing (first run, --full) starts the segments afresh.
        merge = (not self.saved_contents or len(segments) >= _MAX_SEGMENTS
                 or len(self.saved_contents - kept.keys()) > len(kept) // 4)
        fresh = kept if merge else {sha: e for sha, e in kept.items() if sha not in self.saved_contents}
        if fresh or not segments:
            number = _segment_number(segments[-1]) + 1 if segments else 0
            _write(folder / f"contents-{number}.arrow", _CONTENTS,
                   _content_columns(sorted(fresh.values(), key=lambda e: e.sha256)))
        if merge:  # a crash before these go leaves entries twice over, which is harmless
            for segment in segments:
                segment.unlink()
        self.saved_contents = set(kept) if merge else self.saved_contents | fresh.keys()


def _segments(folder: Path) -> list[Path]:
    return sorted(folder.glob("contents-*.arrow"), key=_segment_number)


def _segment_number(path: Path) -> int:
    return int(path.stem.split("-")[1])


def _write(path: Path, schema: pa.Schema, columns: list) -> None:
    arrays = [c if isinstance(c, pa.Array) else pa.array(list(c), type=f.type) for c, f in zip(columns, schema)]
    table = pa.Table.from_arrays(arrays, schema=schema)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    feather.write_feather(table, temporary, compression="uncompressed")
    os.replace(temporary, path)


def _content_columns(entries: list[ContentEntry]) -> list[list]:
    return [[getattr(entry, name) for entry in entries] for name in _CONTENTS.names]


def _read(path: Path, schema: pa.Schema) -> pa.Table:
    table = feather.read_table(path, memory_map=False)
    if not table.schema.equals(schema):
        raise KeyError(f"{path.name}: unexpected schema")
    return table


def _load_stamps(folder: Path) -> dict[str, tuple[Stamp, str]]:
    columns = [column.to_pylist() for column in _read(folder / "files.arrow", _FILES).columns]
    return {path: ((size, mtime, ctime, inode), sha) for path, size, mtime, ctime, inode, sha in zip(*columns)}


def _load_contents(folder: Path) -> dict[str, ContentEntry]:
    contents: dict[str, ContentEntry] = {}
    for segment in _segments(folder):
        contents.update(_load_segment(segment))
    return contents


def _load_segment(path: Path) -> dict[str, ContentEntry]:
    columns = [column.to_pylist() for column in _read(path, _CONTENTS).columns]
    return {row[0]: ContentEntry(*row) for row in zip(*columns)}


def _load_verdicts(folder: Path) -> Verdicts:
    columns = [column.to_pylist() for column in _read(folder / "verdicts.arrow", _VERDICTS).columns]
    return {
        (a, b): Verdict(small, kind, similarity, cut_off) if verified else None
        for a, b, verified, small, kind, similarity, cut_off in zip(*columns)
    }
