"""The per-file stages over batches of files: identify (from the run state or by hashing), then
decode, repair and analyse what is new. A batch's processing is a pure function of its files, so
it can run in any process."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from commclean.config import Config
from commclean.dedup.clusters import fingerprint
from commclean.dedup.truncation import ends_mid_sentence
from commclean.examples import first_difference
from commclean.ingest.decode import decode_raw, letter_share, read_raw, too_few_visible_chars
from commclean.ingest.inside import OutsideRaw
from commclean.metadata.extract import extract_metadata, with_stated_date
from commclean.pipeline.workspace import Workspace
from commclean.records import (
    ContentEntry,
    Decoded,
    FoundFile,
    Quarantined,
    RawFile,
    Repaired,
    SeenFile,
    SourceDoc,
)
from commclean.repair.lexicon import count_unknown_words
from commclean.repair.steps import Noted, repair_text
from commclean.runtime.stats import Stats
from commclean.runtime.workers import batch_size_for
from commclean.store.cache import (
    CacheRow,
    PackedTexts,
    cached_keys,
    cached_results,
    cached_texts,
    packed_row,
    packed_texts,
)

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True)
class PackedDoc:
    """A processed document's entry and its result as the cache stores it (texts compressed): the
    document itself comes back from a worker without its texts, which would cost the run's
    process two bytes a character (one curly quote makes a Python string UCS-2) and the work
    of compressing and hashing them, while the workers can do that beside each other."""

    entry: ContentEntry
    texts: PackedTexts
    row: CacheRow | None  # the whole cache row, until it is stored

    def stored(self) -> PackedDoc:
        return replace(self, row=None)


@dataclass(frozen=True)
class Batch(Generic[Out]):
    """What one stage made of one batch: the items that go on, and the files it quarantined."""

    items: tuple[Out, ...]
    quarantined: tuple[Quarantined, ...] = ()
    stats: Stats = field(default_factory=Stats)
    # Files whose results came from the cache: finished documents pass the later stages untouched.
    cached: tuple[SourceDoc, ...] = ()
    cached_hashes: frozenset[str] = frozenset()
    # Files whose content the run state knows: nothing of them is loaded unless needed later.
    unchanged: tuple[SeenFile, ...] = ()
    # Documents (by path) that came back packed, their `items` without texts (see PackedDoc).
    packed: Mapping[str, PackedDoc] = field(default_factory=dict)

    def documents(self) -> list[SourceDoc]:
        return [*self.items, *self.cached] if self.cached else list(self.items)

    def seen(self) -> list[SeenFile]:
        """Every file of the batch with what its content gave (call on the last stage's batch)."""
        analysed = (*self.documents(), *self.quarantined)
        return [*self.unchanged, *(SeenFile(item.raw, self._entry(item)) for item in analysed)]

    def _entry(self, item: SourceDoc | Quarantined) -> ContentEntry:
        packed = self.packed.get(item.raw.path)
        return packed.entry if packed is not None else ContentEntry.of(item)

    def text_chars(self) -> int:
        """About what the batch's documents hold in memory: their texts (packed ones as stored) and
        alignment sequences, in characters (call on the last stage's batch)."""
        return sum(len(doc.text) + (len(doc.fingerprint.sequence) if doc.fingerprint else 0)
                   for doc in self.documents()) + sum(len(p.texts[0]) + len(p.texts[2]) for p in self.packed.values())

    def entries_only(self) -> Batch[Any]:
        """The batch without its texts: every file as its compact entry (call on the last stage's batch)."""
        return Batch((), (), self.stats, unchanged=tuple(self.seen()))

    def passed_on(self, out: Batch[Any]) -> Batch[Any]:
        """A later stage's output, with this batch's stats, cached documents and hashes carried on."""
        return Batch(out.items, out.quarantined, out.stats.merge(self.stats), self.cached, self.cached_hashes,
                     self.unchanged)

    def work(self, by_path: bool = False) -> Batch[Out]:
        """Only the items still to process: what goes to a worker process, without the rest; with
        `by_path`, files go without the bytes read here (a worker on another machine reads them)."""
        if by_path:
            return Batch(tuple(item.by_path() if isinstance(item, Pending) else item for item in self.items))
        return Batch(self.items)

    def stored(self) -> Batch[Any]:
        """The batch once its results are in the cache: its packed documents keep their texts only."""
        return replace(self, packed={path: packed.stored() for path, packed in self.packed.items()})

    def joined(self, done: Batch[Any]) -> Batch[Any]:
        """What processing this batch's work gave, with everything identification already settled."""
        stats = Stats.merged([self.stats, done.stats])
        return Batch(done.items, (*self.quarantined, *done.quarantined), stats, self.cached, self.cached_hashes,
                     self.unchanged, done.packed)


@dataclass(frozen=True)
class Pending:
    """A file whose content must be processed; read already when its hash had to be looked up."""

    found: FoundFile
    raw: RawFile | None = None
    data: bytes | None = None
    unreadable: str | None = None  # why the file could not be read, if it could not
    # The result cache holding its repaired text, when only its analysis must be done again: the
    # worker reads the text from there, so the texts never all sit in this process at once.
    text_cache: str | None = None

    def by_path(self) -> Pending:
        """What a worker needs to read the file itself; the hash stays only to find a cached text."""
        if self.text_cache is not None:
            return replace(self, data=None)
        return Pending(self.found)


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
        return item.raw or RawFile.of(item.found)
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
            raw, data, unreadable = RawFile.of(found, sha), None, None
        else:
            raw, data, unreadable = _read(found, config)
        if raw.sha256 in workspace.state.contents:
            known.append(SeenFile(raw, workspace.state.contents[raw.sha256]))
        else:
            read.append(Pending(found, raw, data, unreadable))
    made_by = cached_keys(workspace.cache, (item.raw.sha256 for item in read if item.raw))
    hits = cached_results(workspace.cache, [sha for sha, (keys, _) in made_by.items() if keys == workspace.keys])
    ready: list[SourceDoc] = []
    held: list[Quarantined] = []
    pending: list[Pending] = []
    for item in read:
        sha = item.raw.sha256 if item.raw else ""
        keys, quarantined = made_by.get(sha, (None, True))
        if sha in hits:
            restored = hits[sha].restore(item.raw)  # type: ignore[arg-type]
            (held if isinstance(restored, Quarantined) else ready).append(restored)
        elif keys is not None and keys.read == workspace.keys.read and not quarantined:
            stats.update("cache", "texts analysed again (analysis code or settings changed)")
            pending.append(replace(item, data=None, text_cache=str(workspace.cache)))
        else:
            pending.append(item)
    stats.update("cache", "hits", len(files) - len(pending))
    stats.update("cache", "misses", sum(item.text_cache is None for item in pending))
    return Batch(tuple(pending), tuple(held), stats, tuple(ready), frozenset(hits), tuple(known))


def decode_batch(batch: Batch[Pending], config: Config) -> Batch[Decoded]:
    repaired = _texts_from_cache(batch.items)

    def step(pending: Pending, stats: Stats) -> Decoded | Repaired | Quarantined:
        if pending.found.path in repaired:
            return repaired[pending.found.path]  # decoded and repaired by an earlier run: repair passes it on
        # Bytes read to look the hash up are used, unless identification let go of them.
        read_already = pending.raw is not None and pending.text_cache is None and (
            pending.data is not None or pending.unreadable is not None)
        raw, data, unreadable = ((pending.raw, pending.data, pending.unreadable) if read_already  # type: ignore[assignment]
                                 else _read(pending.found, config))
        if unreadable:
            stats.update("quarantine", unreadable)
            return Quarantined(raw, None, unreadable)
        decoded = decode_raw(raw, data, config.decode, stats)
        if decoded.quarantine_reason:
            return Quarantined(decoded.raw, decoded.encoding, decoded.quarantine_reason)
        return decoded

    return batch.passed_on(_each("decode", batch.items, step, batch.quarantined))


def _texts_from_cache(items: Sequence[Pending]) -> dict[str, Repaired]:
    """The repaired texts of the items that need only a new analysis (by path). One missing from
    the cache (removed meanwhile) is decoded again."""
    wanted: dict[str, list[RawFile]] = {}
    for item in items:
        if item.text_cache is not None and item.raw is not None:
            wanted.setdefault(item.text_cache, []).append(item.raw)
    return {path: text for cache, raws in wanted.items() for path, text in cached_texts(Path(cache), raws).items()}


def _read(found: FoundFile, config: Config) -> tuple[RawFile, bytes | None, str | None]:
    """The file's hash and bytes, or why it could not be read (it is then quarantined)."""
    try:
        return (*read_raw(found, config.decode), None)
    except OutsideRaw as refused:
        return RawFile.of(found), None, refused.strerror
    except OSError as error:
        why = f"unreadable ({error.strerror or type(error).__name__})"
        return RawFile.of(found), None, why


def repair_batch(batch: Batch[Decoded], config: Config) -> Batch[Repaired]:
    def step(decoded: Decoded | Repaired, stats: Stats) -> Repaired | Quarantined:
        if isinstance(decoded, Repaired):
            return decoded
        result = repair_text(decoded.text or "", config.repair, _example_keeper(decoded.raw.path, stats))
        reason = _unusable_after_repair(result.text, config)
        if reason:
            stats.update("quarantine", reason)
            return Quarantined(decoded.raw, decoded.encoding, reason)
        repairs = decoded.decode_repairs + result.repairs
        for name in repairs:
            stats.update("repair", name)
        metadata_text = result.metadata_text
        if decoded.stated_date is not None:
            metadata_text = with_stated_date(metadata_text, decoded.stated_date, decoded.stated_date_source)
        return Repaired(decoded, result.text, repairs, metadata_text)

    return batch.passed_on(_each("repair", batch.items, step, batch.quarantined))


def _example_keeper(path: str, stats: Stats) -> Noted:
    """Keeps the first few changes each repair makes (for the report), and looks at no more."""

    def keep(name: str, before: str, after: str) -> None:
        stats.keep_example("repair", name, path, lambda: first_difference(path, before, after))

    return keep


def _unusable_after_repair(text: str, config: Config) -> str | None:
    if too_few_visible_chars(text, min(config.decode.min_copy_chars, config.decode.min_document_chars)):
        return "too short to be a document after repair"
    if "\ufffd" in text:
        # Only an earlier lossy decode puts U+FFFD in a file; what it replaced is gone.
        return "lossy text (U+FFFD replacement characters in the file)"
    if letter_share(text) < config.decode.min_letter_share:
        return f"no prose (under {config.decode.min_letter_share:.0%} of its characters are letters)"
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
        metadata_text = repaired.metadata_text if repaired.metadata_text != repaired.text else None
        return SourceDoc(decoded.raw, decoded.encoding or "", repaired.text, repaired.repairs, truncated, metadata,
                         unknown, fingerprint(repaired.text, config.dedup), metadata_text)

    return batch.passed_on(_each("analyse", batch.items, step, batch.quarantined))


def process_batch(batch: Batch[Pending], config: Config) -> Batch[SourceDoc]:
    """Decode, repair and analyse a batch's pending files: a pure function of the files, so it can
    run in any process. The exact copies among them are processed once (identify_files puts files
    of one size side by side, so a folder's copies share a batch). Its documents come back packed
    (see PackedDoc)."""
    distinct, copies = exact_copies([_read_pending(item, config) for item in batch.items])
    done = packed(analyse_batch(repair_batch(decode_batch(replace(batch, items=distinct), config), config), config))
    return with_copies(done, copies)


def _read_pending(item: Pending, config: Config) -> Pending:
    if item.raw is not None or item.text_cache is not None:
        return item
    raw, data, unreadable = _read(item.found, config)
    return replace(item, raw=raw, data=data, unreadable=unreadable)


def exact_copies(items: Sequence[Pending]) -> tuple[tuple[Pending, ...], list[tuple[Pending, str]]]:
    """The items with a content no earlier item has, and the others with the path of the first
    item holding their content. Processing is a function of the bytes alone (never of a name), so
    a copy's result is its first's."""
    first_of: dict[str, str] = {}
    distinct: list[Pending] = []
    copies: list[tuple[Pending, str]] = []
    for item in items:
        sha = item.raw.sha256 if item.raw is not None and item.unreadable is None else ""
        if sha in first_of:
            copies.append((item, first_of[sha]))
            continue
        if sha:
            first_of[sha] = item.found.path
        distinct.append(item)
    return tuple(distinct), copies


def with_copies(done: Batch[SourceDoc], copies: Sequence[tuple[Pending, str]]) -> Batch[SourceDoc]:
    """The processed batch with each copy's result: its first's, under its own file."""
    if not copies:
        return done
    docs = {doc.raw.path: doc for doc in done.items}
    held = {item.raw.path: item for item in done.quarantined}
    items, quarantined, packed_docs = list(done.items), list(done.quarantined), dict(done.packed)
    for copy, first in copies:
        raw = copy.raw
        assert raw is not None  # only files read and hashed have copies
        if first in docs:
            items.append(replace(docs[first], raw=raw))
            packed_docs[raw.path] = done.packed[first]  # one entry and one packed text, sent once
        else:
            quarantined.append(replace(held[first], raw=raw))
    done.stats.update("cache", "exact copies in a batch (processed once)", len(copies))
    return replace(done, items=tuple(items), quarantined=tuple(quarantined), packed=packed_docs)


def packed(batch: Batch[SourceDoc]) -> Batch[SourceDoc]:
    """The batch with each document's entry and cache row made here, and its texts left out."""
    rows = {doc.raw.path: packed_row(doc) for doc in batch.items}
    docs = {doc.raw.path: PackedDoc(ContentEntry.of(doc), packed_texts(rows[doc.raw.path]), rows[doc.raw.path])
            for doc in batch.items}
    items = tuple(replace(doc, text="", metadata_text=None) for doc in batch.items)
    return replace(batch, items=items, packed=docs)


def batches_of(files: Sequence[FoundFile], size: int, max_bytes: int) -> list[tuple[FoundFile, ...]]:
    """Runs of at most `size` files and `max_bytes` bytes (a larger file alone): a batch's bytes
    are read before it is processed, and large files, batched by size, would come all together."""
    batches: list[tuple[FoundFile, ...]] = []
    batch: list[FoundFile] = []
    held = 0
    for found in files:
        if batch and (len(batch) == size or held + found.size_bytes > max_bytes):
            batches.append(tuple(batch))
            batch, held = [], 0
        batch.append(found)
        held += found.size_bytes
    return [*batches, tuple(batch)] if batch else batches


def identify_files(files: Sequence[FoundFile], config: Config, workspace: Workspace) -> list[Batch[Pending]]:
    """identify_batch over batches of files. Where the run state knows no content (a first build,
    --full), batches go by size: exact copies, of one size, fall side by side in a batch, whose
    processing takes their content once; the batches holding the most bytes go first, so that no
    worker is left with a heavy one at the end. An update keeps discovery's order, which keeps its
    new files (added to a folder or two) in a few batches, not a few files in every batch."""
    size, max_bytes = batch_size_for(config, len(files)), config.batch_mb << 20
    if workspace.lookup and workspace.state.contents:
        batches = batches_of(files, size, max_bytes)
    else:
        by_size = sorted(files, key=lambda found: (found.size_bytes, found.path))
        batches = sorted(batches_of(by_size, size, max_bytes), key=lambda batch: -sum(f.size_bytes for f in batch))
    return _holding_at_most(config.texts_held_mb << 20, (identify_batch(batch, config, workspace) for batch in batches))


def _holding_at_most(budget: int, identified: Iterator[Batch[Pending]]) -> list[Batch[Pending]]:
    """The identified batches, with the bytes read to hash their files kept only up to `budget`
    (the process that decodes a file reads and hashes it again): every batch is identified before
    any is processed, and a run that must hash all its files (an update after an upgrade, a large
    addition) held them all, 5 GB at a million statements. A file let go of is kept as a first
    build keeps it, by path: its hash and RawFile, held through processing, made the run's peak
    half a GB higher at a million."""
    batches = []
    for batch in identified:
        held = sum(len(item.data) for item in batch.items if item.data is not None)
        if held <= budget:
            budget -= held
        else:
            batch = replace(batch, items=tuple(item.by_path() if item.data is not None else item
                                               for item in batch.items))
        batches.append(batch)
    return batches
