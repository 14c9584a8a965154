"""The stages over batches of files, composed in order; Prefect flows call the same functions as tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from commclean.assemble import assemble, check_ledger
from commclean.config import Config
from commclean.decode import decode_file
from commclean.dedup import deduplicate
from commclean.discover import Discovery, discover
from commclean.lexicon import count_unknown_words
from commclean.metadata import extract_metadata
from commclean.records import Candidate, Cluster, Decoded, FoundFile, Quarantined, RawFile, Repaired, SourceDoc
from commclean.repair import repair_text
from commclean.schema import corpus_table, sources_table
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


def decode_batch(files: Sequence[FoundFile], config: Config) -> Batch[Decoded]:
    def step(found: FoundFile, stats: Stats) -> Decoded | Quarantined:
        decoded = decode_file(found, config.decode, stats)
        if decoded.quarantine_reason:
            return Quarantined(decoded.raw, decoded.encoding, decoded.quarantine_reason)
        return decoded

    return _each("decode", files, step)


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

    out = _each("repair", batch.items, step, batch.quarantined)
    return Batch(out.items, out.quarantined, out.stats.merge(batch.stats))


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
        return SourceDoc(decoded.raw, decoded.encoding or "", repaired.text, repaired.repairs, truncated, metadata, unknown)

    out = _each("analyse", batch.items, step, batch.quarantined)
    return Batch(out.items, out.quarantined, out.stats.merge(batch.stats))


def process_batch(files: Sequence[FoundFile], config: Config) -> Batch[SourceDoc]:
    return analyse_batch(repair_batch(decode_batch(files, config), config), config)


def deduplicate_docs(docs: Sequence[SourceDoc], config: Config) -> tuple[list[Cluster], Stats]:
    stats = Stats()
    return deduplicate(docs, config.dedup, stats), stats


def assemble_candidate(
    batches: Sequence[Batch[SourceDoc]], clusters: Sequence[Cluster], discovery: Discovery, stats: Stats
) -> Candidate:
    docs = [doc for batch in batches for doc in batch.items]
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


def build_candidate(raw_dir: str | Path, config: Config) -> tuple[Candidate, Discovery, Stats]:
    """The whole pipeline up to validation, in one process: for library use and tests."""
    discovery = discover(raw_dir)
    batches = [process_batch(batch, config) for batch in batches_of(discovery.files, config.batch_size)]
    docs = [doc for batch in batches for doc in batch.items]
    clusters, dedup_stats = deduplicate_docs(docs, config)
    stats = Stats.merged([b.stats for b in batches] + [dedup_stats])
    return assemble_candidate(batches, clusters, discovery, stats), discovery, stats


def validate_candidate(candidate: Candidate, config: Config) -> ValidationReport:
    return validate(corpus_table(candidate), sources_table(candidate), config.validation)
