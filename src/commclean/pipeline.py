"""The stages over batches of files, composed in order; Prefect flows call the same functions as tasks."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from commclean.assemble import assemble, check_ledger
from commclean.cache import (
    CacheDamaged,
    CachedResult,
    ResultCache,
    cache_is_readable,
    cache_path,
    cached_results,
    discard_run_state,
    settings_key,
    state_path,
)
from commclean.candidates import SampleIndex
from commclean.carry import (
    CandidateRows,
    PublishedSnapshot,
    discard_carried_rows,
    keep_carried_rows,
    load_published,
    write_carried_rows,
)
from commclean.collector import collector_paused
from commclean.config import Config
from commclean.consensus import consensus_text
from commclean.decode import decode_raw, read_raw
from commclean.dedup import deduplicate_entries, fingerprint, set_aside_short
from commclean.discover import (
    Discovery,
    Listings,
    check_folders,
    discover,
    load_listings,
    save_listings,
)
from commclean.heap import give_back_freed_memory
from commclean.lexicon import count_unknown_words
from commclean.lock import run_lock
from commclean.metadata import extract_metadata
from commclean.publish import Staged, commit, crash_point, discard, stage
from commclean.records import (
    Candidate,
    Cluster,
    ContentEntry,
    Decoded,
    Fingerprint,
    FoundFile,
    Quarantined,
    RawFile,
    Repaired,
    SeenFile,
    SourceDoc,
)
from commclean.repair import repair_text
from commclean.report import RunSummary, manifest_for, summarise
from commclean.schema import Tables, tables_for
from commclean.state import RunState
from commclean.stats import Stats
from commclean.store import LISTINGS_FILE
from commclean.truncation import ends_mid_sentence
from commclean.validate import (
    ValidationReport,
    ValidationWorker,
    suites_sha256,
    validate,
    validation_worker,
)
from commclean.workers import map_in_processes, worker_count

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True)
class Workspace:
    """What a run may reuse: the result cache and run state under clean/cache/, and the published
    snapshot to carry unchanged rows from. Without a clean folder a run reuses and keeps nothing."""

    cache: Path | None = None  # where this run's new results are saved
    state_dir: Path | None = None
    state: RunState = field(default_factory=RunState)
    published: PublishedSnapshot | None = None
    lookup: bool = False  # take results from the cache (False for --full)


def open_workspace(clean_dir: str | Path | None, config: Config, full: bool = False) -> Workspace:
    if clean_dir is None:
        return Workspace()
    cache, state_dir = cache_path(clean_dir, config), state_path(clean_dir, config)
    if full:
        return Workspace(cache, state_dir)
    if not cache.exists():  # a first run; the state names texts only the cache holds, so it is no use
        return Workspace(cache, state_dir)
    if not cache_is_readable(cache):
        discard_run_state(clean_dir, config, f"{cache.name} does not open")
        return Workspace(cache, state_dir)
    state = RunState.load(state_dir)
    published = load_published(clean_dir, settings_key(config), state_dir)
    return Workspace(cache, state_dir, state, published, lookup=True)


def known_folders(clean_dir: str | Path | None, config: Config, full: bool = False) -> Listings | None:
    """The folder listings the last run kept, for discover (none for --full: it reads them all)."""
    if clean_dir is None or full:
        return None
    return load_listings(state_path(clean_dir, config) / LISTINGS_FILE)


@dataclass(frozen=True)
class Batch(Generic[Out]):
    """What one stage made of one batch: the items that go on, and the files it quarantined."""

    items: tuple[Out, ...]
    quarantined: tuple[Quarantined, ...] = ()
    stats: Stats = field(default_factory=Stats)
    # Files whose results came from the cache: finished documents pass the later stages untouched.
    ready: tuple[SourceDoc, ...] = ()
    from_cache: frozenset[str] = frozenset()
    # Files whose content the run state knows: nothing of them is loaded unless needed later.
    known: tuple[SeenFile, ...] = ()

    def documents(self) -> list[SourceDoc]:
        return [*self.items, *self.ready] if self.ready else list(self.items)

    def seen(self) -> list[SeenFile]:
        """Every file of the batch with what its content gave (call on the last stage's batch)."""
        analysed = (*self.documents(), *self.quarantined)
        return [*self.known, *(SeenFile(item.raw, ContentEntry.of(item)) for item in analysed)]

    def carried(self, out: Batch[Any]) -> Batch[Any]:
        """A later stage's output, with this batch's stats, cached documents and hashes carried on."""
        return Batch(out.items, out.quarantined, out.stats.merge(self.stats), self.ready, self.from_cache, self.known)

    def work(self) -> Batch[Out]:
        """Only the items still to process: what goes to a worker process, without the rest."""
        return Batch(self.items)

    def joined(self, done: Batch[Any]) -> Batch[Any]:
        """What processing this batch's work gave, with everything identification already settled."""
        stats = Stats.merged([self.stats, done.stats])
        return Batch(done.items, (*self.quarantined, *done.quarantined), stats, self.ready, self.from_cache,
                     self.known)


@dataclass(frozen=True)
class Pending:
    """A file whose content must be processed; read already when its hash had to be looked up."""

    found: FoundFile
    raw: RawFile | None = None
    data: bytes | None = None


def _each(stage: str, items: Sequence[In], step: Callable[[In, Stats], Out | Quarantined],
          quarantined: Sequence[Quarantined] = ()) -> Batch[Out]:
    """Run one file's step; a bug on one file quarantines that file, it never stops the run."""
    stats = Stats()
    done: list[Out] = []
    held = list(quarantined)
    for item in items:
        try:
            result = step(item, stats)
        except Exception as error:  # noqa: BLE001 - one bad file must not sink the batch
            reason = f"internal error in {stage}: {type(error).__name__}"
            result = Quarantined(_raw_of(item), None, reason)
            stats.update("quarantine", f"internal error in {stage}")
        (held if isinstance(result, Quarantined) else done).append(result)
    return Batch(tuple(done), tuple(held), stats)


def _raw_of(item: object) -> RawFile:
    if isinstance(item, Pending):
        return item.raw or RawFile(item.found.path, item.found.abs_path, item.found.size_bytes, "")
    if isinstance(item, Repaired):
        return item.decoded.raw
    assert isinstance(item, Decoded)
    return item.raw


def identify_batch(files: Sequence[FoundFile], config: Config, workspace: Workspace = Workspace()) -> Batch[Pending]:
    """Identify every file: by its stat stamp when the run state knows it unchanged, else by
    reading and hashing it. Contents the state knows need nothing more; the results of others
    seen before come from the cache; the rest are pending. Without a cache to look in (a first
    run, --full) nothing is read here: the process that decodes a file reads it."""
    stats = Stats()
    if not workspace.lookup:
        stats.update("cache", "hits", 0)
        stats.update("cache", "misses", len(files))
        return Batch(tuple(Pending(found) for found in files), (), stats)
    known: list[SeenFile] = []
    read: list[Pending] = []
    for found in files:
        sha = workspace.state.known_sha256(found.path, found.stamp)
        if sha:
            stats.update("cache", "files not read (stat unchanged)")
            raw, data = RawFile(found.path, found.abs_path, found.size_bytes, sha), None
        else:
            raw, data = _read(found, config)
        if raw.sha256 in workspace.state.contents:
            known.append(SeenFile(raw, workspace.state.contents[raw.sha256]))
        else:
            read.append(Pending(found, raw, data))
    hits = cached_results(workspace.cache, (item.raw.sha256 for item in read if item.raw))
    ready: list[SourceDoc] = []
    held: list[Quarantined] = []
    pending: list[Pending] = []
    for item in read:
        if item.raw and item.raw.sha256 in hits:
            restored = hits[item.raw.sha256].restore(item.raw)
            (held if isinstance(restored, Quarantined) else ready).append(restored)
        else:
            pending.append(item)
    stats.update("cache", "hits", len(files) - len(pending))
    stats.update("cache", "misses", len(pending))
    return Batch(tuple(pending), tuple(held), stats, tuple(ready), frozenset(hits), tuple(known))


def decode_batch(batch: Batch[Pending], config: Config) -> Batch[Decoded]:
    def step(pending: Pending, stats: Stats) -> Decoded | Quarantined:
        raw, data = (pending.raw, pending.data) if pending.raw else _read(pending.found, config)
        decoded = decode_raw(raw, data, config.decode, stats)
        if decoded.quarantine_reason:
            return Quarantined(decoded.raw, decoded.encoding, decoded.quarantine_reason)
        return decoded

    return batch.carried(_each("decode", batch.items, step, batch.quarantined))


def _read(found: FoundFile, config: Config) -> tuple[RawFile, bytes | None]:
    try:
        return read_raw(found, config.decode)
    except OSError:  # no hash and no bytes: decode_raw quarantines it as unreadable
        return RawFile(found.path, found.abs_path, found.size_bytes, ""), None


def repair_batch(batch: Batch[Decoded], config: Config) -> Batch[Repaired]:
    def step(decoded: Decoded, stats: Stats) -> Repaired | Quarantined:
        result = repair_text(decoded.text or "", config.repair)
        reason = _unusable_after_repair(result.text, config)
        if reason:
            stats.update("quarantine", reason)
            return Quarantined(decoded.raw, decoded.encoding, reason)
        repairs = decoded.decode_repairs + result.repairs
        for name in repairs:
            stats.update("repair", name)
        return Repaired(decoded, result.text, repairs, result.metadata_text)

    return batch.carried(_each("repair", batch.items, step, batch.quarantined))


def _unusable_after_repair(text: str, config: Config) -> str | None:
    if len("".join(text.split())) < min(config.decode.min_copy_chars, config.decode.min_document_chars):
        return "too short to be a document after repair"
    if "\ufffd" in text:
        # Only an earlier lossy decode puts U+FFFD in a file; what it replaced is gone.
        return "lossy text (U+FFFD replacement characters in the file)"
    return None


def analyse_batch(batch: Batch[Repaired], config: Config) -> Batch[SourceDoc]:
    """Truncation and per-copy metadata: everything dedup and fusion need to know of one file."""

    def step(repaired: Repaired, stats: Stats) -> SourceDoc:
        truncated = ends_mid_sentence(repaired.text)
        stats.update("truncation", "ends mid-sentence" if truncated else "complete")
        metadata = extract_metadata(repaired.metadata_text, config.metadata)
        for name in ("title", "date", "location", "doc_type"):
            stats.update("metadata", f"{name}:{'found' if getattr(metadata, name) else 'none'}")
        decoded = repaired.decoded
        unknown = count_unknown_words(repaired.text, config.repair.known_word_zipf)
        return SourceDoc(decoded.raw, decoded.encoding or "", repaired.text, repaired.repairs, truncated, metadata,
                         unknown, fingerprint(repaired.text, config.dedup))

    return batch.carried(_each("analyse", batch.items, step, batch.quarantined))


def process_batch(batch: Batch[Pending], config: Config) -> Batch[SourceDoc]:
    """Decode, repair and analyse a batch's pending files: a pure function of the files, so it can
    run in any process."""
    return analyse_batch(repair_batch(decode_batch(batch, config), config), config)


def process_files(files: Sequence[FoundFile], config: Config, workspace: Workspace) -> list[Batch[SourceDoc]]:
    """Every file identified, the new ones processed (in worker processes when there are enough),
    and each batch's new results stored in the cache as the batch comes back, while the workers
    go on with the next."""
    identified = [identify_batch(batch, config, workspace) for batch in batches_of(files, config.batch_size)]
    work = [batch.work() for batch in identified if batch.items]
    workers = worker_count(config, sum(len(batch.items) for batch in work), len(work))
    done = map_in_processes(partial(process_batch, config=config), work, workers)
    batches: list[Batch[SourceDoc]] = []
    with ResultWriter(workspace.cache) as store:
        for batch in identified:
            batches.append(batch.joined(next(done) if batch.items else Batch(())))
            store.put(batches[-1])
    return batches


class ResultWriter:
    """Stores the results a run processed (not those it took from the cache), batch by batch."""

    def __init__(self, path: Path | None) -> None:
        self._store = ResultCache(path) if path is not None else None
        self.written = 0

    def put(self, batch: Batch[SourceDoc]) -> None:
        if self._store is None:
            return
        fresh = {
            item.raw.sha256: item
            for item in (*batch.items, *batch.quarantined)
            if item.raw.sha256 and item.raw.sha256 not in batch.from_cache
        }
        self._store.put_many((sha, CachedResult.of(item)) for sha, item in fresh.items())
        self.written += len(fresh)

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *_: object) -> None:
        if self._store is not None:
            self._store.close()


