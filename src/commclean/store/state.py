"""What earlier runs learned of each file and content, kept beside the result cache, so that a
run re-reads, re-analyses and re-aligns only what changed: the stat stamp and hash of every
file, a text-free entry per content, and the verdict of every aligned pair."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from commclean import store
from commclean.dedup.candidates import SampleIndex
from commclean.dedup.clusters import Verdict, Verdicts
from commclean.records import ContentEntry

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode: see FoundFile.stamp

_MAX_SEGMENTS = 16
_FILES = pa.schema([("path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                    ("ctime_ns", pa.int64()), ("inode", pa.int64()), ("sha256", pa.string())])
_CONTENTS = pa.schema([
    ("sha256", pa.string()), ("encoding", pa.string()), ("quarantine_reason", pa.string()),
    ("doc_id", pa.string()), ("exact_key", pa.string()), ("is_truncated", pa.bool_()),
    ("repair_count", pa.int32()), ("unknown_words", pa.int32()), ("text_length", pa.int64()),
    ("ending", pa.int64()),
])
_VERDICTS = pa.schema([("key_a", pa.string()), ("key_b", pa.string()), ("verified", pa.bool_()),
                       ("small", pa.string()), ("kind", pa.string()), ("similarity", pa.float64()),
                       ("cut_off", pa.bool_())])


@dataclass(frozen=True)
class _Segments:
    """A table kept as numbered Arrow segments, read oldest first: a run appends a segment of
    the rows it added, and the whole is written again as one segment when there are too many
    segments or too many of their rows are stale. Rows are keyed, and a later row of a key
    replaces an earlier one, so a crash between writing a merged segment and deleting the old
    ones leaves rows twice over, which is harmless."""

    name: str
    schema: pa.Schema

    def paths(self, folder: Path) -> list[Path]:
        return sorted(folder.glob(f"{self.name}-*.arrow"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))

    def read(self, folder: Path) -> list[list]:
        """The rows' columns, every segment's in order, as Python lists."""
        tables = [store.read_arrow(path, self.schema) for path in self.paths(folder)]
        if not tables:
            raise FileNotFoundError(f"no {self.name} segments in {folder}")
        return [pa.chunked_array([chunk for table in tables for chunk in table.column(i).chunks], type=f.type)
                .to_pylist() for i, f in enumerate(self.schema)]

    def merge_due(self, folder: Path, rows_on_disk: int, stale: int, live: int) -> bool:
        """Whether to write the whole again: nothing (readable) on disk yet, too many segments,
        or more than a quarter as many stale rows as live ones."""
        return not rows_on_disk or len(self.paths(folder)) >= _MAX_SEGMENTS or stale > live // 4

    def write(self, folder: Path, columns: list, merge: bool) -> None:
        """Append `columns` as a segment, or, with `merge`, replace all segments with it."""
        segments = self.paths(folder)
        if columns and columns[0] or merge or not segments:
            number = int(segments[-1].stem.rsplit("-", 1)[1]) + 1 if segments else 0
            _write(folder / f"{self.name}-{number}.arrow", self.schema, columns)
        if merge:
            for segment in segments:
                segment.unlink()


_FILE_SEGMENTS = _Segments("files", _FILES)
_CONTENT_SEGMENTS = _Segments("contents", _CONTENTS)
_VERDICT_SEGMENTS = _Segments("verdicts", _VERDICTS)
StampRow = tuple[str, Stamp, str]  # path, stamp, sha256


@dataclass
class RunState:
    """Knowledge that depends only on file contents (and stat, for the stamps): valid whatever
    was published, so a rollback or a failed validation never makes it wrong. A file whose
    stamp changed is read and hashed again; `commclean run --full` ignores all of it. Each
    part is kept in segments (see _Segments): a run writes what it added, not the whole."""

    stamps: dict[str, tuple[Stamp, str]] = field(default_factory=dict)  # path -> (stamp, sha256)
    contents: dict[str, ContentEntry] = field(default_factory=dict)  # sha256 -> entry
    verdicts: Verdicts = field(default_factory=dict)
    index: SampleIndex | None = None  # the sampled shingles of the distinct texts, and candidate pairs
    saved_contents: set[str] = field(default_factory=set)  # hashes whose entries are on disk already
    saved_verdicts: set[tuple[str, str]] = field(default_factory=set)  # pairs on disk already
    stamp_rows_on_disk: int = 0

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
            index = SampleIndex.load(folder / store.INDEX_FILE)
            contents = _load_contents(folder)
            stamps, stamp_rows = _load_stamps(folder)
            verdicts = _load_verdicts(folder)
            return cls(stamps, contents, verdicts, index, set(contents), set(verdicts), stamp_rows)
        except (OSError, ValueError, pa.ArrowException, KeyError):  # StateDamaged is a ValueError
            return cls()

    def save(self, folder: Path, files: Sequence[StampRow], contents: Iterable[ContentEntry]) -> None:
        """Keep what this run saw, and verdicts between contents still present; each file is
        replaced atomically, and any one of them alone is still correct. The state has then served
        its run (the next run loads it again): each part is let go of as soon as it is written, the
        sample index first. That is the bulk, 2 KB a file, and a run saves its state beside
        assembly, whose workers start meanwhile: held until the rest was written too, it made a
        million-file run's peak (benchmarks/RESULTS.md)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.contents = {}  # what the last run saved: `saved_contents` says all that saving needs
        if self.index is not None:  # first: an entry saved without its samples relies on it
            self.index.save(folder / store.INDEX_FILE)
            self.index = None
        self._save_stamps(folder, [row for row in files if row[2]])
        self.stamps = {}
        kept = {entry.sha256: entry for entry in contents if entry.sha256}
        self._save_contents(folder, kept)
        self._save_verdicts(folder, {entry.exact_key for entry in kept.values() if entry.exact_key})
        self.verdicts = {}

    def _save_stamps(self, folder: Path, rows: list[StampRow]) -> None:
        fresh = [row for row in rows if self.stamps.get(row[0]) != (row[1], row[2])]
        stale = self.stamp_rows_on_disk + len(fresh) - len(rows)  # superseded, or of files gone
        merge = _FILE_SEGMENTS.merge_due(folder, self.stamp_rows_on_disk, stale, len(rows))
        fresh = rows if merge else fresh
        _FILE_SEGMENTS.write(folder, [[r[0] for r in fresh], *([r[1][i] for r in fresh] for i in range(4)),
                                      [r[2] for r in fresh]], merge)
        self.stamp_rows_on_disk = len(rows) if merge else self.stamp_rows_on_disk + len(fresh)

    def _save_contents(self, folder: Path, kept: dict[str, ContentEntry]) -> None:
        stale = len(self.saved_contents - kept.keys())
        merge = _CONTENT_SEGMENTS.merge_due(folder, len(self.saved_contents), stale, len(kept))
        fresh = kept if merge else {sha: e for sha, e in kept.items() if sha not in self.saved_contents}
        _CONTENT_SEGMENTS.write(folder, _content_columns(sorted(fresh.values(), key=lambda e: e.sha256)), merge)
        self.saved_contents = set(kept) if merge else self.saved_contents | fresh.keys()

    def _save_verdicts(self, folder: Path, keys: set[str]) -> None:
        """Verdicts between texts still present; those of texts gone go at the next merge."""
        live = {pair: v for pair, v in self.verdicts.items() if pair[0] in keys and pair[1] in keys}
        stale = len(self.saved_verdicts - live.keys())
        merge = _VERDICT_SEGMENTS.merge_due(folder, len(self.saved_verdicts), stale, len(live))
        pairs = sorted((pair, v) for pair, v in live.items() if merge or pair not in self.saved_verdicts)
        _VERDICT_SEGMENTS.write(folder, [
            [p[0] for p, _ in pairs], [p[1] for p, _ in pairs], [v is not None for _, v in pairs],
            [v.small if v else None for _, v in pairs], [v.kind if v else None for _, v in pairs],
            [v.similarity if v else None for _, v in pairs], [v.cut_off if v else None for _, v in pairs],
        ], merge)
        self.saved_verdicts = set(live) if merge else self.saved_verdicts | {pair for pair, _ in pairs}


