"""What a run did, for the person who started it (summary, Prefect artifact) and for the manifest."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from commclean.config import Config
from commclean.diff import SnapshotDiff
from commclean.ingest.discover import Discovery
from commclean.records import reason_kind
from commclean.runtime.stats import Stats
from commclean.schema import Tables
from commclean.store import DATA_DOCS_DIR, DATA_DOCS_INDEX
from commclean.store.cache import settings_key
from commclean.validate.suites import ValidationReport


@dataclass(frozen=True)
class SetAside:
    """Documents a document-scope expectation set aside: how many, and three of them."""

    expectation: str
    documents: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Changes:
    """What the run changes for readers, against the snapshot they saw (see commclean.diff)."""

    since: int  # that snapshot's version, 0 if none
    files_new: int = 0
    files_unchanged: int = 0
    files_gone: int = 0
    files_changed: int = 0  # read before under the same path, with other bytes now
    documents_added: int = 0
    documents_changed: int = 0
    documents_removed: int = 0

    @classmethod
    def of(cls, diff: SnapshotDiff, files_read: int, skipped: set[str]) -> Changes:
        """Files as the summary's "files read" counts them: entries skipped unread are not files read."""
        new = sum(path not in skipped for path in diff.files_new)
        changed = sum(path not in skipped for path in diff.files_changed)
        return cls(diff.old, files_new=new, files_unchanged=files_read - new - changed,
                   files_gone=len(diff.files_gone), files_changed=changed, documents_added=len(diff.added),
                   documents_changed=len(diff.changed), documents_removed=len(diff.removed))

    def since_text(self) -> str:
        return f"since v{self.since}" if self.since else "(nothing was published before)"


