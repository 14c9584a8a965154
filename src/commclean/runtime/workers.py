"""Runs a stage over batches in several processes (the standard library's pool), or in this one
when starting processes would cost more than they save."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from commclean.config import Config
from commclean.runtime.watchdog import end_with_parent

In = TypeVar("In")
Out = TypeVar("Out")


def worker_count(config: Config, files: int, batches: int) -> int:
    """How many processes a stage over `files` new files in `batches` batches is worth."""
    wanted = config.workers if config.workers is not None else os.cpu_count() or 1
    if files < config.min_files_for_workers:
        return 1
    return max(1, min(wanted, batches))


def map_in_processes(function: Callable[[In], Out], batches: Sequence[In], workers: int) -> Iterator[Out]:
    """function over the batches, results in the batches' order, as each becomes ready.

    Processes are spawned, not forked: a fork would inherit this process's open pipes (the
    validation helper's among them) and any lock a thread held at that instant."""
    if workers <= 1:
        yield from map(function, batches)
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=end_with_parent) as pool:
        yield from pool.map(function, batches)
