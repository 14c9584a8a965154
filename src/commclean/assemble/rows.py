"""One corpus row per cluster with metadata fused from all its copies, and one ledger row per raw file."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pyarrow as pa

from commclean.assemble.consensus import damaged_words, restores_marks
from commclean.examples import first_difference, where_copy_ends
from commclean.records import (
    Candidate,
    Cluster,
    CorpusRow,
    Field,
    FusedMetadata,
    Membership,
    PartialDate,
    SeenFile,
    SkippedFile,
    SourceDoc,
    SourceRow,
    Status,
    doc_id_for,
    reason_kind,
    text_ending,
)
from commclean.runtime.heap import give_back_freed_memory
from commclean.runtime.stats import Stats
from commclean.schema import CORPUS_SCHEMA, corpus_table

T = TypeVar("T")


def fuse_metadata(members: Sequence[SourceDoc]) -> FusedMetadata:
    """Each field from the most reliable copy that states it (the canonical copy first among equals)."""
    title = _best(members, lambda d: d.metadata.title)
    location = _best(members, lambda d: d.metadata.location)
    doc_type = _best(members, lambda d: d.metadata.doc_type)
    issuer = _best(members, lambda d: d.metadata.issuer)
    date_value, date_source = _fused_date(members, lambda d: d.metadata.date)
    event_value, event_source = _fused_date(members, lambda d: d.metadata.event_date)
    return FusedMetadata(
        title=title[0].value if title else None,
        title_source=_provenance(title),
        date=date_value,
        date_source=date_source,
        location=location[0].value if location else None,
        location_source=_provenance(location),
        doc_type=doc_type[0].value if doc_type else None,
        doc_type_source=_provenance(doc_type),
        issuer=issuer[0].value if issuer else None,
        issuer_source=_provenance(issuer),
        event_date=event_value,
        event_date_source=event_source,
    )


def _best(
    members: Sequence[SourceDoc], get: Callable[[SourceDoc], Field[T] | None]
) -> tuple[Field[T], int, str] | None:
    found = [(get(doc), position, doc.raw.path) for position, doc in enumerate(members) if get(doc)]
    if not found:
        return None
    # Among the most reliable sources, the value most copies state: one copy's re-spelling or OCR
    # slip ("US-Bahrain" where three copies say "U.S.-Bahrain") is outvoted; a tie goes to the
    # less damaged reading, then to the canonical copy, then to the next best. But a reading with
    # marks the chosen one lost ("U.S.-Spain" for "US-Spain") wins even outvoted: copies re-spelled
    # or OCR'd lose dots and accents, and none adds them.
    best = min(field.rank for field, _, _ in found)
    reliable = [item for item in found if item[0].rank == best]
    votes = Counter(field.value for field, _, _ in reliable)
    top = [item for item in reliable if votes[item[0].value] == max(votes.values())]
    # Among readings with as many votes, the least damaged (mojibake, OCR digits in words).
    choice = min(top, key=lambda item: damaged_words(item[0].value) if isinstance(item[0].value, str) else 0)
    if not isinstance(choice[0].value, str):
        return choice
    marked = [item for item in reliable if restores_marks(str(item[0].value), choice[0].value)]
    return marked[0] if marked else choice


def _provenance(choice: tuple[Field[T], int, str] | None) -> str | None:
    if not choice:
        return None
    field, position, path = choice
    return field.source if position == 0 else f"{field.source} (fused from {path})"


def _fused_date(members: Sequence[SourceDoc], get: Callable[[SourceDoc], Field[PartialDate] | None]
                ) -> tuple[dt.date | None, str | None]:
    """A full date from the most reliable copy; a month and day alone are never completed by guessing,
    only by a copy that states the year of that same month and day."""
    full = [(found, position, doc.raw.path) for position, doc in enumerate(members)
            if (found := get(doc)) and found.value.year is not None]
    if not full:
        return None, None
    field, position, path = min(full, key=lambda item: (item[0].rank, item[1]))
    partial = get(members[0])
    if partial and partial.value.year is None and not _same_day(partial.value, field.value):
        return None, None  # the copies disagree on the day: leave it unknown rather than guess
    return field.value.complete(), _provenance((field, position, path))


def _same_day(a: PartialDate, b: PartialDate) -> bool:
    return (a.month, a.day) == (b.month, b.day)


# One line per copy of a document, as the ledger states it: path, sha256, reason, is_truncated.
Signature = tuple[tuple[str, str, "str | None", bool], ...]
# The canonical text made good by its other copies, and how many words that changed (consensus.py).
Consensus = Callable[[str, Sequence[str]], tuple[str, int]]


class CopiesToLoad(Protocol):
    """The copies of a chunk of documents, as what loading them takes (workspace.TextsToLoad):
    picklable, so that the process building the rows loads them, not the one sending the work."""

    def load(self) -> Mapping[str, SourceDoc]:
        """By path, with their texts (not their fingerprints or metadata texts: no row reads them)."""
        ...


# What loading the given files' documents takes, handed over by whoever holds them.
DocLoader = Callable[[Sequence[SeenFile]], CopiesToLoad]


class TableSink(Protocol):
    """Where assembly puts the corpus rows it builds, a chunk at a time (store.SpilledTable)."""

    def add(self, table: pa.Table) -> None: ...

    def table(self) -> pa.Table: ...


class TablesInMemory:
    """The rows held in memory (a run without a state folder to spill them into)."""

    def __init__(self, schema: pa.Schema) -> None:
        self._schema, self._tables = schema, []

    def add(self, table: pa.Table) -> None:
        self._tables.append(table)

    def table(self) -> pa.Table:
        return pa.concat_tables(self._tables) if self._tables else self._schema.empty_table()


# Documents built from one load of their copies: what a run read back from the result cache is
# then held a few thousand documents at a time, not a corpus at a time. Each worker holds one
# chunk and the run's process up to two a worker done and not yet taken: at 5,000 the two
# workers of a 100k build added 0.55 GB to its peak, at 2,000 0.25 GB, and were faster.
CLUSTERS_PER_LOAD = 2_000


@dataclass(frozen=True)
class RowsToBuild:
    """Documents whose corpus rows are built together, in this process or a worker: each one's
    doc_id, its copies' paths (canonical first) and how each copy belongs, and the copies to load."""

    documents: tuple[tuple[str, tuple[str, ...], tuple[Membership, ...]], ...]
    copies: CopiesToLoad
    consensus: Consensus | None = None


