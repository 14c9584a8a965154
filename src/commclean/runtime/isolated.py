"""Readers of hostile formats (PDFium for PDFs and lxml for web pages and Word documents, both
written in C; striprtf's regular expressions for RTF) run in a helper process: a file that
crashes one or keeps it busy is quarantined with that reason and the run goes on, where it would
otherwise end the run, and every later run that meets the same file."""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from commclean.runtime.watchdog import end_with_parent

T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """Why the call gave no result: the helper crashed, or took longer than the time allowed."""

    reason: str


class _Helper:
    """One spawned process serving calls in turn over a pipe, started again after a failure."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        # Daemonic: a worker process that started it ends it as it exits (multiprocessing joins
        # a process's other children at its exit, and this one would wait for work for ever).
        self.process: BaseProcess = context.Process(target=_serve, args=(child,), name="commclean-reader",
                                                    daemon=True)
        self.process.start()
        child.close()
        # A helper that cannot start (its spawn fails to import what the caller runs) would make
        # every file look like one that crashed it: it must say it is ready first.
        try:
            ready = self.connection.poll(_START_SECONDS) and self.connection.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise _Unavailable

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
        self.connection.send((function, args))
        if not self.connection.poll(seconds):
            raise TimeoutError
        ok, value = self.connection.recv()  # EOFError when the helper died on the way
        if not ok:
            raise RuntimeError(value)
        return value

    def stop(self) -> None:
        self.connection.close()
        self.process.kill()
        self.process.join()


def _serve(connection: Connection) -> None:
    end_with_parent()
    connection.send(_READY)
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            connection.send((True, function(*args)))
        except Exception as error:  # noqa: BLE001 - the caller's file gets the reason, the helper serves on
            connection.send((False, f"{type(error).__name__}"))


class _Unavailable(Exception):
    """No helper process can be started here."""


_READY = "ready"
_START_SECONDS = 60.0
_lock = threading.Lock()
_helper: _Helper | None = None
_in_place = False  # set once a helper could not be started: calls then run here, unprotected


def call_isolated(function: Callable[..., T], *args: Any, seconds: float, what: str) -> T | Failed:
    """function(*args) in the helper process (started on first use, one a process); a crash or a
    call longer than `seconds` gives Failed and a fresh helper for the next call. Where no helper
    can be started (a daemonic Dask worker), calls run here, unprotected."""
    global _helper, _in_place
    with _lock:
        try:
            if _helper is None and not _in_place:
                _helper = _Helper()
        except (AssertionError, OSError, _Unavailable):  # a daemonic Dask worker may have no children
            _in_place = True
        if _helper is None:
            return function(*args)
        try:
            return _helper.call(function, args, seconds)
        except TimeoutError:
            failed = Failed(f"{what} took over {seconds:g} s")
        except (EOFError, OSError):  # a pipe broken by the helper's death is an OSError too
            failed = Failed(f"{what} crashed on it")
        except RuntimeError as error:
            return Failed(f"{what} failed on it ({error})")
        _helper.stop()
        _helper = None
        return failed


@atexit.register
def _stop_helper() -> None:
    if _helper is not None:
        _helper.stop()
