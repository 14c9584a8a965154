"""The corpus build as a Prefect flow: the library's sequence of stages (commclean.pipeline), each
step a Prefect task, the new files' batches submitted to the task runner."""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.logging.handlers import PrefectConsoleHandler
from prefect.task_runners import ProcessPoolTaskRunner
from prefect.utilities.annotations import quote
from pydantic import Field

from commclean.config import Config
from commclean.ingest.discover import check_folders
from commclean.pipeline import run_stages
from commclean.report import RunSummary, run_report_markdown
from commclean.runtime.collector import collector_paused
from commclean.runtime.progress import Progress, on_terminal
from commclean.runtime.watchdog import end_with_parent
from commclean.runtime.workers import POOL_CLOSE_SECONDS, closing_within, in_order, taken_then_closed
from commclean.store import Folders, scratch_dir
from commclean.store.lock import folders_locked
from commclean.store.publish import published_doc_ids
from commclean.validate.suites import start_helper_if_updating, validation_worker
from flows._env import variable_set
from flows.cluster import DaskCluster, dask_cluster, settings_for_workers

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")

# Inputs are large lists of texts: hashing them for Prefect's cache would cost more than the work.
_TASK = {"cache_policy": NO_CACHE, "persist_result": False}


class ValidationFailed(RuntimeError):
    """The candidate failed a blocking expectation; nothing was published."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__(f"validation {summary.validation}")
        self.summary = summary


class PrefectRunner:
    """Each step of the sequence as a Prefect task run in the flow's thread; the batches of new
    files submitted to a process pool when there are enough to repay starting workers, or to a
    Dask cluster through prefect-dask's DaskTaskRunner whenever one is given."""

    def __init__(self, progress: Progress | None = None, dask: DaskCluster | None = None,
                 spill_dir: Path | None = None) -> None:
        self.progress = progress or Progress()
        self.dask = dask
        self.remote = dask is not None
        self.spill_dir = spill_dir  # where batch results wait for the flow (a temporary folder if None)

    def step(self, name: str, function: Callable[..., T], *args: Any) -> T:
        # quote(): big values pass to tasks as they are; Prefect would otherwise walk every
        # nested record of them looking for futures (tens of seconds at 10k files).
        return task(name=name, **_TASK)(_collector_paused(function))(*(quote(arg) for arg in args))

    def map(self, name: str, function: Callable[[In, Config], Out], items: Sequence[In], config: Config,
            workers: int) -> Iterator[Out]:
        if self.dask is None and workers <= 1:
            return (self.step(name, function, item, config) for item in items)
        if self.dask is None:
            return _in_processes(name, function, items, config, workers, contextvars.copy_context(), self.spill_dir)
        runnable = task(name=name, **_TASK)(_Unparcelled(function))
        # Batches are sent as results are taken, from inside the step that takes them: each is
        # sent in the flow's context as it is now, or it would go as a child of that step, with
        # the step's own inputs (a generator) to pickle.
        flow_context = contextvars.copy_context()
        api = _this_api()
        dask = self.dask.runner(api)

        def submit(item: In) -> Any:  # noqa: ANN401 - a PrefectDaskFuture
            with settings_for_workers(api):
                return dask.submit(runnable, {"item": Parcel(item), "config": config})

        return in_order(functools.partial(flow_context.run, submit), items, self.dask.workers())


def _in_processes(name: str, function: Callable[[In, Config], Out], items: Sequence[In], config: Config,
                  workers: int, flow_context: contextvars.Context, spill_dir: Path | None) -> Iterator[Out]:
    """The batches in a process pool of their own, closed as soon as the last result is taken:
    the flow's runner would keep its idle workers, hundreds of MB each, through validation.

    Each result comes back through a file in `spill_dir` (the run's scratch folder), the task
    itself returning only the file's name. Through Prefect's process pool a result is pickled
    bytes that its futures keep in a reference cycle (which the paused collector leaves alone:
    1.1 GB at 100k files) and unpickle twice (once only to look for an error)."""
    runnable = task(name=name, **_TASK)(_Spilling(function))
    if spill_dir is not None:
        spill_dir.mkdir(parents=True, exist_ok=True)
    with closing_within(POOL_CLOSE_SECONDS) as closing, ProcessPoolTaskRunner(initializer=end_with_parent) as pool, \
            tempfile.TemporaryDirectory(prefix="batches-", dir=spill_dir) as folder:

        def submit(item: In) -> _Unspilled[Out]:
            with _workers_use_this_api():
                return _Unspilled(pool.submit(runnable, {"item": Parcel(item), "config": config, "folder": folder}))

        yield from taken_then_closed(in_order(functools.partial(flow_context.run, submit), items, workers), closing)


class _Unspilled(Generic[Out]):
    """The result a _Spilling task left in its file, read once and the file removed."""

    def __init__(self, future: PrefectFuture[str]) -> None:
        self._future = future

    def result(self) -> Out:
        path = Path(self._future.result())
        try:
            with path.open("rb") as spilled:
                return pickle.load(spilled)  # noqa: S301 - a file this run's own worker just wrote
        finally:
            path.unlink()


