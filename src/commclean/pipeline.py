"""The stages over batches of files, composed in order; Prefect flows call the same functions as tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from commclean.assemble import assemble, check_ledger
from commclean.config import Config
from commclean.cache import CachedResult, ResultCache, cache_path
from commclean.decode import decode_raw, read_raw
from commclean.dedup import deduplicate, fingerprint
from commclean.discover import Discovery, discover
from commclean.lexicon import count_unknown_words
from commclean.lock import run_lock
from commclean.metadata import extract_metadata
from commclean.publish import crash_point, publish
from commclean.records import Candidate, Cluster, Decoded, FoundFile, Quarantined, RawFile, Repaired, SourceDoc
from commclean.repair import repair_text
from commclean.schema import Tables, tables_for
from commclean.stats import Stats
from commclean.truncation import ends_mid_sentence
from commclean.validate import ValidationReport, validate

In = TypeVar("In")
Out = TypeVar("Out")


@dataclass(frozen=True)
class Batch(Generic[Out]):
    """What one stage made of one batch: the items that go on, and the files it quarantined."""

    items: tuple[Out, ...]
    quarantined: tuple[Quarantined, ...] = ()
    stats: Stats = field(default_factory=Stats)
    # Files whose results came from the cache: finished documents pass the later stages untouched.
    ready: tuple[SourceDoc, ...] = ()
    from_cache: frozenset[str] = frozenset()

    def documents(self) -> list[SourceDoc]:
        return [*self.items, *self.ready] if self.ready else list(self.items)

    def carried(self, out: Batch[Any]) -> Batch[Any]:
        """A later stage's output, with this batch's stats, cached documents and hashes carried on."""
        return Batch(out.items, out.quarantined, out.stats.merge(self.stats), self.ready, self.from_cache)


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
    if isinstance(item, FoundFile):
        return RawFile(item.path, item.abs_path, item.size_bytes, "")
    if isinstance(item, Repaired):
        return item.decoded.raw
    assert isinstance(item, Decoded)
    return item.raw


def decode_batch(files: Sequence[FoundFile], config: Config, cache: Path | None = None) -> Batch[Decoded]:
    """Read and hash every file; take the results of files already seen from the cache (when
    one is given) and decode the rest."""
    stats = Stats()
    read = [_read(found, config, stats) for found in files]
    hits = ResultCache(cache).get_many(raw.sha256 for raw, _ in read if raw) if cache else {}
    ready: list[SourceDoc] = []
    held: list[Quarantined] = []
    misses: list[tuple[RawFile, bytes | None]] = []
    for raw, data in read:
        if raw.sha256 in hits:
            restored = hits[raw.sha256].restore(raw)
            (held if isinstance(restored, Quarantined) else ready).append(restored)
        else:
            misses.append((raw, data))
    stats.update("cache", "hits", len(read) - len(misses))
    stats.update("cache", "misses", len(misses))

    def step(item: tuple[RawFile, bytes | None], stats: Stats) -> Decoded | Quarantined:
        decoded = decode_raw(item[0], item[1], config.decode, stats)
        if decoded.quarantine_reason:
            return Quarantined(decoded.raw, decoded.encoding, decoded.quarantine_reason)
        return decoded

    out = _each("decode", misses, step, held)
    return Batch(out.items, out.quarantined, out.stats.merge(stats), tuple(ready), frozenset(hits))


def _read(found: FoundFile, config: Config, stats: Stats) -> tuple[RawFile, bytes | None]:
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
    if len("".join(text.split())) < config.decode.min_document_chars:
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


def process_batch(files: Sequence[FoundFile], config: Config, cache: Path | None = None) -> Batch[SourceDoc]:
    return analyse_batch(repair_batch(decode_batch(files, config, cache), config), config)


def save_results(batches: Sequence[Batch[SourceDoc]], cache: Path) -> int:
    """Store the results of the files this run processed (not those it took from the cache)."""
    fresh = {
        item.raw.sha256: CachedResult.of(item)
        for batch in batches
        for item in (*batch.items, *batch.quarantined)
        if item.raw.sha256 and item.raw.sha256 not in batch.from_cache
    }
    store = ResultCache(cache)
    try:
        store.put_many(fresh)
    finally:
        store.close()
    return len(fresh)


def deduplicate_docs(docs: Sequence[SourceDoc], config: Config) -> tuple[list[Cluster], Stats]:
    stats = Stats()
    return deduplicate(docs, config.dedup, stats), stats


def assemble_candidate(
    batches: Sequence[Batch[SourceDoc]], clusters: Sequence[Cluster], discovery: Discovery, stats: Stats
) -> Candidate:
    docs = [doc for batch in batches for doc in batch.documents()]
    quarantined = [q for batch in batches for q in batch.quarantined]
    candidate = assemble(docs, quarantined, clusters, discovery.skipped, stats)
    check_ledger(candidate, [f.path for f in discovery.files])
    return candidate


def batches_of(files: Sequence[FoundFile], size: int) -> list[tuple[FoundFile, ...]]:
    return [tuple(files[i : i + size]) for i in range(0, len(files), size)]


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the person who started it and for the manifest."""

    files_read: int
    skipped: int
    documents: int
    duplicates: int
    quarantined: int
    validation: str
    published: bool
    stats: dict[str, dict[str, int]]
    skipped_files: tuple[tuple[str, str], ...] = ()

    def lines(self) -> list[str]:
        return [
            f"files read:   {self.files_read}",
            f"skipped:      {self.skipped}" + "".join(f"\n  {p} ({r})" for p, r in self.skipped_files),
            f"documents:    {self.documents}",
            f"duplicates:   {self.duplicates}",
            f"quarantined:  {self.quarantined}",
            f"validation:   {self.validation}",
            f"published:    {'yes' if self.published else 'no (the previous corpus is untouched)'}",
        ]


