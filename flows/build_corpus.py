"""The corpus build as a Prefect flow: coarse tasks over batches of files, then one publish."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ProcessPoolTaskRunner
from prefect.utilities.annotations import quote

from commclean.cache import CacheDamaged, discard_run_state
from commclean.collector import collector_paused
from commclean.config import Config
from commclean.discover import Discovery, Listings, check_folders, discover
from commclean.heap import give_back_freed_memory
from commclean.lock import run_lock
from commclean.pipeline import (
    Batch,
    Checked,
    Deduplicated,
    Pending,
    Workspace,
    assemble_candidate,
    batches_of,
    commit_tables,
    deduplicate_files,
    discard_checked,
    identify_batch,
    known_folders,
    open_workspace,
    output_tables,
    process_batch,
    save_results,
    save_state,
    validate_and_stage,
)
from commclean.publish import published_doc_ids
from commclean.records import Candidate, FoundFile, SourceDoc
from commclean.report import RunSummary, manifest_for, run_report_markdown, summarise
from commclean.schema import Tables
from commclean.stats import Stats
from commclean.validate import ValidationWorker, validation_worker
from commclean.workers import worker_count

# Inputs are large lists of texts: hashing them for Prefect's cache would cost more than the work.
_TASK = {"cache_policy": NO_CACHE, "persist_result": False}


class ValidationFailed(RuntimeError):
    """The candidate failed a blocking expectation; nothing was published."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(f"validation {summary.validation}")
        self.summary = summary


@task(name="discover raw files", **_TASK)
def discover_task(raw_dir: str, known: Listings | None) -> Discovery:
    return discover(raw_dir, known)


# Task bodies that walk every file pause the cyclic collector (see collector.py); the flow as a
# whole does not: Prefect's own records make cycles, which piled up to a gigabyte at 100k files.
@task(name="identify files (read only what changed)", **_TASK)
def identify_task(files: tuple[FoundFile, ...], config: Config, workspace: Workspace) -> list[Batch[Pending]]:
    with collector_paused():
        return [identify_batch(batch, config, workspace) for batch in batches_of(files, config.batch_size)]


@task(name="decode, repair and analyse new files", **_TASK)
def process_task(batch: Batch[Pending], config: Config) -> Batch[SourceDoc]:
    return process_batch(batch, config)


@task(name="save new results to the cache", **_TASK)
def save_results_task(batch: Batch[SourceDoc], workspace: Workspace) -> int:
    return save_results([batch], workspace)


@task(name="deduplicate", **_TASK)
def deduplicate_task(batches: list[Batch[SourceDoc]], config: Config, workspace: Workspace,
                     discovery: Discovery) -> Deduplicated:
    with collector_paused():
        found = deduplicate_files(batches, config, workspace)
        save_state(discovery, found, workspace)
    return found


@task(name="choose canonical texts and fuse metadata", **_TASK)
def assemble_task(found: Deduplicated, discovery: Discovery, workspace: Workspace, stats: Stats,
                  config: Config) -> Candidate:
    with collector_paused():
        candidate = assemble_candidate(found, discovery, workspace, stats, config)
    found.texts.release()
    return candidate


@task(name="build the output tables", **_TASK)
def tables_task(candidate: Candidate, workspace: Workspace) -> Tables:
    with collector_paused():
        return output_tables(candidate, workspace)


@task(name="validate with Great Expectations (and stage the snapshot meanwhile)", **_TASK)
def validate_task(tables: Tables, config: Config, workspace: Workspace, worker: ValidationWorker | None,
                  clean_dir: str) -> Checked:
    return validate_and_stage(tables, config, workspace, worker, clean_dir)


@task(name="publish", **_TASK)
def publish_task(checked: Checked, manifest: dict, config: Config, workspace: Workspace) -> int:
    return commit_tables(checked, manifest, config, workspace)


