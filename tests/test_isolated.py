"""The helper process that reads PDFs and web pages: a file that crashes it or keeps it busy is
quarantined with that reason, and the next file is read by a fresh helper."""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from commclean.runtime.isolated import Failed, call_isolated

from conftest import GOLD


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


WORKERS_RUN = """
import sys
from pathlib import Path
from commclean.config import Config
from commclean.pipeline import build_candidate
raw = Path(sys.argv[1])
built = build_candidate(raw, Config(workers=2, min_files_for_workers=2, batch_size=3)).candidate
print(built.document_count)
"""


def test_worker_processes_that_read_pages_end_with_their_helpers(tmp_path: Path) -> None:
    # multiprocessing joins a worker's children as the worker exits: a helper that waited for
    # work for ever held every run of 1,000 new files or more that had a page or a PDF in it.
    raw = tmp_path / "raw"
    raw.mkdir()
    for n, path in enumerate(GOLD[:6]):
        title, *paragraphs = path.read_text(encoding="utf-8").strip().split("\n\n")
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        (raw / f"page{n}.html").write_text(f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
                                           f"<body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>",
                                           encoding="utf-8")
    ran = subprocess.run([sys.executable, "-c", WORKERS_RUN, str(raw)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip().splitlines()[-1] == "6"
