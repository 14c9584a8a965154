"""The run's stages in order, written once. A Runner carries each step out: LocalRunner in this
process (the library's `run_pipeline`), the Prefect flow's runner as tasks (flows/build_corpus.py).
Timings, crash points, the run state and the manifest are the same whichever runs them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from commclean.config import Config
from commclean.ingest.discover import Discovery, check_folders
from commclean.pipeline.batches import Batch, identify_files, process_batch
from commclean.pipeline.corpus import (
    Checked,
    Deduplicated,
    assemble_candidate,
    changes_since,
    commit_tables,
    current_snapshot,
    deduplicate_files,
    discard_checked,
    is_unchanged,
    keep_failed,
    output_tables,
    published_data_docs,
    validate_and_stage,
)
from commclean.pipeline.unchanged import input_digest, remember_input, unchanged_snapshot, unchanged_summary
from commclean.pipeline.workspace import Workspace, discover_and_open, save_new_results, save_state
from commclean.records import Candidate
from commclean.report import RunSummary, manifest_for, summarise, validation_record
from commclean.runtime.collector import collector_paused
from commclean.runtime.heap import give_back_freed_memory
from commclean.runtime.progress import Progress
from commclean.runtime.stats import Stats
from commclean.runtime.workers import map_in_processes, worker_count
from commclean.schema import Tables
from commclean.store import DATA_DOCS_DIR, DATA_DOCS_INDEX, REPORT_FILE, SNAPSHOTS, Folders
from commclean.store.cache import CacheDamaged, discard_run_state
from commclean.store.lock import folders_locked
from commclean.store.publish import crash_point
from commclean.validate.suites import ValidationReport, ValidationWorker, suites_sha256, validation_worker

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


class Runner(Protocol):
    """How the sequence's steps are carried out, and where their progress is reported."""

    progress: Progress
    remote: bool  # its map's workers may run on other machines: files go to them by path, not content

    def step(self, name: str, function: Callable[..., T], *args: Any) -> T:
        """function(*args), once, as the step called `name`."""
        ...

    def map(self, name: str, function: Callable[[In, Config], Out], items: Sequence[In], config: Config,
            workers: int) -> Iterator[Out]:
        """function(item, config) for each item, in up to `workers` processes; results in order."""
        ...


class LocalRunner:
    """Every step in this process, the batches of new files in a pool of worker processes."""

    remote = False

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress or Progress()

    def step(self, name: str, function: Callable[..., T], *args: Any) -> T:
        return function(*args)

    def map(self, name: str, function: Callable[[In, Config], Out], items: Sequence[In], config: Config,
            workers: int) -> Iterator[Out]:
        return map_in_processes(partial(_swapped, function, config), items, workers)


def _swapped(function: Callable[[In, Config], Out], config: Config, item: In) -> Out:
    return function(item, config)


def _step(runner: Runner, stats: Stats, name: str, function: Callable[..., T], *args: Any,
          counted: Callable[[T], tuple[int, str]] | None = None, total: int | None = None) -> T:
    """function(*args) as the step `name`: timed into `stats`, reported to the runner's progress
    with what it handled (`counted` of its result)."""
    runner.progress.started(name, total)
    started = time.perf_counter()
    with stats.timed(name):
        result = runner.step(name, function, *args)
    count, unit = counted(result) if counted is not None else (None, "")
    runner.progress.finished(name, time.perf_counter() - started, count, unit)
    return result


def _reporting(progress: Progress, name: str, done: Iterator[Batch]) -> Iterator[Batch]:
    for batch in done:
        progress.advanced(name, len(batch.items))
        yield batch


@dataclass(frozen=True)
class Built:
    candidate: Candidate
    discovery: Discovery
    stats: Stats
    workspace: Workspace
    deduplicated: Deduplicated
    saving: Future[Stats] | None = None  # the run state being saved meanwhile (see build_candidate)

    def state_saved(self) -> Stats:
        """Wait until the run state is kept for the next run; the step's timing."""
        return self.saving.result() if self.saving is not None else Stats()


@dataclass(frozen=True)
class Discovered:
    """What the run's first step found: raw/ and what earlier runs left to reuse, and its timing."""

    discovery: Discovery
    workspace: Workspace
    timings: Stats


def _discover_step(raw_dir: str | Path, config: Config, folders: Folders | None, full: bool,
                  runner: Runner) -> Discovered:
    timings = Stats()
    discovery, workspace = _step(runner, timings, "discover raw files (and read the run state)", discover_and_open,
                                 raw_dir, folders, config, full,
                                 counted=lambda found: (len(found[0].files) + len(found[0].skipped), "entries"))
    return Discovered(discovery, workspace, timings)