def _write(path: Path, schema: pa.Schema, columns: list) -> None:
    arrays = [c if isinstance(c, pa.Array) else pa.array(list(c), type=f.type) for c, f in zip(columns, schema)]
    store.write_arrow(path, pa.Table.from_arrays(arrays, schema=schema))


def _content_columns(entries: list[ContentEntry]) -> list[list]:
    return [[getattr(entry, name) for entry in entries] for name in _CONTENTS.names]


def _load_stamps(folder: Path) -> tuple[dict[str, tuple[Stamp, str]], int]:
    """Each path's latest stamp, and how many rows the segments hold."""
    columns = _FILE_SEGMENTS.read(folder)
    stamps = {path: ((size, mtime, ctime, inode), sha) for path, size, mtime, ctime, inode, sha in zip(*columns)}
    return stamps, len(columns[0])


def _load_contents(folder: Path) -> dict[str, ContentEntry]:
    return {row[0]: ContentEntry(*row) for row in zip(*_CONTENT_SEGMENTS.read(folder))}


def _load_verdicts(folder: Path) -> Verdicts:
    return {
        (a, b): Verdict(small, kind, similarity, cut_off) if verified else None
        for a, b, verified, small, kind, similarity, cut_off in zip(*_VERDICT_SEGMENTS.read(folder))
    }