# Only the processing of new files is submitted to the task runner: each batch's task is a pure
# function of its files. Another runner (prefect-dask's DaskTaskRunner) spreads it further.
@flow(name="build-corpus", log_prints=True, task_runner=ProcessPoolTaskRunner())
def build_corpus(
    raw_dir: str = "raw",
    clean_dir: str = "clean",
    batch_size: int | None = None,
    wait_seconds: float = 0.0,
    full: bool = False,
) -> RunSummary:
    """Build clean/corpus.parquet and clean/sources.parquet from every file under raw/.

    Files seen before (same bytes, same pipeline version and settings) are taken from the cache
    in clean/cache/ unless `full` is set; the result is the same either way. One run at a time
    per clean/ folder (a second one waits up to wait_seconds, then fails saying so). A failing
    expectation publishes nothing: the flow run fails and names it, and the previous corpus
    stays in place."""
    config = Config() if batch_size is None else Config(batch_size=batch_size)
    check_folders(raw_dir, clean_dir)
    raw, clean = str(Path(raw_dir).resolve()), str(Path(clean_dir).resolve())
    with run_lock(clean, wait_seconds), validation_worker() as worker:
        try:
            return _build(raw, clean, config, full, worker)
        except CacheDamaged as damage:  # found while reading it: a miss, never a stopped corpus
            if full:
                raise
            discard_run_state(clean, config, str(damage))
            return _build(raw, clean, config, True, worker)


def _build(raw: str, clean: str, config: Config, full: bool, worker: ValidationWorker | None) -> RunSummary:
    logger = get_run_logger()
    workspace = open_workspace(clean, config, full)
    # quote(): big values pass to tasks as they are; Prefect would otherwise walk every nested
    # record of them looking for futures (tens of seconds at 10k files).
    ws = quote(workspace)
    discovery = discover_task(raw, quote(known_folders(clean, config, full)))
    batches = _process(identify_task(quote(discovery.files), config, ws), config, workspace)
    found = deduplicate_task(quote(batches), config, ws, quote(discovery))
    stats = Stats.merged([batch.stats for batch in batches] + [found.stats])
    del batches  # their documents live on in found.texts, until assembly lets go of them
    candidate = assemble_task(quote(found), quote(discovery), ws, quote(stats), config)
    give_back_freed_memory()  # what assembly let go of, before the Arrow tables are built
    tables = tables_task(quote(candidate), ws)
    checked = validate_task(quote(tables), config, ws, quote(worker), clean)
    report = checked.report
    summary = summarise(candidate, discovery, report, report.success, stats, tables)
    create_markdown_artifact(
        markdown=run_report_markdown(summary, candidate, published_doc_ids(clean)),
        key="commclean-run",
        description="What this run read, found, quarantined and published",
    )
    if not report.success:
        discard_checked(checked)
        for failure in report.failed:
            logger.error("expectation failed: %s", failure.describe())
        raise ValidationFailed(summary)
    version = publish_task(quote(checked), manifest_for(summary, report, config), config, ws)
    logger.info("published snapshot v%s", version)
    for line in summary.lines():
        logger.info(line)
    return summary


def _process(identified: list[Batch[Pending]], config: Config, workspace: Workspace) -> list[Batch[SourceDoc]]:
    """New files go to the task runner's workers when there are enough of them to repay starting
    the workers; each batch's results are saved while the next ones are processed."""
    work = [batch.work() for batch in identified if batch.items]
    if worker_count(config, sum(len(batch.items) for batch in work), len(work)) > 1:
        with _workers_use_this_api():
            futures = deque(process_task.submit(quote(batch), config) for batch in work)
        # Each future let go of once read: it holds its result's pickled bytes as well.
        done = (futures.popleft().result() for _ in range(len(futures)))
    else:
        done = (process_task(quote(batch), config) for batch in work)
    batches: list[Batch[SourceDoc]] = []
    for batch in identified:
        batches.append(batch.joined(next(done) if batch.items else Batch(())))
        save_results_task(quote(batches[-1]), quote(workspace))
    return batches


@contextmanager
def _workers_use_this_api() -> Iterator[None]:
    """Prefect's process pool gives its workers this process's settings and environment, but not
    the address of the temporary API a run without a server starts (Prefect 3.8): each worker
    would start one of its own, which costs seconds and a process, and records its task runs
    where nobody looks. The address is in the environment only while tasks are submitted."""
    context = FlowRunContext.get()
    if os.environ.get("PREFECT_API_URL") or context is None or context.client is None:
        yield
        return
    os.environ["PREFECT_API_URL"] = str(context.client.api_url)
    try:
        yield
    finally:
        del os.environ["PREFECT_API_URL"]


if __name__ == "__main__":
    build_corpus()
