"""What a run did, for the person who started it (summary, Prefect artifact) and for the manifest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow.compute as pc

from commclean.config import Config
from commclean.ingest.discover import Discovery
from commclean.records import Candidate
from commclean.runtime.stats import Stats
from commclean.schema import Tables
from commclean.store.cache import settings_key
from commclean.validate.suites import ValidationReport


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
              published: bool, stats: Stats, tables: Tables) -> RunSummary:
    statuses = [row.status for row in candidate.sources]
    corpus_repairs = pc.value_counts(pc.list_flatten(tables.corpus.column("repairs"))).to_pylist()
    for count in corpus_repairs:  # over the whole corpus, carried rows included
        stats.update("corpus repairs", count["values"], count["counts"])
    return RunSummary(
        files_read=len(discovery.files),
        skipped=len(discovery.skipped),
        documents=candidate.document_count,
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
        },
        "validation": {"success": report.success, "evaluated": report.evaluated,
                       "failed": [f.describe() for f in report.failed], "suites_sha256": report.suites_sha256},
        "stats": summary.stats,
    }