def build_candidate(raw_dir: str | Path, config: Config, folders: Folders | None = None,
                    full: bool = False, background: Executor | None = None,
                    runner: Runner | None = None, helper: ValidationWorker | None = None,
                    discovered: Discovered | None = None) -> Built:
    """The stages up to validation (from `discovered` on, if the caller has discovered already).
    With folders, what earlier runs learned there is reused (unless `full`) and this run's
    results are kept for the next, in `background` (then Built.state_saved waits for it) while
    assembly and validation go on. The validation `helper`, if given, is started on the way. A
    result cache found damaged on the way is discarded, and the build starts again without it."""
    runner = runner or LocalRunner()
    try:
        found = discovered or _discover_step(raw_dir, config, folders, full, runner)
        return _build_candidate(found, config, full, background, runner, helper)
    except CacheDamaged as damage:
        if folders is None or full:
            raise
        discard_run_state(folders.state, config, str(damage))
        return _build_candidate(_discover_step(raw_dir, config, folders, True, runner), config, True, background,
                                runner, helper)


def _build_candidate(found: Discovered, config: Config, full: bool, background: Executor | None, runner: Runner,
                     helper: ValidationWorker | None) -> Built:
    discovery, workspace, timings = found.discovery, found.workspace, found.timings
    identified = _step(runner, timings, "identify files (read only what changed)", identify_files, discovery.files,
                       config, workspace, counted=lambda batches: (sum(len(b.items) for b in batches), "new files"))
    work = [batch.work(by_path=runner.remote) for batch in identified if batch.items]
    new_files = sum(len(batch.items) for batch in work)
    workers = worker_count(config, new_files, len(work))
    # Processed here, the new files leave the second core to the helper's import of Great
    # Expectations. Processed in worker processes (or on Dask), they take both cores for long:
    # the helper starts once they are done and the sample index is built, its import overlapping
    # assembly, and the 250 MB it holds are added neither to the workers' at the end of
    # processing nor to deduplication's (the index build, a run's peak at a million files).
    in_process = workers <= 1 and not runner.remote
    if helper is not None and in_process:
        helper.start()
    elif helper is not None:
        # Started early for an update expected to be small (start_helper_if_updating), it would
        # sit through the long processing and deduplication's peak with its 250 MB: started again
        # after deduplication, its import is hidden by assembly all the same.
        helper.stop(at_once=True)
    name = "decode, repair, analyse and save new results"
    done = _reporting(runner.progress, name,
                      runner.map("decode, repair and analyse new files", process_batch, work, config, workers))
    batches = _step(runner, timings, name, save_new_results, identified, done, workspace, config.texts_held_mb << 20,
                    counted=lambda _: (new_files, "files"), total=new_files)
    del identified, work, done  # an object per new file (what to process), of no use once processed
    crash_point("processed")
    deduplicated = _step(runner, timings, "deduplicate", deduplicate_files, batches, config, workspace,
                         counted=lambda d: (len(d.documents), "texts"))
    crash_point("deduplicated")
    save = partial(_timed_save_state, discovery, deduplicated, workspace)
    saving = background.submit(save) if background is not None else None
    saved = save() if saving is None else Stats()
    stats = Stats.merged([b.stats for b in batches] + [deduplicated.stats, timings, saved])
    del batches  # their documents live on in deduplicated.texts, until assembly lets go of them
    # What deduplication let go of (2 GB at a million files: its index build and aligned pairs)
    # goes back before assembly's workers start beside this process: kept until assembly's
    # first chunk came back, it made the run's peak (6.4 GB, the workers loading their chunks).
    give_back_freed_memory()
    # Only now: its import (250 MB) then adds to what this process holds after deduplication, not
    # to deduplication's peak, while the worker processes of deduplication are still closing.
    if helper is not None:
        helper.start()
    candidate = _step(runner, stats, "choose canonical texts and fuse metadata", assemble_candidate,
                      deduplicated, discovery, workspace, stats, config,
                      counted=lambda c: (c.document_count, "documents"))
    deduplicated.texts.release()
    return Built(candidate, discovery, stats, workspace, deduplicated, saving)


def _timed_save_state(discovery: Discovery, deduplicated: Deduplicated, workspace: Workspace) -> Stats:
    stats = Stats()
    with stats.timed("save run state (beside assembly and validation)"):
        save_state(discovery, deduplicated, workspace)
    return stats


@dataclass(frozen=True)
class Outcome:
    """What a run did: its summary, the tables it published (or would have) and how validation went."""

    summary: RunSummary
    tables: Tables
    report: ValidationReport
    version: int | None  # the snapshot readers see after it (published now or unchanged), if it passed


# The one step of a run that finds raw/ as the current snapshot was built from, after discovery.
UNCHANGED_STEP = "nothing new since the current snapshot (its counts read)"


