"""Runs a stage over batches in several processes (the standard library's pool), or in this one
when starting processes would cost more than they save."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Protocol, TypeVar

from commclean.config import Config
from commclean.runtime.watchdog import SUPPORTED, end_with_parent

In = TypeVar("In")
Out = TypeVar("Out")
Result = TypeVar("Result", covariant=True)
# Batches sent ahead per worker: enough that none waits for the next, few enough that results
# done but not yet taken (a batch's texts, tens of MB) never pile up while the run stores others.
AHEAD_PER_WORKER = 2
# Seconds a pool has to close once its last result is taken (it takes well under one) before its
# workers still alive are killed; see closing_within.
POOL_CLOSE_SECONDS = 30.0


class Pending(Protocol[Result]):
    def result(self) -> Result: ...


# Batches per worker at the least, when files are few enough to come in fewer: a worker left
# with the last batch alone works on while the others wait (at 10,000 files in batches of 2,000,
# one worker ran alone for 6 of processing's 18 s).
BATCHES_PER_WORKER = 4


def _wanted(config: Config) -> int:
    """Config.workers, or one per core; at least one (a setting of 0 means no worker processes)."""
    return max(1, config.workers if config.workers is not None else os.cpu_count() or 1)


def worker_count(config: Config, files: int, batches: int) -> int:
    """How many processes a stage over `files` new files in `batches` batches is worth."""
    if files < config.min_files_for_workers:
        return 1
    return max(1, min(_wanted(config), batches))


def batch_size_for(config: Config, files: int) -> int:
    """config.batch_size, or smaller, so that `files` new files for worker processes come in at
    least BATCHES_PER_WORKER batches a worker and every worker stays busy to the end."""
    if files < config.min_files_for_workers:
        return config.batch_size
    return max(1, min(config.batch_size, -(-files // (_wanted(config) * BATCHES_PER_WORKER))))


def map_in_processes(function: Callable[[In], Out], batches: Iterable[In], workers: int) -> Iterator[Out]:
    """function over the batches, results in the batches' order, as each becomes ready.

    Processes are spawned, not forked: a fork would inherit this process's open pipes (the
    validation helper's among them) and any lock a thread held at that instant."""
    if workers <= 1:
        yield from map(function, batches)
        return
    with closing_within(POOL_CLOSE_SECONDS) as closing, \
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                initializer=end_with_parent) as pool:
        yield from taken_then_closed(in_order(lambda batch: pool.submit(function, batch), batches, workers), closing)


def taken_then_closed(results: Iterator[Out], closing: Callable[..., None]) -> Iterator[Out]:
    """A pool's results, then `closing` (closing_within's): once all are taken, or at once when
    they are given up on (an interrupt, a failure), the batches queued for the pool not wanted."""
    try:
        yield from results
    except BaseException:
        closing(at_once=True)
        raise
    closing()


@contextmanager
def closing_within(seconds: float) -> Iterator[Callable[..., None]]:
    """For a process pool made inside it: call what it yields once the pool's work is done (its
    results taken, or given up on), and the worker processes the pool started (this process's
    multiprocessing children begun since it was entered) that are still alive `seconds` later,
    while the pool is still closing, are killed. On CPython 3.11 a pool
    that sees a worker end while it shuts down can wait for ever on another one idling for work
    (seen once, in CI: the executor's manager thread in terminate_broken, joining a worker still
    waiting on its call queue; the run hung). With its results taken, killing it loses nothing.
    Called `at_once`, when the pool's results are given up on, the workers are killed now: the
    pool would otherwise run the batches queued for it before closing (11 s after a Ctrl-C)."""
    before = set(multiprocessing.active_children())
    closed = threading.Event()

    def pool_done(at_once: bool = False) -> None:
        workers = [p for p in multiprocessing.active_children() if p not in before]
        if at_once:
            _kill_unless_closed(_handles(workers), closed, 0.0)
            return
        threading.Thread(target=_kill_unless_closed, args=(_handles(workers), closed, seconds), name="pool-closing",
                         daemon=True).start()

    try:
        yield pool_done
    finally:
        closed.set()


def _handles(workers: list[multiprocessing.Process]) -> list[tuple[multiprocessing.Process, int | None]]:
    """Each live worker with a pidfd of it (where Linux gives them)."""
    handles: list[tuple[multiprocessing.Process, int | None]] = []
    for worker in workers:
        try:
            handles.append((worker, os.pidfd_open(worker.pid) if SUPPORTED and worker.pid else None))
        except ProcessLookupError:
            pass  # ended already
    return handles


def _kill_unless_closed(handles: list[tuple[multiprocessing.Process, int | None]], closed: threading.Event,
                        seconds: float) -> None:
    """A pidfd names one process, never a later one given the same number: only the workers are
    ever killed, however long after they were listed."""
    try:
        if closed.wait(seconds):
            return
        for process, handle in handles:
            try:
                if handle is None:
                    process.kill()
                else:
                    signal.pidfd_send_signal(handle, signal.SIGKILL)
            except ProcessLookupError:
                pass
    finally:
        for _, handle in handles:
            if handle is not None:
                os.close(handle)


def in_order(submit: Callable[[In], Pending[Out]], items: Iterable[In], workers: int) -> Iterator[Out]:
    """Each item submitted and its result given back in the items' order, with at most
    AHEAD_PER_WORKER items per worker submitted and not yet taken: memory follows the work in
    flight, not the number of batches. Each result is let go of once taken."""
    remaining = iter(items)
    pending = deque(submit(item) for _, item in zip(range(AHEAD_PER_WORKER * max(workers, 1)), remaining))
    while pending:
        result = pending.popleft().result()
        for item in remaining:  # one taken, one more sent
            pending.append(submit(item))
            break
        yield result
