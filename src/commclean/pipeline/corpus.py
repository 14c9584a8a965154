"""The whole-corpus stages: deduplicate, assemble the candidate, build its tables, validate them
while the snapshot is staged, and publish."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import pyarrow as pa

from commclean.assemble.consensus import consensus_text
from commclean.assemble.rows import RowsToBuild, assemble, build_rows, check_ledger, chunks_of
from commclean.card import dataset_card
from commclean.config import Config
from commclean.dedup.candidates import SampleIndex
from commclean.dedup.clusters import deduplicate_entries, set_aside_short
from commclean.diff import SnapshotDiff, diff_tables, snapshot_tables
from commclean.htmlreport import report_html
from commclean.ingest.discover import Discovery
from commclean.pipeline.batches import Batch
from commclean.pipeline.workspace import Texts, Workspace
from commclean.records import Candidate, Cluster, SeenFile, SourceDoc
from commclean.runtime.stats import Stats
from commclean.runtime.workers import map_in_processes, worker_count
from commclean.schema import CORPUS_SCHEMA, QUARANTINE_SCHEMA, SOURCES_SCHEMA, Tables, tables_for
from commclean.store import (
    CARD_FILE,
    DATA_DOCS_DIR,
    DATA_DOCS_INDEX,
    REPORT_FILE,
    SNAPSHOTS,
    SpilledTable,
    built_rows_path,
    write_bytes,
)
from commclean.store.cache import settings_key
from commclean.store.carry import (
    CandidateRows,
    CarriedRows,
    PublishedSnapshot,
    discard_carried_rows,
    keep_carried_rows,
    load_published,
    write_carried_rows,
)
from commclean.store.publish import Staged, add_data_docs, commit, current_version, discard, keep_failed_run, stage
from commclean.validate.setaside import quarantine_table, tables_without
from commclean.validate.suites import ValidationReport, ValidationWorker, suites_sha256, validate


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
    # The index holds every text's samples now: the copies the entries and fingerprints hold are
    # about 2 KB a file that nothing after this reads (2 GB at a million files).
    texts.forget_samples()
    documents = tuple(without_samples(f) for f in documents)
    set_aside = tuple(without_samples(f) for f in set_aside)
    return Deduplicated(documents, quarantined, tuple(clusters), stats, texts, set_aside)


def without_samples(seen: SeenFile) -> SeenFile:
    return seen if seen.content.samples is None else SeenFile(seen.raw, seen.content.without_samples())


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


def assemble_candidate(deduplicated: Deduplicated, discovery: Discovery, workspace: Workspace, stats: Stats,
                       config: Config) -> Candidate:
    signatures = workspace.published.signatures if workspace.published else {}
    consensus = partial(consensus_text, known_zipf=config.repair.ocr_unknown_zipf,
                        max_tokens=config.dedup.consensus_max_words)
    # The rows built go to a file in the run's scratch folder, mapped back: the corpus of a large
    # build is then held by the page cache through validation and publishing, not by this process.
    built = SpilledTable(built_rows_path(workspace.scratch), CORPUS_SCHEMA) if workspace.scratch else None
    candidate = assemble(deduplicated.documents, (*deduplicated.quarantined, *deduplicated.set_aside),
                         deduplicated.clusters, deduplicated.texts.handed, signatures, discovery.skipped, stats,
                         consensus, built, partial(_rows_built, config))
    check_ledger(candidate, [*(f.path for f in discovery.files), *(s.path for s in discovery.skipped)])
    return candidate


def _rows_built(config: Config, work: Iterator[RowsToBuild], documents: int) -> Iterator[tuple[pa.Table, Stats]]:
    """The rows in worker processes when there are enough documents to build (a full build's
    second core is otherwise idle here, but for the validation helper's import); else here."""
    wanted = documents >= config.min_documents_for_assembly_workers
    workers = worker_count(config, documents, chunks_of(documents)) if wanted else 1
    return map_in_processes(build_rows, work, workers)


def output_tables(candidate: Candidate, workspace: Workspace) -> Tables:
    previous = workspace.published.corpus() if workspace.published and candidate.carried else None
    return tables_for(candidate, previous)


def validate_tables(tables: Tables, config: Config, workspace: Workspace,
                    worker: ValidationWorker | None = None, data_docs: Path | None = None) -> ValidationReport:
    """Text expectations check only the rows built this run when the carried ones were validated
    under the same suites (they are the very rows published then); everything else is checked
    whole. With a worker, Great Expectations runs in its helper process."""
    published = workspace.published
    same_suites = published is not None and published.suites_sha256 == suites_sha256(config.validation)
    new_text = tables.built if same_suites else None
    if worker is None:
        return validate(tables.corpus, tables.sources, config.validation, new_text, data_docs)
    return worker.validate(tables.corpus, tables.sources, config.validation, new_text, workspace.scratch, data_docs)


@dataclass(frozen=True)
class Checked:
    """A validated candidate, its snapshot staged, and its rows as the next run carries them.
    `tables` are what is published: the documents validation set aside are no longer in them."""

    report: ValidationReport
    staged: Staged
    carried_rows: CandidateRows | None
    tables: Tables
    data_docs: Path | None  # the Data Docs site built, until it moves into the snapshot
    quarantine: pa.Table = field(default_factory=QUARANTINE_SCHEMA.empty_table)  # the documents set aside


def validate_and_stage(tables: Tables, config: Config, workspace: Workspace, worker: ValidationWorker | None,
                       clean_dir: str | Path) -> Checked:
    """Validate the candidate while its snapshot is written to a staging folder (and its rows,
    as the next run carries them, beside the run state), so that a passing validation only has
    to move them where they belong; a failing one discards them."""
    previous = workspace.published.rows if workspace.published else None
    site = (workspace.scratch or Path(clean_dir)) / DATA_DOCS_DIR
    with ThreadPoolExecutor(2) as background:
        pending = background.submit(stage, tables.corpus, tables.sources, clean_dir, None,
                                    config.row_group_mb << 20)
        copying = (background.submit(write_carried_rows, tables, previous, workspace.state_dir)
                   if workspace.state_dir else None)
        try:
            report = validate_tables(tables, config, workspace, worker, site)
        finally:
            staged = pending.result()
            copy = copying.result() if copying else None
    checked = Checked(report, staged, copy, tables, site)
    if report.success and report.rejected:
        checked = _without_rejected(checked, previous, clean_dir, workspace, config.row_group_mb << 20)
    return checked


def _without_rejected(checked: Checked, previous: CarriedRows | None, clean_dir: str | Path,
                      workspace: Workspace, row_group_bytes: int) -> Checked:
    """The snapshot staged during validation holds the documents it set aside: stage it again
    without them, and with their rows in the quarantine table (rare: it costs a second write)."""
    discard_checked(checked)
    rejected = dict(checked.report.rejected)
    tables = tables_without(checked.tables, rejected)
    quarantine = quarantine_table(checked.tables.corpus, rejected)
    staged = stage(tables.corpus, tables.sources, clean_dir, quarantine, row_group_bytes)
    copy = write_carried_rows(tables, previous, workspace.state_dir) if workspace.state_dir else None
    return replace(checked, staged=staged, carried_rows=copy, tables=tables, quarantine=quarantine)


def current_snapshot(workspace: Workspace, config: Config, clean_dir: str | Path) -> PublishedSnapshot | None:
    """The snapshot readers saw when the run started, if this code and settings made it."""
    return workspace.published or load_published(clean_dir, settings_key(config))


def is_unchanged(checked: Checked, current: PublishedSnapshot | None) -> bool:
    """Whether the current snapshot holds exactly the tables this run would publish: then there
    is nothing new to publish."""
    tables = checked.tables
    return current is not None and current.same_output(tables.corpus, tables.sources, checked.quarantine)


def changes_since(checked: Checked, workspace: Workspace, clean_dir: str | Path) -> SnapshotDiff:
    """What the run's tables change for readers: documents and files against the snapshot they
    saw, whatever code made it (all of it added when there was none). Rows carried from it are
    the same rows, so then only the rebuilt ones are compared column by column."""
    tables, carried_from = checked.tables, workspace.published
    version = current_version(clean_dir)
    rebuilt: list[str] | None = None
    if version is None:
        old_corpus, old_sources = CORPUS_SCHEMA.empty_table(), SOURCES_SCHEMA.empty_table()
    elif carried_from is not None and carried_from.version == version:
        # The rows this run carried from it are mapped already: no Parquet to read.
        old_corpus, old_sources = carried_from.corpus(), carried_from.ledger()
        rebuilt = tables.built.column("doc_id").to_pylist()
    else:
        old_corpus, old_sources = snapshot_tables(Path(clean_dir) / SNAPSHOTS / f"v{version}")
    return diff_tables(old_corpus, old_sources, tables.corpus, tables.sources, version or 0, checked.staged.version,
                       rebuilt)


def discard_checked(checked: Checked) -> None:
    discard(checked.staged)
    if checked.carried_rows is not None:
        discard_carried_rows(checked.carried_rows)


def keep_failed(checked: Checked, report: dict, config: Config, state_dir: Path) -> Path | None:
    """A failed run publishes nothing; its report and Data Docs are kept for a person to look at."""
    discard_checked(checked)
    folder = keep_failed_run(state_dir, report, checked.data_docs, config.validation.keep_failed_runs)
    index = folder / DATA_DOCS_DIR / DATA_DOCS_INDEX
    return index if index.is_file() else None


def published_data_docs(checked: Checked) -> Path | None:
    """Where the snapshot's Data Docs will be once it is published (they move in with it)."""
    if checked.data_docs is None or not checked.data_docs.is_dir():
        return None
    return add_data_docs(checked.staged, checked.data_docs)


def commit_tables(checked: Checked, manifest: dict, config: Config, workspace: Workspace,
                  changes: SnapshotDiff | None = None) -> int:
    """Publish the staged snapshot with its dataset card and report, and keep its rows for the
    next run to carry from."""
    version, tables = checked.staged.version, checked.tables
    write_bytes(checked.staged.folder / CARD_FILE, dataset_card(version, manifest).encode())
    page = report_html(version, manifest, tables.corpus, tables.sources, checked.quarantine, changes)
    write_bytes(checked.staged.folder / REPORT_FILE, page.encode())
    version = commit(checked.staged, manifest, config.keep_snapshots).version
    if workspace.state_dir is not None and checked.carried_rows is not None:
        keep_carried_rows(checked.carried_rows, version, workspace.state_dir)
    return version
