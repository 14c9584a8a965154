"""What a run reuses and keeps in its state folder: the result cache, the run state, the published
snapshot to carry rows from, and the texts of documents a run needs but did not process."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from commclean import store
from commclean.config import Config
from commclean.ingest.discover import Discovery, discover, load_listings, save_listings
from commclean.ingest.prefetch import start_prefetch, stop_prefetch
from commclean.records import Alignable, Fingerprint, Quarantined, RawFile, SeenFile, SourceDoc
from commclean.runtime.heap import give_back_freed_memory
from commclean.store import LISTINGS_FILE, Folders
from commclean.store.cache import (
    CacheDamaged,
    CachedResult,
    CacheRow,
    PackedTexts,
    ResultCache,
    StageKeys,
    cache_is_readable,
    cache_path,
    cached_documents,
    cached_results,
    cached_sequences,
    discard_other_state,
    discard_run_state,
    row_of,
    settings_key,
    stage_keys,
    state_path,
    unpacked_text,
    with_keys,
)
from commclean.store.carry import PublishedSnapshot, load_published
from commclean.store.state import RunState

T = TypeVar("T")
_NO_SAMPLES = np.empty(0, dtype=np.uint64)  # a fingerprint's samples once the sample index holds them

if TYPE_CHECKING:
    from commclean.pipeline.batches import Batch
    from commclean.pipeline.corpus import Deduplicated


@dataclass(frozen=True)
class Workspace:
    """What a run may reuse: the result cache and run state in the state folder, and the published
    snapshot to carry unchanged rows from. Without a clean folder a run reuses and keeps nothing."""

    cache: Path | None = None  # where this run's new results are saved
    state_dir: Path | None = None
    state: RunState = field(default_factory=RunState)
    published: PublishedSnapshot | None = None
    lookup: bool = False  # take results from the cache (False for --full)
    scratch: Path | None = None  # this run's temporary files (the system's temporary folder if None)
    keys: StageKeys = StageKeys("", "")  # what this run's code and settings make (see store.cache)


def open_workspace(folders: Folders | None, config: Config, full: bool = False) -> Workspace:
    if folders is None:
        return Workspace()
    cache, state_dir = cache_path(folders.state, config), state_path(folders.state, config)
    discard_other_state(folders.state, config)
    scratch, keys = store.fresh_scratch(folders.state), stage_keys(config)
    if full:
        return Workspace(cache, state_dir, scratch=scratch, keys=keys)
    if not cache.exists():  # a first run; the state names texts only the cache holds, so it is no use
        return Workspace(cache, state_dir, scratch=scratch, keys=keys)
    if not cache_is_readable(cache):
        discard_run_state(folders.state, config, f"{cache.name} does not open")
        return Workspace(cache, state_dir, scratch=scratch, keys=keys)
    state = RunState.load(state_dir)
    published = load_published(folders.clean, settings_key(config), state_dir)
    return Workspace(cache, state_dir, state, published, lookup=True, scratch=scratch, keys=keys)


def kept_listings_file(folders: Folders | None, config: Config, full: bool = False) -> Path | None:
    """Where the last run kept its folder listings, for discover (none for --full: it reads them all)."""
    if folders is None or full:
        return None
    return state_path(folders.state, config) / LISTINGS_FILE


def discover_and_open(raw_dir: str | Path, folders: Folders | None, config: Config,
                      full: bool) -> tuple[Discovery, Workspace]:
    """Walk raw/ while the run state is read: that is mostly waiting on the file system, so a
    thread overlaps it well. The old state is adopted first: the listings are read from it."""
    if folders is not None:
        folders.adopt_old_state()
    listed = kept_listings_file(folders, config, full)
    helper = start_prefetch(Path(raw_dir), listed, config.prefetch_threads)
    try:
        with ThreadPoolExecutor(1) as opener:
            opening = opener.submit(open_workspace, folders, config, full)
            discovery = discover(raw_dir, load_listings(listed) if listed else None)
            workspace = opening.result()
    finally:
        stop_prefetch(helper)
    # The listings describe raw/ as this run found it, right whatever becomes of the run: kept for
    # the next run at once, they are not held through this one (an object per folder, a third of
    # a GB at a million folders).
    if workspace.state_dir is not None:
        workspace.state_dir.mkdir(parents=True, exist_ok=True)
        listings = workspace.state_dir / LISTINGS_FILE
        if discovery.listings_changed or not listings.exists():
            save_listings(listings, discovery.listings)
        discovery = replace(discovery, listings={})
    return discovery, workspace


class ResultWriter:
    """Stores the results a run processed (not those it took from the cache), batch by batch."""

    def __init__(self, path: Path | None, keys: StageKeys) -> None:
        self._store = ResultCache(path) if path is not None else None
        self._keys = keys
        self.written = 0

    def put(self, batch: Batch[SourceDoc]) -> None:
        if self._store is None:
            return
        fresh = {
            item.raw.sha256: item
            for item in (*batch.items, *batch.quarantined)
            if item.raw.sha256 and item.raw.sha256 not in batch.cached_hashes
        }
        self._store.put_rows(self._row(batch, item) for item in fresh.values())
        self.written += len(fresh)

    def _row(self, batch: Batch[SourceDoc], item: SourceDoc | Quarantined) -> CacheRow:
        packed = batch.packed.get(item.raw.path)
        if packed is None:
            return row_of(item, self._keys)
        # A packed document has no text left to make a row from: only the worker's row will do.
        if packed.row is None:
            raise ValueError(f"{item.raw.path}: its batch was stored already")
        return with_keys(packed.row, self._keys)

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *_: object) -> None:
        if self._store is not None:
            self._store.close()


def save_new_results(identified: Sequence[Batch], done: Iterator[Batch], workspace: Workspace,
                     held_chars: int) -> list[Batch]:
    """Join each identified batch with what processing its new files gave (`done`, in order), and
    store the new results as each batch comes back, while the workers go on with the next. Once
    the batches kept whole hold `held_chars` of text, the next ones keep only their entries: their
    texts are in the cache, where Texts reads them back."""
    from commclean.pipeline.batches import Batch

    batches, held = [], 0
    with ResultWriter(workspace.cache, workspace.keys) as store:
        for batch in identified:
            joined = batch.joined(next(done) if batch.items else Batch(()))
            store.put(joined)
            joined = joined.stored()
            if workspace.cache is not None and held >= held_chars:
                joined = joined.entries_only()
            held += joined.text_chars()
            batches.append(joined)
            # A batch's result arrives as one pickle of tens of MB, let go of once unpacked: without
            # this the C heap keeps those pages, and at 100k files the run's process held a GB more.
            give_back_freed_memory()
    # Taken to its end, `done` closes the worker pool behind it now: left open, its idle workers
    # (hundreds of MB each) would live on through deduplication and assembly.
    for _ in done:
        raise RuntimeError("processing gave more batches than were sent")
    return batches


@dataclass(frozen=True)
class TextsToLoad:
    """Documents to load: those a run holds (without texts, with their packed texts) and those
    the result cache holds. Small and picklable, so that a worker process loads them."""

    held: tuple[tuple[SourceDoc, PackedTexts | None], ...]
    cached: tuple[RawFile, ...]  # read from the result cache by hash
    cache: Path | None

    def load(self) -> dict[str, SourceDoc]:
        """By path, with their texts (not their fingerprints or metadata texts: no row reads them)."""
        loaded = {doc.raw.path: doc if texts is None else _as_built_from(doc, unpacked_text(texts))
                  for doc, texts in self.held}
        if self.cached:
            assert self.cache is not None  # Texts.handed sees to it
            found = cached_documents(self.cache, self.cached)
            if len(found) < len(self.cached) or any(not isinstance(doc, SourceDoc) for doc in found.values()):
                raise CacheDamaged(f"{self.cache.name} lost entries the run state names")
            loaded.update(found)  # type: ignore[arg-type]
        return loaded


def _as_built_from(doc: SourceDoc, text: str) -> SourceDoc:
    """The document with the text given, as rows are built from it: without the fingerprint and
    metadata text no row reads (made directly: dataclasses.replace costs five times more)."""
    return SourceDoc(doc.raw, doc.encoding, text, doc.repairs, doc.is_truncated, doc.metadata, doc.unknown_words)


class Texts:
    """The texts of a run's documents: those it processed from memory, the others (only the
    few an incremental run must align or rebuild) from the result cache."""

    def __init__(self, batches: Sequence[Batch[SourceDoc]], files: Sequence[SeenFile], workspace: Workspace) -> None:
        self._in_memory = {doc.raw.path: doc for batch in batches for doc in batch.documents()}
        self._packed = {path: packed.texts for batch in batches for path, packed in batch.packed.items()}
        self._prints = {d.fingerprint.exact_key: d.fingerprint for d in self._in_memory.values() if d.fingerprint}
        self._sha_of_key = {f.content.exact_key: f.raw.sha256 for f in files}
        self._cache = workspace.cache

    def handed(self, files: Sequence[SeenFile]) -> TextsToLoad:
        """What loading the files' documents takes, which this lets go of: assembly takes each
        document once, a chunk at a time, and what it took (compressed texts, alignment
        sequences) would otherwise stay until release() while the corpus table grows."""
        held, cached = [], []
        for f in files:
            doc, texts = self._in_memory.pop(f.raw.path, None), self._packed.pop(f.raw.path, None)
            if doc is None:
                cached.append(f.raw)
            else:
                held.append((_as_built_from(doc, doc.text), texts))
            self._prints.pop(f.content.exact_key, None)
        if cached and self._cache is None:
            raise LookupError("texts needed from the result cache, but this run has none")
        return TextsToLoad(tuple(held), tuple(cached), self._cache if cached else None)

    def sequences(self, keys: Collection[str]) -> dict[str, Alignable]:
        missing = {key: self._sha_of_key[key] for key in keys if key not in self._prints}
        looked_up = self._cached(cached_sequences, set(missing.values()))
        return {key: self._prints[key].alignable if key in self._prints else looked_up[missing[key]] for key in keys}

    def samples(self, keys: Collection[str]) -> dict[str, np.ndarray]:
        return {key: print_.samples for key, print_ in self._fingerprints(keys).items()}

    def forget_samples(self) -> None:
        """Let go of the held fingerprints' samples once the sample index holds them (alignment
        still reads the sequences)."""
        self._prints = {key: replace(print_, samples=_NO_SAMPLES) for key, print_ in self._prints.items()}
        self._in_memory = {path: replace(doc, fingerprint=self._prints[doc.fingerprint.exact_key])
                           if doc.fingerprint is not None else doc for path, doc in self._in_memory.items()}

    def release(self) -> None:
        """Let go of the documents held in memory once assembly has taken the texts it builds
        with: their alignment sequences and duplicate texts are hundreds of megabytes at 100k
        files, which would otherwise stay through validation, the peak of a full build."""
        self._in_memory, self._prints, self._packed = {}, {}, {}

    def _fingerprints(self, keys: Collection[str]) -> dict[str, Fingerprint]:
        missing = {key: self._sha_of_key[key] for key in keys if key not in self._prints}
        results = self._from_cache(set(missing.values()))
        looked_up = {key: results[sha].fingerprint for key, sha in missing.items()}
        return {key: self._prints.get(key) or looked_up[key] for key in keys}  # type: ignore[misc]

    def _from_cache(self, hashes: set[str]) -> dict[str, CachedResult]:
        return self._cached(cached_results, hashes)

    def _cached(self, look_up: Callable[[Path, set[str]], dict[str, T]], hashes: set[str]) -> dict[str, T]:
        if not hashes:
            return {}
        if self._cache is None:
            raise LookupError("texts needed from the result cache, but this run has none")
        results = look_up(self._cache, hashes)
        if len(results) < len(hashes):
            raise CacheDamaged(f"{self._cache.name} lost entries the run state names")
        return results


def save_state(discovery: Discovery, deduplicated: Deduplicated, workspace: Workspace) -> None:
    """Remember every file's stamp and content and every verdict, for the next run."""
    if workspace.state_dir is None:
        return
    files = (*deduplicated.documents, *deduplicated.quarantined)
    sha_of = {f.raw.path: f.raw.sha256 for f in files}
    stamps = [(f.path, f.stamp, sha_of[f.path]) for f in discovery.files if f.path in sha_of]
    # Saved, the run state has served this run, and is let go of on the way (RunState.save): its
    # sample index alone is 2 KB a file, held otherwise through assembly, validation and publishing.
    workspace.state.save(workspace.state_dir, stamps, [f.content for f in files])