def save_results(batches: Sequence[Batch[SourceDoc]], workspace: Workspace) -> int:
    """Store the results of the files the batches processed."""
    with ResultWriter(workspace.cache) as store:
        for batch in batches:
            store.put(batch)
    return store.written


class Texts:
    """The texts of a run's documents: those it processed from memory, the others (only the
    few an incremental run must align or rebuild) from the result cache."""

    def __init__(self, batches: Sequence[Batch[SourceDoc]], files: Sequence[SeenFile], workspace: Workspace) -> None:
        self._in_memory = {doc.raw.path: doc for batch in batches for doc in batch.documents()}
        self._sha_of_key = {f.content.exact_key: f.raw.sha256 for f in files}
        self._cache = workspace.cache

    def documents(self, files: Sequence[SeenFile]) -> dict[str, SourceDoc]:
        wanted = [f for f in files if f.raw.path not in self._in_memory]
        results = self._from_cache({f.raw.sha256 for f in wanted})
        restored = {f.raw.path: results[f.raw.sha256].restore(f.raw) for f in wanted}
        return {f.raw.path: self._in_memory.get(f.raw.path) or restored[f.raw.path] for f in files}  # type: ignore[misc]

    def sequences(self, keys: Collection[str]) -> dict[str, str]:
        return {key: print_.sequence for key, print_ in self._fingerprints(keys).items()}

    def samples(self, keys: Collection[str]) -> dict[str, np.ndarray]:
        return {key: print_.samples for key, print_ in self._fingerprints(keys).items()}

    def release(self) -> None:
        """Let go of the documents held in memory once assembly has taken the texts it builds
        with: their alignment sequences and duplicate texts are hundreds of megabytes at 100k
        files, which would otherwise stay through validation, the peak of a full build."""
        self._in_memory = {}

    def _fingerprints(self, keys: Collection[str]) -> dict[str, Fingerprint]:
        in_memory = {d.fingerprint.exact_key: d.fingerprint for d in self._in_memory.values() if d.fingerprint}
        missing = {key: self._sha_of_key[key] for key in keys if key not in in_memory}
        results = self._from_cache(set(missing.values()))
        found = {key: results[sha].fingerprint for key, sha in missing.items()}
        return {key: in_memory.get(key) or found[key] for key in keys}  # type: ignore[misc]

    def _from_cache(self, hashes: set[str]) -> dict[str, CachedResult]:
        if not hashes:
            return {}
        if self._cache is None:
            raise LookupError("texts needed from the result cache, but this run has none")
        found = cached_results(self._cache, hashes)
        if len(found) < len(hashes):
            raise CacheDamaged(f"{self._cache.name} lost entries the run state names")
        return found