def summarise(candidate: Candidate, discovery: Discovery, report: ValidationReport,
              published: bool, stats: Stats) -> RunSummary:
    statuses = [row.status for row in candidate.sources]
    return RunSummary(
        files_read=len(discovery.files),
        skipped=len(discovery.skipped),
        documents=len(candidate.corpus),
        duplicates=statuses.count("duplicate"),
        quarantined=statuses.count("quarantined"),
        validation=report.summary(),
        published=published,
        stats=stats.as_dict(),
        skipped_files=tuple((s.path, s.reason) for s in discovery.skipped),
    )


def run_report_markdown(summary: RunSummary, candidate: Candidate, previous_ids: set[str]) -> str:
    """The run as a person reads it in Prefect's UI: counts, new documents, quarantined files."""
    new = [row for row in candidate.corpus if row.doc_id not in previous_ids]
    quarantined = [row for row in candidate.sources if row.status == "quarantined"]
    lines = ["# commclean run", "", "| | |", "|---|---|"]
    counts = (line.split(":", 1) for line in summary.lines())
    lines += [f"| {key.strip()} | {value.split(chr(10))[0].strip()} |" for key, value in counts]
    lines += ["", f"## New documents ({len(new)})", ""]
    lines += [f"- `{row.doc_id}` {row.metadata.title or '(no title)'} ({row.source_paths[0]})" for row in new[:200]]
    lines += ["", f"## Quarantined files ({len(quarantined)})", ""]
    lines += [f"- `{row.path}`: {row.reason}" for row in quarantined[:500]]
    return "\n".join(lines) + "\n"


def manifest_for(summary: RunSummary, report: ValidationReport) -> dict:
    return {
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "counts": {
            "files_read": summary.files_read,
            "skipped": summary.skipped,
            "documents": summary.documents,
            "duplicates": summary.duplicates,
            "quarantined": summary.quarantined,
        },
        "validation": {"success": report.success, "evaluated": report.evaluated,
                       "failed": [f.describe() for f in report.failed]},
        "stats": summary.stats,
    }


def build_candidate(
    raw_dir: str | Path, config: Config, cache: Path | None = None, save_to: Path | None = None
) -> tuple[Candidate, Discovery, Stats]:
    """The whole pipeline up to validation, in one process: for library use and tests. Results
    are looked up in `cache` and this run's new ones saved to `save_to` (default: `cache`)."""
    discovery = discover(raw_dir)
    batches = [process_batch(batch, config, cache) for batch in batches_of(discovery.files, config.batch_size)]
    if save_to or cache:
        save_results(batches, save_to or cache)
    docs = [doc for batch in batches for doc in batch.documents()]
    clusters, dedup_stats = deduplicate_docs(docs, config)
    stats = Stats.merged([b.stats for b in batches] + [dedup_stats])
    return assemble_candidate(batches, clusters, discovery, stats), discovery, stats


def validate_tables(tables: Tables, config: Config) -> ValidationReport:
    return validate(tables.corpus, tables.sources, config.validation)


def run_pipeline(raw_dir: str | Path, clean_dir: str | Path, config: Config, full: bool = False) -> RunSummary:
    """One whole run in this process, without Prefect: build, validate, publish (if valid), under
    the run lock. The Prefect flow runs the same stages as tasks; this is for library use."""
    with run_lock(clean_dir):
        cache = cache_path(clean_dir, config)
        candidate, discovery, stats = build_candidate(raw_dir, config, None if full else cache, cache)
        crash_point("built")
        tables = tables_for(candidate)
        report = validate_tables(tables, config)
        summary = summarise(candidate, discovery, report, published=report.success, stats=stats)
        if report.success:
            publish(tables.corpus, tables.sources, manifest_for(summary, report), clean_dir, config.keep_snapshots)
        return summary
