"""The helper process that reads PDFs and web pages: a file that crashes it or keeps it busy is
quarantined with that reason, and the next file is read by a fresh helper."""

from __future__ import annotations

import os
import signal
import time

from commclean.runtime.isolated import Failed, call_isolated


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)  # what a reader's C library does on a file it cannot take


def _hang() -> None:
    time.sleep(60)


def _fail() -> None:
    raise ValueError("no such page")


def _pid() -> int:
    return os.getpid()


def test_a_crash_gives_its_reason_and_the_next_call_a_fresh_helper() -> None:
    first = call_isolated(_pid, seconds=30, what="reader")
    assert isinstance(first, int) and first != os.getpid()
    assert call_isolated(_crash, seconds=30, what="reader") == Failed("reader crashed on it")
    second = call_isolated(_pid, seconds=30, what="reader")
    assert isinstance(second, int) and second not in (first, os.getpid())


def test_a_call_past_its_time_is_stopped_with_that_reason() -> None:
    started = time.monotonic()
    assert call_isolated(_hang, seconds=1, what="reader") == Failed("reader took over 1 s")
    assert time.monotonic() - started < 30  # it did not wait for the minute
    assert isinstance(call_isolated(_pid, seconds=30, what="reader"), int)


def test_an_exception_in_the_reader_is_named_and_the_helper_serves_on() -> None:
    before = call_isolated(_pid, seconds=30, what="reader")
    assert call_isolated(_fail, seconds=30, what="reader") == Failed("reader failed on it (ValueError)")
    assert call_isolated(_pid, seconds=30, what="reader") == before