@dataclass(frozen=True)
class Deduplicated:
    documents: tuple[SeenFile, ...]  # Membership.index points into this
    quarantined: tuple[SeenFile, ...]
    clusters: tuple[Cluster, ...]
    stats: Stats
    texts: Texts  # where assembly finds the texts of the documents it builds
    # Documents too short to stand alone that matched no longer copy: quarantined in the ledger,
    # but kept as documents in the run state, so that a copy arriving later takes them in.
    set_aside: tuple[SeenFile, ...] = ()


def deduplicate_files(batches: Sequence[Batch[SourceDoc]], config: Config, workspace: Workspace) -> Deduplicated:
    files = sorted((f for batch in batches for f in batch.seen()), key=lambda f: f.raw.path)
    documents = tuple(f for f in files if f.content.quarantine_reason is None)
    texts = Texts(batches, documents, workspace)
    documents = _with_samples(documents, workspace.state.index, texts)
    stats = Stats()
    clusters, workspace.state.index = deduplicate_entries(
        documents, config.dedup, stats, texts.sequences,
        workspace.state.verdicts, workspace.state.index)
    clusters, set_aside = set_aside_short(clusters, documents, config.decode.min_document_chars, stats)
    quarantined = tuple(f for f in files if f.content.quarantine_reason is not None)
    return Deduplicated(documents, quarantined, tuple(clusters), stats, texts, set_aside)


