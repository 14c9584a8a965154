"""One corpus row per cluster with metadata fused from all its copies, and one ledger row per raw file."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import TypeVar

from commclean.records import (
    Candidate,
    Cluster,
    CorpusRow,
    Field,
    FusedMetadata,
    PartialDate,
    Quarantined,
    SkippedFile,
    SourceDoc,
    SourceRow,
    Status,
)
from commclean.stats import Stats

T = TypeVar("T")


def doc_id_for(text: str) -> str:
    """Content-derived, so the same raw/ always gives the same ids."""
    return "doc-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def fuse_metadata(members: Sequence[SourceDoc]) -> FusedMetadata:
    """Each field from the most reliable copy that states it (the canonical copy first among equals)."""
    title = _best(members, lambda d: d.metadata.title)
    location = _best(members, lambda d: d.metadata.location)
    doc_type = _best(members, lambda d: d.metadata.doc_type)
    date_value, date_source = _fused_date(members)
    return FusedMetadata(
        title=title[0].value if title else None,
        title_source=_provenance(title),
        date=date_value,
        date_source=date_source,
        location=location[0].value if location else None,
        location_source=_provenance(location),
        doc_type=doc_type[0].value if doc_type else None,
        doc_type_source=_provenance(doc_type),
    )


def _best(
    members: Sequence[SourceDoc], get: Callable[[SourceDoc], Field[T] | None]
) -> tuple[Field[T], int, str] | None:
    found = [(get(doc), position, doc.raw.path) for position, doc in enumerate(members) if get(doc)]
    if not found:
        return None
    return min(found, key=lambda item: (item[0].rank, item[1]))


def _provenance(choice: tuple[Field[T], int, str] | None) -> str | None:
    if not choice:
        return None
    field, position, path = choice
    return field.source if position == 0 else f"{field.source} (fused from {path})"


def _fused_date(members: Sequence[SourceDoc]) -> tuple[dt.date | None, str | None]:
    """A full date from the most reliable copy; a month and day alone are never completed by guessing,
    only by a copy that states the year of that same month and day."""
    full = [
        (doc.metadata.date, position, doc.raw.path)
        for position, doc in enumerate(members)
        if doc.metadata.date and doc.metadata.date.value.year is not None
    ]
    if not full:
        return None, None
    field, position, path = min(full, key=lambda item: (item[0].rank, item[1]))
    partial = members[0].metadata.date
    if partial and partial.value.year is None and not _same_day(partial.value, field.value):
        return None, None  # the copies disagree on the day: leave it unknown rather than guess
    return field.value.complete(), _provenance((field, position, path))


def _same_day(a: PartialDate, b: PartialDate) -> bool:
    return (a.month, a.day) == (b.month, b.day)


def assemble(
    docs: Sequence[SourceDoc],
    quarantined: Sequence[Quarantined],
    clusters: Sequence[Cluster],
    skipped: Sequence[SkippedFile],
    stats: Stats,
) -> Candidate:
    corpus: list[CorpusRow] = []
    sources: list[SourceRow] = []
    for found in clusters:
        members = [docs[m.index] for m in found.members]
        canonical = members[0]
        doc_id = doc_id_for(canonical.text)
        truncated = canonical.is_truncated or found.members[0].cut_off
        corpus.append(
            CorpusRow(
                doc_id=doc_id,
                text=canonical.text,
                metadata=fuse_metadata(members),
                is_truncated=truncated,
                source_paths=tuple(doc.raw.path for doc in members),
                repairs=canonical.repairs,
            )
        )
        for membership, doc in zip(found.members, members):
            status = Status.CANONICAL if membership.reason is None else Status.DUPLICATE
            sources.append(
                SourceRow(
                    path=doc.raw.path,
                    sha256=doc.raw.sha256,
                    size_bytes=doc.raw.size_bytes,
                    encoding=doc.encoding,
                    status=status,
                    doc_id=doc_id,
                    reason=membership.reason,
                    is_truncated=doc.is_truncated or membership.cut_off,
                )
            )
        for doc in members:
            for repair in doc.repairs:
                stats.update("repair", repair)
    for bad in quarantined:
        sources.append(
            SourceRow(bad.raw.path, bad.raw.sha256, bad.raw.size_bytes, bad.encoding,
                      Status.QUARANTINED, None, bad.reason, False)
        )
    corpus.sort(key=lambda row: row.doc_id)
    sources.sort(key=lambda row: row.path)
    for row in sources:
        stats.update("sources", f"status:{row.status}")
    return Candidate(tuple(corpus), tuple(sources), tuple(skipped))


class LedgerError(RuntimeError):
    """The ledger lost or doubled a raw file: a bug, and a reason to publish nothing."""


def check_ledger(candidate: Candidate, discovered_paths: Sequence[str]) -> None:
    """Every discovered file appears exactly once, and the statuses add up to the files seen."""
    ledger = [row.path for row in candidate.sources]
    if sorted(ledger) != sorted(discovered_paths):
        missing = sorted(set(discovered_paths) - set(ledger))
        doubled = sorted({p for p in ledger if ledger.count(p) > 1})
        raise LedgerError(f"ledger does not match raw/: missing {missing[:5]}, doubled {doubled[:5]}")
    ids = {row.doc_id for row in candidate.corpus}
    for row in candidate.sources:
        if (row.doc_id is None) != (row.status is Status.QUARANTINED):
            raise LedgerError(f"{row.path}: doc_id must be null exactly when quarantined")
        if row.doc_id is not None and row.doc_id not in ids:
            raise LedgerError(f"{row.path}: points at {row.doc_id}, which is not in the corpus")