def run_stages(raw_dir: str | Path, folders: Folders, config: Config, full: bool, runner: Runner,
               worker: ValidationWorker | None) -> Outcome:
    """Build, validate, publish if valid: the whole run, for a caller holding the run lock. A run
    that finds raw/ as the current snapshot was built from ends after discovery."""
    found = _discover_step(raw_dir, config, folders, full, runner)
    suites = suites_sha256(config.validation)
    digest = input_digest(found.discovery, folders.clean, suites)
    version = None if full else unchanged_snapshot(found.workspace.state_dir, folders.clean, digest)
    ended = None if version is None else _step(
        runner, found.timings, UNCHANGED_STEP, unchanged_summary, found.discovery, folders.clean, version,
        found.timings, counted=lambda read: (read[0].documents if read else 0, "documents"))
    if ended is not None:
        return Outcome(*ended, version)
    built, outcome = _build_and_publish(raw_dir, folders, config, full, runner, worker, found)
    if outcome.version is not None:
        if built.discovery is not found.discovery:  # discovered again: a damaged cache was let go
            digest = input_digest(built.discovery, folders.clean, suites)
        remember_input(built.workspace.state_dir, outcome.version, digest)
    return outcome


def _build_and_publish(raw_dir: str | Path, folders: Folders, config: Config, full: bool, runner: Runner,
                       worker: ValidationWorker | None, found: Discovered) -> tuple[Built, Outcome]:
    with ThreadPoolExecutor(1) as saver:
        # The run state is saved in a thread from the end of deduplication on, beside assembly,
        # validation (in its helper) and Arrow's writing of the snapshot.
        built = build_candidate(raw_dir, config, folders, full, saver, runner, worker, found)
        give_back_freed_memory()  # what assembly let go of, before the Arrow tables are built
        crash_point("built")
        stats = built.stats
        tables = _step(runner, stats, "build the output tables", output_tables, built.candidate, built.workspace,
                       counted=lambda t: (t.corpus.num_rows, "rows"))
        checked = _step(runner, stats, "validate with Great Expectations (and stage the snapshot meanwhile)",
                        validate_and_stage, tables, config, built.workspace, worker, folders.clean,
                        counted=lambda c: (c.report.evaluated, "expectations"))
        try:
            return built, _publish_checked(checked, built, folders, config, runner)
        except BaseException:
            # Stopped between staging and publishing (Ctrl-C, a fault): the staged snapshot, a
            # corpus' size, is not left for the next run to remove.
            discard_checked(checked)
            raise


def _publish_checked(checked: Checked, built: Built, folders: Folders, config: Config, runner: Runner) -> Outcome:
    """Publish the validated, staged tables, or say why not: validation failed, or nothing changed."""
    stats = built.stats
    stats.merge(built.state_saved())
    crash_point("validated")
    report, tables = checked.report, checked.tables
    current = current_snapshot(built.workspace, config, folders.clean)
    changes = changes_since(checked, built.workspace, folders.clean)
    if not report.success:
        data_docs = keep_failed(checked, validation_record(report), config, folders.state)
        summary = summarise(built.discovery, report, False, stats, tables, data_docs, changes=changes)
        return Outcome(summary, tables, report, None)
    # A difference the diff found means a new snapshot; only without one are whole tables compared.
    if current is not None and changes.empty and is_unchanged(checked, current):
        discard_checked(checked)
        docs, page = current.folder / DATA_DOCS_DIR / DATA_DOCS_INDEX, current.folder / REPORT_FILE
        summary = summarise(built.discovery, report, True, stats, tables, docs if docs.is_file() else None,
                            snapshot=current.version, changed=False, changes=changes,
                            page=page if page.is_file() else None)
        return Outcome(summary, tables, report, current.version)
    with stats.timed("publish"):
        page = folders.clean / SNAPSHOTS / f"v{checked.staged.version}" / REPORT_FILE
        summary = summarise(built.discovery, report, True, stats, tables, published_data_docs(checked),
                            snapshot=checked.staged.version, changes=changes, page=page)
        manifest = manifest_for(summary, report, config)
    version = _step(runner, stats, "publish", commit_tables, checked, manifest, config, built.workspace, changes)
    return Outcome(summary, tables, report, version)


def run_pipeline(raw_dir: str | Path, clean_dir: str | Path, config: Config, full: bool = False,
                 wait_seconds: float = 0.0, progress: Progress | None = None,
                 state_dir: str | Path | None = None) -> RunSummary:
    """One whole run in this process, without Prefect, under the run locks: what the flow runs.
    The state folder is clean/.state unless `state_dir` names another."""
    folders = Folders.of(clean_dir, state_dir)
    check_folders(raw_dir, folders)
    with folders_locked(folders, wait_seconds), validation_worker() as worker, collector_paused():
        return run_stages(raw_dir, folders, config, full, LocalRunner(progress), worker).summary