def _with_samples(documents: tuple[SeenFile, ...], index: SampleIndex | None, texts: Texts) -> tuple[SeenFile, ...]:
    """Entries from the run state come without their samples, which the index holds. A text the
    index lacks (a killed run saved the index but not the entries) gets them from the cache."""
    indexed = set(index.keys) if index is not None else set()
    lacking = {f.content.exact_key for f in documents if f.content.samples is None} - indexed
    if not lacking:
        return documents
    samples = texts.samples(lacking)
    return tuple(
        replace(f, content=replace(f.content, samples=samples[f.content.exact_key]))
        if f.content.exact_key in lacking else f
        for f in documents
    )


def save_state(discovery: Discovery, found: Deduplicated, workspace: Workspace) -> None:
    """Remember every file's stamp and content and every verdict, for the next run."""
    if workspace.state_dir is None:
        return
    files = (*found.documents, *found.quarantined)
    sha_of = {f.raw.path: f.raw.sha256 for f in files}
    stamps = [(f.path, f.stamp, sha_of[f.path]) for f in discovery.files if f.path in sha_of]
    workspace.state.save(workspace.state_dir, stamps, [f.content for f in files])
    save_listings(workspace.state_dir / LISTINGS_FILE, discovery.listings)


def assemble_candidate(found: Deduplicated, discovery: Discovery, workspace: Workspace, stats: Stats,
                       config: Config) -> Candidate:
    signatures = workspace.published.signatures if workspace.published else {}
    consensus = partial(consensus_text, known_zipf=config.repair.ocr_unknown_zipf,
                        max_tokens=config.dedup.consensus_max_words)
    candidate = assemble(found.documents, (*found.quarantined, *found.set_aside), found.clusters, found.texts.documents,
                         signatures, discovery.skipped, stats, consensus)
    check_ledger(candidate, [f.path for f in discovery.files])
    return candidate


