"""The per-file stages on a Dask cluster, through prefect-dask's DaskTaskRunner (the `dask` extra):
a cluster at a scheduler's address, or a LocalCluster sized to this machine."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from flows._env import variable_set

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner

LOCAL = "local"  # --dask local: a distributed.LocalCluster on this machine


class DaskMissing(RuntimeError):
    """--dask was asked for, but prefect-dask and distributed are not installed."""


class DaskCluster:
    """The cluster a run sends its batches of new files to, started (or connected to) when the
    first batch is sent, and closed with the run: a run with nothing new never starts workers."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._stack = ExitStack()
        self._runner: DaskTaskRunner | None = None

    def runner(self, api_url: str | None) -> DaskTaskRunner:
        """The started task runner. `api_url` is the Prefect API the workers report task runs to:
        without it each worker would start a temporary API of its own."""
        if self._runner is None:
            try:
                from distributed import LocalCluster
                from prefect_dask import DaskTaskRunner
            except ImportError as missing:
                raise DaskMissing(f"--dask needs the dask extra ({missing.name} is missing): "
                                  "pip install -e '.[dask]'") from None
            # The scheduler and nannies of a LocalCluster live in this process: their info lines
            # (a dozen per worker) would bury the run's own.
            logging.getLogger("distributed").setLevel(logging.WARNING)
            if self.address == LOCAL:
                # The workers' processes start with this environment: this run's API, and quiet.
                with variable_set("PREFECT_API_URL", api_url), variable_set("DASK_LOGGING__DISTRIBUTED", "warning"), \
                        _interrupts_left_to_the_run():
                    cluster = self._stack.enter_context(LocalCluster(
                        n_workers=os.cpu_count() or 1, threads_per_worker=1, dashboard_address=":0"))
                runner = DaskTaskRunner(cluster=cluster)
            else:
                runner = DaskTaskRunner(address=self.address)
            self._runner = self._stack.enter_context(runner)
        return self._runner

    def workers(self) -> int:
        """Threads the cluster has to work with (those of the workers connected now)."""
        if self._runner is None:
            return 1
        return max(1, sum(self._runner.client.nthreads().values()))

    def close(self) -> None:
        self._stack.close()
        self._runner = None


@contextmanager
def dask_cluster(address: str | None) -> Iterator[DaskCluster | None]:
    """A DaskCluster for the length of a run, or None when the run does not use Dask."""
    if not address:
        yield None
        return
    cluster = DaskCluster(address)
    try:
        yield cluster
    finally:
        cluster.close()


def settings_for_workers(api_url: str | None) -> Any:  # noqa: ANN401 - Prefect's settings context manager
    """The settings a task carries to a Dask worker (prefect-dask sends the submitting thread's
    settings with each task), with this run's API address in them."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    return temporary_settings({PREFECT_API_URL: api_url}) if api_url else nullcontext()


@contextmanager
def _interrupts_left_to_the_run() -> Iterator[None]:
    """Processes started in the block ignore SIGINT (an ignored signal stays ignored across exec, and
    Python and asyncio then install no handler of their own): Ctrl-C reaches the terminal's whole
    group, and stopping the cluster is the run's to do as it ends (each of its processes printed
    a traceback). A Ctrl-C in the block's seconds is not seen."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