def build_rows(work: RowsToBuild) -> tuple[pa.Table, Stats]:
    """The documents' corpus rows, and what building them counted (a pure function of `work`).
    Loading the copies' texts (decompressing them, reading the result cache) is most of a row's
    cost beside the consensus: done here, it is done in the workers building the rows."""
    stats = Stats()
    loaded = work.copies.load()
    rows = [_corpus_row(doc_id, [loaded[path] for path in paths], memberships, work.consensus, stats)
            for doc_id, paths, memberships in work.documents]
    return corpus_table(rows), stats


# Builds each RowsToBuild given (of `documents` in all), results in order: here, or in workers.
RowBuilder = Callable[[Iterator[RowsToBuild], int], Iterator[tuple[pa.Table, Stats]]]


def build_here(work: Iterator[RowsToBuild], documents: int) -> Iterator[tuple[pa.Table, Stats]]:
    return map(build_rows, work)


def chunks_of(documents: int) -> int:
    """How many RowsToBuild `documents` documents to build come in."""
    return -(-documents // CLUSTERS_PER_LOAD)


def signature(members: Sequence[tuple[SeenFile, Membership]], cut_off: Sequence[bool]) -> Signature:
    """All a corpus row depends on, given the pipeline version and settings: which files (by
    content) are its copies, in what order, how each belongs and whether it is cut off."""
    return tuple((f.raw.path, f.raw.sha256, m.reason, cut) for (f, m), cut in zip(members, cut_off))


def copies_cut_off(members: Sequence[tuple[SeenFile, Membership]]) -> list[bool]:
    """Whether each copy's text is cut off, judged against its document: a copy that stops where
    the canonical goes on is; one that reaches a complete canonical's end is not, even if its
    own last line is OCR debris or a footer's remnant; otherwise its own ending decides."""
    head, head_membership = members[0]
    canonical_complete = (not head.content.is_truncated and not head_membership.cut_off) or copies_end_alike(
        [(f.content.doc_id, f.content.ending) for f, m in members if not m.cut_off])
    return [m.cut_off or (f.content.is_truncated and not canonical_complete) for f, m in members]


def copies_end_alike(reaching_the_end: Sequence[tuple[str, int]]) -> bool:
    """Whether two copies or more whose texts differ (doc_id_for) and reach their document's end (by
    alignment) end on the same words (text_ending): their statement ends there, without the full
    stop its ending lacks ("… the nation’s water utility workforce", a fact sheet's last item).
    A copy cut off ends where its download stopped, and two differing copies stop at one word
    only where their source does; a copy saved again in another encoding is one text."""
    return len({key for key, _ in reaching_the_end}) >= 2 and len({end for _, end in reaching_the_end}) == 1


def signature_digest(signature: Signature) -> bytes:
    """A signature in 16 bytes, the same in every process (unlike hash()): what the next run
    compares, without reading the published ledger back."""
    return hashlib.blake2b(repr(signature).encode(), digest_size=16).digest()


def assemble(
    documents: Sequence[SeenFile],
    quarantined: Sequence[SeenFile],
    clusters: Sequence[Cluster],
    load: DocLoader,
    published: Mapping[str, bytes],
    skipped: Sequence[SkippedFile],
    stats: Stats,
    consensus: Consensus | None = None,
    built: TableSink | None = None,
    build: RowBuilder = build_here,
) -> Candidate:
    """One corpus row per cluster and one ledger row per entry of raw/. A cluster whose signature digest
    is the one `published` holds for its doc_id is carried over as it is; only the others load
    their copies' texts and are built by `build`, a chunk at a time, into `built` (in memory if None)."""
    carried: list[str] = []
    digests: dict[str, bytes] = {}
    to_build: list[tuple[str, list[tuple[SeenFile, Membership]]]] = []
    sources: list[SourceRow] = []
    for found in clusters:
        members = [(documents[m.index], m) for m in found.members]
        doc_id = members[0][0].content.doc_id
        cut_off = copies_cut_off(members)
        digests[doc_id] = signature_digest(signature(members, cut_off))
        if published.get(doc_id) == digests[doc_id]:
            carried.append(doc_id)
        else:
            to_build.append((doc_id, members))
        sources.extend(_source_row(f, m, doc_id, cut) for (f, m), cut in zip(members, cut_off))
    # Each load's rows go into Arrow at once: a Python string holds a text with one curly quote in
    # two bytes a character, so a corpus of rows would cost twice its UTF-8 table.
    to_build.sort(key=lambda item: item[0])
    built = built if built is not None else TablesInMemory(CORPUS_SCHEMA)
    for table, counted in build(_in_chunks(to_build, load, consensus), len(to_build)):
        built.add(table)
        stats.merge(counted)  # in the chunks' order: the examples kept are the first ones, as built here
        give_back_freed_memory()  # the chunk's texts, so that the next one reuses no more than they held
    sources.extend(
        SourceRow(f.raw.path, f.raw.sha256, f.raw.size_bytes, f.content.encoding, Status.QUARANTINED, None,
                  f.content.quarantine_reason, False)
        for f in quarantined
    )
    # An entry discovery did not read (hidden, a partial download, a pipe, a link leading out of
    # raw/, unreadable) is in the ledger too: every entry under raw/ is accounted for.
    sources.extend(SourceRow(s.path, "", 0, None, Status.QUARANTINED, None, s.reason, False) for s in skipped)
    corpus = built.table()
    sources.sort(key=lambda row: row.path)
    stats.update("assemble", "documents built", corpus.num_rows)
    stats.update("assemble", "documents carried unchanged", len(carried))
    for status, count in Counter(row.status for row in sources).items():
        stats.update("sources", f"status:{status}", count)
    return Candidate(corpus, tuple(sources), tuple(skipped), tuple(sorted(carried)), digests)


def _in_chunks(to_build: Sequence[tuple[str, list[tuple[SeenFile, Membership]]]], load: DocLoader,
               consensus: Consensus | None) -> Iterator[RowsToBuild]:
    """The documents to build, a few thousand at a time, each chunk with its copies to load
    (handed over only as the chunk is asked for)."""
    for start in range(0, len(to_build), CLUSTERS_PER_LOAD):
        chunk = to_build[start : start + CLUSTERS_PER_LOAD]
        yield RowsToBuild(
            tuple((doc_id, tuple(f.raw.path for f, _ in members), tuple(m for _, m in members))
                  for doc_id, members in chunk),
            load([f for _, members in chunk for f, _ in members]), consensus)


def _corpus_row(doc_id: str, members: Sequence[SourceDoc], memberships: Sequence[Membership],
                consensus: Consensus | None, stats: Stats) -> CorpusRow:
    canonical = members[0]
    _keep_examples(canonical, members[1:], memberships[1:], stats)
    text, repairs = canonical.text, canonical.repairs
    if consensus and len(members) > 1:
        text, replaced = consensus(text, [doc.text for doc in members[1:]])
        if replaced:
            repairs = (*repairs, "consensus_from_copies")
            stats.update("repair", "consensus_from_copies")
            stats.update("assemble", "words replaced by consensus", replaced)
    return CorpusRow(
        doc_id=doc_id,
        text=text,
        metadata=fuse_metadata(members),
        # Cut off unless a copy that reaches the end ends complete: the canonical may hold the
        # most words yet end on OCR debris where a clean copy ends with its last sentence.
        is_truncated=not any(not doc.is_truncated and not m.cut_off for doc, m in zip(members, memberships))
        and not copies_end_alike([(doc_id_for(doc.text), text_ending(doc.text))
                                  for doc, m in zip(members, memberships) if not m.cut_off]),
        source_paths=tuple(doc.raw.path for doc in members),
        repairs=repairs,
    )


def _keep_examples(canonical: SourceDoc, copies: Sequence[SourceDoc], memberships: Sequence[Membership],
                   stats: Stats) -> None:
    """The first few copies of each kind beside their canonical, for the report (an exact copy
    has nothing to show)."""
    for copy, membership in zip(copies, memberships):
        show = where_copy_ends if membership.cut_off else first_difference
        stats.keep_example("duplicates", reason_kind(membership.reason), copy.raw.path,
                           lambda: show(copy.raw.path, canonical.text, copy.text, beside=canonical.raw.path))


def _source_row(found: SeenFile, membership: Membership, doc_id: str, cut_off: bool) -> SourceRow:
    return SourceRow(
        path=found.raw.path,
        sha256=found.raw.sha256,
        size_bytes=found.raw.size_bytes,
        encoding=found.content.encoding,
        status=Status.CANONICAL if membership.reason is None else Status.DUPLICATE,
        doc_id=doc_id,
        reason=membership.reason,
        is_truncated=cut_off,
    )


class LedgerError(RuntimeError):
    """The ledger lost or doubled a raw file: a bug, and a reason to publish nothing."""


def check_ledger(candidate: Candidate, discovered_paths: Sequence[str]) -> None:
    """Every discovered file appears exactly once, and the statuses add up to the files seen."""
    ledger = [row.path for row in candidate.sources]
    if ledger != sorted(discovered_paths):  # the ledger is sorted by path
        missing = sorted(set(discovered_paths) - set(ledger))
        doubled = sorted({p for p in ledger if ledger.count(p) > 1})
        raise LedgerError(f"ledger does not match raw/: missing {missing[:5]}, doubled {doubled[:5]}")
    ids = set(candidate.built.column("doc_id").to_pylist()) | set(candidate.carried)
    for row in candidate.sources:
        if (row.doc_id is None) != (row.status is Status.QUARANTINED):
            raise LedgerError(f"{row.path}: doc_id must be null exactly when quarantined")
        if row.doc_id is not None and row.doc_id not in ids:
            raise LedgerError(f"{row.path}: points at {row.doc_id}, which is not in the corpus")