# Ledger rows listed by name in the summary; the manifest and artifact count them all.
_LISTED = 10


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the person who started it and for the manifest."""

    files_read: int
    skipped: int
    documents: int
    duplicates: int
    quarantined: int
    validation: str
    published: bool  # readers see this run's output: a new snapshot, or the current one if nothing changed
    stats: dict[str, dict[str, int]]
    skipped_files: tuple[tuple[str, str], ...] = ()
    set_aside: tuple[SetAside, ...] = ()  # by expectation (a document may fail more than one)
    set_aside_documents: int = 0
    data_docs: str | None = None  # the index page of this run's Data Docs
    snapshot: int | None = None  # the version readers see after the run, if it passed validation
    changed: bool = True  # False: the output equals the current snapshot's, so no snapshot was added
    changes: Changes | None = None
    report: str | None = None  # the snapshot's report.html
    duplicates_by_kind: dict[str, int] = field(default_factory=dict)
    quarantined_files: tuple[tuple[str, str], ...] = ()  # (path, reason), the first few by path
    # The first few changes of each repair, and copies of each kind beside their canonical, among
    # the files and documents this run processed: {"repair" | "duplicates": {name: [Example dict]}}
    examples: dict[str, dict[str, list[dict[str, str]]]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        c = self.changes or Changes(0)
        return [
            f"files read:   {self.files_read} ({c.files_new} new, {c.files_changed} changed, "
            f"{c.files_unchanged} unchanged, {c.files_gone} gone {c.since_text()})",
            f"skipped:      {self.skipped}" + "".join(f"\n  {p} ({r})" for p, r in self.skipped_files),
            f"documents:    {self.documents} ({c.documents_added} added, {c.documents_changed} changed, "
            f"{c.documents_removed} removed {c.since_text()})",
            f"duplicates:   {self.duplicates}" + (" (" + ", ".join(
                f"{kind} {n}" for kind, n in self.duplicates_by_kind.items()) + ")" if self.duplicates else ""),
            f"quarantined:  {self.quarantined}" + "".join(f"\n  {p}: {r}" for p, r in self.quarantined_files)
            + (f"\n  ... and {self.quarantined - len(self.quarantined_files)} more (sources.parquet)"
               if self.quarantined > len(self.quarantined_files) else ""),
            f"set aside:    {self.set_aside_documents} (failed document checks)" + "".join(
                f"\n  {s.expectation}: {s.documents}, e.g. " + " | ".join(s.examples) for s in self.set_aside),
            f"validation:   {self.validation}",
            f"data docs:    {self.data_docs or '(none built)'}",
            f"report:       {self.report or '(none: nothing published)'}",
            f"published:    {self._published()}",
        ]


    def _published(self) -> str:
        if not self.published:
            return "no (the previous corpus is untouched)"
        return f"yes: v{self.snapshot}" if self.changed else f"no change: v{self.snapshot} stays current"


def reason_kinds(sources: pa.Table, status: str) -> Counter:
    """The ledger rows of a status, counted by the kind their reason names: a reason is a kind,
    then particulars ("truncated copy (contained 0.97)", "too large (over N bytes)")."""
    reasons = sources.filter(pc.equal(sources.column("status"), status)).column("reason").to_pylist()
    return Counter(reason_kind(reason) for reason in reasons)


def summarise(discovery: Discovery, report: ValidationReport, published: bool, stats: Stats, tables: Tables,
              data_docs: Path | None = None, snapshot: int | None = None, changed: bool = True,
              changes: SnapshotDiff | None = None, page: Path | None = None) -> RunSummary:
    """The run as published (or as it would have been): counts from the output tables, so
    documents validation set aside count as quarantined files, not as documents."""
    status = tables.sources.column("status")
    statuses = Counter({c["values"]: c["counts"] for c in pc.value_counts(status).to_pylist()})
    kinds = reason_kinds(tables.sources, "duplicate")
    aside = tables.sources.filter(pc.equal(status, "quarantined")).select(["path", "reason"])
    quarantined = sorted(zip(aside.column("path").to_pylist(), aside.column("reason").to_pylist()))
    corpus_repairs = pc.value_counts(pc.list_flatten(tables.corpus.column("repairs"))).to_pylist()
    for count in corpus_repairs:  # over the whole corpus, carried rows included
        stats.update("corpus repairs", count["values"], count["counts"])
    for failure in report.set_aside:
        stats.update("documents set aside by expectation", failure.name, failure.unexpected_count or 0)
    return RunSummary(
        files_read=len(discovery.files),
        skipped=len(discovery.skipped),
        documents=tables.corpus.num_rows,
        duplicates=statuses["duplicate"],
        quarantined=statuses["quarantined"],
        validation=report.summary(),
        published=published,
        stats=stats.as_dict(),
        examples=stats.examples_as_dict(),
        skipped_files=tuple((s.path, s.reason) for s in discovery.skipped),
        set_aside=tuple(SetAside(f.name, f.unexpected_count or 0, f.examples) for f in report.set_aside),
        set_aside_documents=len(report.rejected),
        data_docs=str(data_docs) if data_docs is not None else None,
        snapshot=snapshot,
        changed=changed,
        changes=Changes.of(changes, len(discovery.files), {s.path for s in discovery.skipped})
        if changes is not None else None,
        duplicates_by_kind=dict(sorted(kinds.items())),
        quarantined_files=tuple(quarantined[:_LISTED]),
        report=str(page) if page is not None else None,
    )


def run_report_markdown(summary: RunSummary, tables: Tables, previous_ids: pa.Array) -> str:
    """The run as a person reads it in Prefect's UI: counts, what validation set aside and why,
    new documents, quarantined files, and a link to the Data Docs."""
    # Chosen in Arrow: as Python rows, a million documents' titles and paths took 5 s a run.
    corpus = tables.corpus.select(["doc_id", "title", "source_paths"])
    new = corpus.filter(pc.invert(pc.is_in(corpus["doc_id"], value_set=previous_ids)))
    ledger = tables.sources.select(["path", "status", "reason"])
    quarantined = ledger.filter(pc.equal(ledger["status"], "quarantined"))
    lines = ["# commclean run", "", "| | |", "|---|---|"]
    counts = (line.split(":", 1) for line in summary.lines())
    lines += [f"| {key.strip()} | {value.split(chr(10))[0].strip()} |" for key, value in counts]
    if summary.report:
        lines += ["", f"[Report of this snapshot]({Path(summary.report).resolve().as_uri()})"]
    if summary.data_docs:
        lines += ["", f"[Data Docs of this validation]({Path(summary.data_docs).resolve().as_uri()})"]
    lines += ["", f"## Set aside by document checks ({summary.set_aside_documents})", ""]
    lines += ["| expectation | documents | examples |", "|---|---|---|"] if summary.set_aside else []
    lines += [f"| {s.expectation} | {s.documents} | " + "<br>".join(_cell(e) for e in s.examples) + " |"
              for s in summary.set_aside]
    lines += ["", f"## New documents ({new.num_rows})", ""]
    lines += [f"- `{row['doc_id']}` {row['title'] or '(no title)'} ({row['source_paths'][0]})"
              for row in new.slice(0, 200).to_pylist()]
    lines += ["", f"## Quarantined files ({quarantined.num_rows})", ""]
    lines += [f"- `{row['path']}`: {row['reason']}" for row in quarantined.slice(0, 500).to_pylist()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def validation_record(report: ValidationReport) -> dict:
    """The validation as the manifest (and a failed run's validation.json) records it."""
    return {
        "success": report.success,
        "evaluated": report.evaluated,
        "failed": [f.describe() for f in report.blocking],
        "documents_checked": report.documents,
        "documents_set_aside": len(report.rejected),
        "max_rejected_share": report.max_rejected_share,
        "set_aside": [{"expectation": f.name, "documents": f.unexpected_count, "examples": list(f.examples)}
                      for f in report.set_aside],
        "summary": report.summary(),
        "suites_sha256": report.suites_sha256,
    }


def manifest_for(summary: RunSummary, report: ValidationReport, config: Config) -> dict:
    return {
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "settings_key": settings_key(config),
        "counts": {
            "files_read": summary.files_read,
            "skipped": summary.skipped,
            "documents": summary.documents,
            "duplicates": summary.duplicates,
            "quarantined": summary.quarantined,
            "set_aside": len(report.rejected),
        },
        "changes": asdict(summary.changes) if summary.changes is not None else None,
        "duplicates_by_kind": summary.duplicates_by_kind,
        "validation": validation_record(report),
        "data_docs": f"{DATA_DOCS_DIR}/{DATA_DOCS_INDEX}" if summary.data_docs else None,
        "stats": summary.stats,
        "examples": summary.examples,
    }