def batches_of(files: Sequence[FoundFile], size: int) -> list[tuple[FoundFile, ...]]:
    return [tuple(files[i : i + size]) for i in range(0, len(files), size)]


@dataclass(frozen=True)
class Built:
    candidate: Candidate
    discovery: Discovery
    stats: Stats
    workspace: Workspace
    found: Deduplicated
    saving: Future[Stats] | None = None  # the run state being saved meanwhile (see build_candidate)

    def state_saved(self) -> Stats:
        """Wait until the run state is kept for the next run; the step's timing."""
        return self.saving.result() if self.saving is not None else Stats()


def build_candidate(raw_dir: str | Path, config: Config, clean_dir: str | Path | None = None,
                    full: bool = False, background: Executor | None = None) -> Built:
    """The whole pipeline up to validation, in one process: for library use and tests. With a
    clean folder, what earlier runs learned there is reused (unless `full`) and this run's
    results are kept for the next, in `background` (then Built.state_saved waits for it) while
    assembly and validation go on. A result cache found damaged on the way is discarded, and the
    build starts again without it."""
    try:
        return _build_candidate(raw_dir, config, clean_dir, full, background)
    except CacheDamaged as damage:
        if clean_dir is None or full:
            raise
        discard_run_state(clean_dir, config, str(damage))
        return _build_candidate(raw_dir, config, clean_dir, True, background)


def _build_candidate(raw_dir: str | Path, config: Config, clean_dir: str | Path | None, full: bool,
                     background: Executor | None) -> Built:
    # The run state is read while raw/ is walked: that is mostly waiting on the file system, so a
    # thread overlaps it well.
    timings = Stats()
    with ThreadPoolExecutor(1) as opener:
        opening = opener.submit(open_workspace, clean_dir, config, full)
        with timings.timed("discover"):
            discovery = discover(raw_dir, known_folders(clean_dir, config, full))
        with timings.timed("open workspace (beyond discover)"):
            workspace = opening.result()
    with timings.timed("identify, decode, repair, analyse, save results"):
        batches = process_files(discovery.files, config, workspace)
    with timings.timed("deduplicate"):
        found = deduplicate_files(batches, config, workspace)
    save = partial(_timed_save_state, discovery, found, workspace)
    saving = background.submit(save) if background is not None else None
    saved = save() if saving is None else Stats()
    stats = Stats.merged([b.stats for b in batches] + [found.stats, timings, saved])
    with stats.timed("assemble"):
        candidate = assemble_candidate(found, discovery, workspace, stats, config)
    found.texts.release()
    return Built(candidate, discovery, stats, workspace, found, saving)