class Parcel:
    """A task input Prefect passes on untouched: it does not look inside (it would walk every
    record of a batch looking for futures), and unlike quote() every task runner delivers it
    whole (prefect-dask 0.3.7 hands a quote() over as a plain tuple)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _Unparcelled:
    """function(item, config) as a task body that takes the item in a Parcel."""

    def __init__(self, function: Callable[[In, Config], Out]) -> None:
        self.function = function
        self.__name__ = self.__qualname__ = function.__name__
        self.__module__ = function.__module__
        self.__doc__ = function.__doc__

    def __call__(self, item: Parcel, config: Config) -> Any:  # noqa: ANN401 - the wrapped function's result
        with collector_paused():
            return self.function(item.value, config)


class _Spilling(_Unparcelled):
    """An _Unparcelled task body that leaves its result in a file in `folder` and returns the
    file's path."""

    def __call__(self, item: Parcel, config: Config, folder: str) -> str:  # type: ignore[override]
        result = super().__call__(item, config)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".pickle", delete=False) as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        return out.name


def _collector_paused(function: Callable[..., T]) -> Callable[..., T]:
    """Task bodies pause the cyclic collector (see collector.py); the flow as a whole does not:
    Prefect's own records make cycles, which piled up to a gigabyte at 100k files."""

    @functools.wraps(function)
    def paused(*args: Any) -> T:
        with collector_paused():
            return function(*args)

    return paused


@flow(name="build-corpus", log_prints=True)
def build_corpus(
    raw_dir: str = "raw",
    clean_dir: str = "clean",
    batch_size: Annotated[int, Field(gt=0)] | None = None,
    wait_seconds: float = 0.0,
    full: bool = False,
    state_dir: str | None = None,
    dask: str | None = None,
) -> RunSummary:
    """Build clean/corpus.parquet and clean/sources.parquet from every file under raw/.

    Files seen before (same bytes, same code and settings) are taken from the cache in the state
    folder (clean/.state unless `state_dir` names another) unless `full` is set; the result is
    the same either way. One run at a time per clean folder and per state folder (a second one
    waits up to wait_seconds, then fails saying so). A failing expectation publishes nothing:
    the flow run fails and names it, and the previous corpus stays in place. With `dask` (a
    scheduler's address, or "local" for a LocalCluster sized to this machine) the new files are
    decoded, repaired and analysed on Dask workers, which read them by path."""
    config = Config() if batch_size is None else Config(batch_size=batch_size)
    folders = Folders.of(clean_dir, state_dir)
    check_folders(raw_dir, folders)
    raw, folders = str(Path(raw_dir).resolve()), Folders(folders.clean.resolve(), folders.state.resolve())
    start_helper_if_updating(folders.clean)  # a deployment's run: its import overlaps discovery
    logger = get_run_logger()
    with _progress(logger) as progress:
        with folders_locked(folders, wait_seconds), validation_worker() as worker, dask_cluster(dask) as cluster:
            before = published_doc_ids(folders.clean)  # what readers saw: the report lists what is new to them
            runner = PrefectRunner(progress, cluster, scratch_dir(folders.state))
            outcome = run_stages(raw, folders, config, full, runner, worker)
        summary = outcome.summary
        create_markdown_artifact(
            markdown=run_report_markdown(summary, outcome.tables, before),
            key="commclean-run",
            description="What this run read, found, quarantined and published",
        )
        if outcome.version is None:
            for failure in outcome.report.blocking:
                logger.error("expectation failed: %s", failure.describe())
            raise ValidationFailed(summary)
        if summary.changed:
            logger.info("published snapshot v%s", outcome.version)
        else:
            logger.info("no change: v%s stays current (a run that changes nothing publishes nothing)",
                        outcome.version)
        for line in summary.lines():
            logger.info(line)
    return summary


@contextmanager
def _progress(logger: Any) -> Iterator[Progress]:  # noqa: ANN401 - Prefect's run logger adapter
    """A line per step in the run's log (Prefect's UI shows it), and on a terminal a live display,
    meanwhile keeping Prefect's own info lines off that terminal (they still reach the API)."""
    with on_terminal(sys.stderr, log=logger.info) as progress:
        if not sys.stderr.isatty():
            yield progress
            return
        loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values()
                                          if isinstance(v, logging.Logger))]
        consoles = {h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)}
        levels = [h.level for h in consoles]
        for handler in consoles:
            handler.setLevel(logging.WARNING)
        try:
            yield progress
        finally:
            for handler, level in zip(consoles, levels):
                handler.setLevel(level)


def _this_api() -> str | None:
    """The API this flow run reports to (a temporary one when no server is configured)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    context = FlowRunContext.get()
    return str(context.client.api_url) if context is not None and context.client is not None else None


@contextmanager
def _workers_use_this_api() -> Iterator[None]:
    """Prefect's process pool gives its workers this process's settings and environment, but not
    the address of the temporary API a run without a server starts (Prefect 3.8): each worker
    would start one of its own, which costs seconds and a process, and records its task runs
    where nobody looks. The address is in the environment only while tasks are submitted."""
    with variable_set("PREFECT_API_URL", _this_api()):
        yield


if __name__ == "__main__":
    build_corpus()
