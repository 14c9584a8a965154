"""How far a run has got: a live display on a terminal, one log line per step for logs, nothing
for a library call."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO


class Progress:
    """What a run reports as it goes. This one reports nothing (a library call, a pipe)."""

    def started(self, step: str, total: int | None = None, unit: str = "") -> None:
        """A step begins; `total` units of work when known in advance."""

    def advanced(self, step: str, done: int) -> None:
        """`done` more units of the step are finished."""

    def finished(self, step: str, seconds: float, count: int | None = None, unit: str = "") -> None:
        """The step is done: how long it took and how much it handled."""


def describe(step: str, seconds: float, count: int | None, unit: str) -> str:
    """"deduplicate: 7,329 documents in 4.2 s (1,745/s)"."""
    if count is None:
        return f"{step}: {seconds:.1f} s"
    rate = f", {count / seconds:,.0f} {unit}/s" if seconds >= 0.05 and count else ""
    return f"{step}: {count:,} {unit} in {seconds:.1f} s{rate}"


class LoggedProgress(Progress):
    """One line per finished step, for a log (a Prefect task's, a scheduled run's)."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log

    def finished(self, step: str, seconds: float, count: int | None = None, unit: str = "") -> None:
        self._log(describe(step, seconds, count, unit))


class TerminalProgress(Progress):
    """A live display (rich): a line per step, with a bar and a rate for the steps that know
    how much work they have; each line says what the step did once it is done."""

    def __init__(self, stream: IO[str], force_terminal: bool | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(file=stream, force_terminal=force_terminal)
        self._display = Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                                 redirect_stdout=False, redirect_stderr=False)
        self._tasks: dict[str, int] = {}
        self._started: dict[str, float] = {}

    def __enter__(self) -> TerminalProgress:
        self._display.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._display.stop()

    def started(self, step: str, total: int | None = None, unit: str = "") -> None:
        self._started[step] = time.perf_counter()
        self._tasks[step] = self._display.add_task(step, total=total)

    def advanced(self, step: str, done: int) -> None:
        task = self._tasks[step]
        self._display.advance(task, done)
        elapsed = time.perf_counter() - self._started[step]
        completed = self._display.tasks[task].completed
        if elapsed > 0.5:
            self._display.update(task, description=f"{step} ({completed / elapsed:,.0f}/s)")

    def finished(self, step: str, seconds: float, count: int | None = None, unit: str = "") -> None:
        task = self._tasks.get(step)
        if task is None:
            task = self._tasks[step] = self._display.add_task(step)
        done = count if count is not None else 1
        self._display.update(task, description=describe(step, seconds, count, unit), total=done, completed=done)


class Together(Progress):
    """Reports to several at once: a terminal and a log."""

    def __init__(self, *parts: Progress) -> None:
        self._parts = parts

    def started(self, step: str, total: int | None = None, unit: str = "") -> None:
        for part in self._parts:
            part.started(step, total, unit)

    def advanced(self, step: str, done: int) -> None:
        for part in self._parts:
            part.advanced(step, done)

    def finished(self, step: str, seconds: float, count: int | None = None, unit: str = "") -> None:
        for part in self._parts:
            part.finished(step, seconds, count, unit)


@contextmanager
def on_terminal(stream: IO[str], log: Callable[[str], None] | None = None) -> Iterator[Progress]:
    """A live display if `stream` is a terminal (nothing otherwise), and a log line per step if
    `log` is given."""
    logged = [LoggedProgress(log)] if log is not None else []
    if not stream.isatty():
        yield Together(*logged)
        return
    with TerminalProgress(stream) as terminal:
        yield Together(terminal, *logged)