def _timed_save_state(discovery: Discovery, found: Deduplicated, workspace: Workspace) -> Stats:
    stats = Stats()
    with stats.timed("save run state"):
        save_state(discovery, found, workspace)
    return stats


def output_tables(candidate: Candidate, workspace: Workspace) -> Tables:
    previous = workspace.published.corpus() if workspace.published and candidate.carried else None
    return tables_for(candidate, previous)


def validate_tables(tables: Tables, config: Config, workspace: Workspace,
                    worker: ValidationWorker | None = None) -> ValidationReport:
    """Text expectations check only the rows built this run when the carried ones were validated
    under the same suites (they are the very rows published then); everything else is checked
    whole. With a worker, Great Expectations runs in its helper process."""
    published = workspace.published
    same_suites = published is not None and published.suites_sha256 == suites_sha256(config.validation)
    new_text = tables.built if same_suites else None
    if worker is None:
        return validate(tables.corpus, tables.sources, config.validation, new_text)
    return worker.validate(tables.corpus, tables.sources, config.validation, new_text)


def run_pipeline(raw_dir: str | Path, clean_dir: str | Path, config: Config, full: bool = False) -> RunSummary:
    """One whole run in this process, without Prefect: build, validate, publish (if valid), under
    the run lock. The Prefect flow runs the same stages as tasks; this is for library use."""
    check_folders(raw_dir, clean_dir)
    with run_lock(clean_dir), validation_worker() as worker, collector_paused(), ThreadPoolExecutor(1) as saver:
        # The run state is saved in a thread from the end of deduplication on, beside assembly,
        # validation (in its helper) and Arrow's writing of the snapshot.
        built = build_candidate(raw_dir, config, clean_dir, full, background=saver)
        give_back_freed_memory()  # what assembly let go of, before the Arrow tables are built
        crash_point("built")
        stats = built.stats
        with stats.timed("output tables"):
            tables = output_tables(built.candidate, built.workspace)
        with stats.timed("validate (and stage)"):
            checked = validate_and_stage(tables, config, built.workspace, worker, clean_dir)
        stats.merge(built.state_saved())
        report = checked.report
        if not report.success:
            discard_checked(checked)
            return summarise(built.candidate, built.discovery, report, False, stats, tables)
        with stats.timed("publish"):
            summary = summarise(built.candidate, built.discovery, report, True, stats, tables)
            commit_tables(checked, manifest_for(summary, report, config), config, built.workspace)
        return summary


@dataclass(frozen=True)
class Checked:
    """A validated candidate, its snapshot staged, and its rows as the next run carries them."""

    report: ValidationReport
    staged: Staged
    carried_rows: CandidateRows | None


def validate_and_stage(tables: Tables, config: Config, workspace: Workspace, worker: ValidationWorker | None,
                       clean_dir: str | Path) -> Checked:
    """Validate the candidate while its snapshot is written to a staging folder (and its rows,
    as the next run carries them, beside the run state), so that a passing validation only has
    to move them where they belong; a failing one discards them."""
    previous = workspace.published.rows if workspace.published else None
    with ThreadPoolExecutor(2) as background:
        pending = background.submit(stage, tables.corpus, tables.sources, clean_dir)
        copying = (background.submit(write_carried_rows, tables, previous, workspace.state_dir)
                   if workspace.state_dir else None)
        try:
            report = validate_tables(tables, config, workspace, worker)
        finally:
            staged = pending.result()
            copy = copying.result() if copying else None
    return Checked(report, staged, copy)


def discard_checked(checked: Checked) -> None:
    discard(checked.staged)
    if checked.carried_rows is not None:
        discard_carried_rows(checked.carried_rows)


def commit_tables(checked: Checked, manifest: dict, config: Config, workspace: Workspace) -> int:
    """Publish the staged snapshot, and keep its rows for the next run to carry from."""
    version = commit(checked.staged, manifest, config.keep_snapshots).version
    if workspace.state_dir is not None and checked.carried_rows is not None:
        keep_carried_rows(checked.carried_rows, version, workspace.state_dir)
    return version
