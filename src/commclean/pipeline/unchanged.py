"""A run that finds raw/ file for file as the current snapshot was built from ends after discovery."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from commclean import store
from commclean.ingest.discover import Discovery
from commclean.report import Changes, RunSummary, summarise
from commclean.runtime.stats import Stats
from commclean.schema import Tables
from commclean.store import (
    CORPUS_FILE,
    DATA_DOCS_DIR,
    DATA_DOCS_INDEX,
    MANIFEST_FILE,
    QUARANTINE_FILE,
    REPORT_FILE,
    SNAPSHOTS,
    SOURCES_FILE,
)
from commclean.store.publish import current_version
from commclean.validate.suites import DOCUMENT, FailedExpectation, ValidationReport

# In the state folder: the snapshot a run published (or found current) and what it read to do so.
PUBLISHED_FROM_FILE = "published-from.json"


def input_digest(discovery: Discovery, clean_dir: Path, suites: str) -> str:
    """Names what a run reads: every file's path and stat stamp, every skipped entry and why, the
    clean folder and the expectations in force. The run state and cache are this code's and
    settings' own (see store.cache), so the same digest means the same output."""
    lines = [f"{Path(clean_dir).resolve()}\0{suites}"]
    lines += [f"{f.path}\0{f.size_bytes} {f.mtime_ns} {f.ctime_ns} {f.inode}" for f in discovery.files]
    lines += [f"{s.path}\0{s.reason}" for s in discovery.skipped]
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def remember_input(state_dir: Path | None, version: int, digest: str) -> None:
    """After a run that passed: snapshot `version` is what the input `digest` names gives. A record
    that cannot be written (a full disk) costs the next run its shortcut, never this run its
    publish; the record it would have replaced says something still true of another input."""
    if state_dir is None:
        return
    with contextlib.suppress(OSError):
        store.write_bytes(state_dir / PUBLISHED_FROM_FILE, json.dumps({"version": version, "input": digest}).encode())


def unchanged_snapshot(state_dir: Path | None, clean_dir: Path, digest: str) -> int | None:
    """The current snapshot's version if an earlier run made it, or found it current, from the
    very input `digest` names; else None (and the run goes on). A rollback since then makes
    another snapshot current, which no record names."""
    if state_dir is None:
        return None
    try:
        record = json.loads((state_dir / PUBLISHED_FROM_FILE).read_text())
    except (OSError, ValueError):
        return None  # none yet, or damaged: the run goes on, and writes it again
    version = current_version(clean_dir)
    snapshot = Path(clean_dir) / SNAPSHOTS / f"v{version}"
    if (not isinstance(record, dict) or version is None or record.get("version") != version
            or record.get("input") != digest or not (snapshot / MANIFEST_FILE).is_file()):
        return None
    return version


def unchanged_summary(discovery: Discovery, clean_dir: Path, version: int,
                      stats: Stats) -> tuple[RunSummary, Tables, ValidationReport] | None:
    """The run's summary, its counts read from snapshot `version` (the corpus without its texts),
    the tables the run report lists documents and files from, and the snapshot's validation.
    Validation did not run again: the snapshot's stands, and the summary says so. None if the
    snapshot cannot say (made by other code, damaged): the run then builds."""
    try:
        return _summary_from(discovery, Path(clean_dir) / SNAPSHOTS / f"v{version}", version, stats)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def _summary_from(discovery: Discovery, folder: Path, version: int,
                  stats: Stats) -> tuple[RunSummary, Tables, ValidationReport]:
    corpus = pq.read_table(folder / CORPUS_FILE, columns=["doc_id", "title", "source_paths", "repairs"])
    tables = Tables(corpus, pq.read_table(folder / SOURCES_FILE), corpus.slice(0, 0))
    report = _report_of(folder)
    stats = Stats().merge(stats)  # as given, should the snapshot turn out unreadable below
    stats.update("cache", "files not read (stat unchanged)", len(discovery.files))
    docs, page = folder / DATA_DOCS_DIR / DATA_DOCS_INDEX, folder / REPORT_FILE
    summary = summarise(discovery, report, True, stats, tables, docs if docs.is_file() else None, snapshot=version,
                        changed=False, page=page if page.is_file() else None)
    validation = f"not run again: raw/ is file for file what v{version} was built from, and v{version} " \
                 f"{report.summary()}"
    changes = Changes(version, files_unchanged=len(discovery.files))
    return replace(summary, validation=validation, changes=changes), tables, report


def _report_of(folder: Path) -> ValidationReport:
    """The validation of the snapshot in `folder`, as its manifest and quarantine table record it."""
    record = json.loads((folder / MANIFEST_FILE).read_text())["validation"]
    quarantine = folder / QUARANTINE_FILE
    rejected = ()
    if quarantine.is_file():
        rows = pq.read_table(quarantine, columns=["doc_id", "failed_expectations"]).to_pylist()
        rejected = tuple((row["doc_id"], tuple(row["failed_expectations"])) for row in rows)
    set_aside = tuple(FailedExpectation("corpus", s["expectation"], "", None, s["documents"], tuple(s["examples"]),
                                        DOCUMENT) for s in record["set_aside"])
    return ValidationReport(record["success"], record["evaluated"], set_aside, record["suites_sha256"], rejected,
                            record["documents_checked"], record["max_rejected_share"])
