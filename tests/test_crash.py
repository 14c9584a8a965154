"""A run killed with SIGKILL at any point leaves readers a complete version, and the next run
publishes the right corpus."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.store.publish import CRASH_AT_ENV, current_version

from conftest import GOLD, PROJECT

# Every point a run can die at: after each stage that writes under clean/, and inside publishing.
POINTS = ["processed", "deduplicated", "built", "validated", "snapshot-staged", "snapshot-written", "switched"]
# Killed there, the run has started Prefect's temporary server itself, which must not outlive it.
# At the other points it uses the test session's server, as a run given PREFECT_API_URL does:
# that spares each of them the temporary server's start (seconds), and kills it mid-flow just the same.
OWN_SERVER_POINTS = {"validated"}


def _tables(folder: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(folder / "corpus.parquet").to_pylist(), pq.read_table(folder / "sources.parquet").to_pylist()


def _left_behind(group: int, point: str) -> list[str]:
    """Processes still in the killed run's process group, or its watchdogs still waiting (in a
    session of their own, known by the environment they inherited from the run)."""
    left, ours = [], f"{CRASH_AT_ENV}={point}\0".encode()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields, command = stat.read_text().rsplit(")", 1)[1].split(), (stat.parent / "cmdline").read_bytes()
            watchdog = b"commclean.runtime.watchdog" in command and ours in (stat.parent / "environ").read_bytes()
        except OSError:
            continue
        if fields[0] != "Z" and (int(fields[2]) == group or watchdog):
            left.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return left


def _nothing_left_behind(group: int, point: str, seconds: float = 15.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := _left_behind(group, point)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _killed_commclean_run(raw: Path, clean: Path, point: str, api_url: str | None) -> subprocess.CompletedProcess:
    """`commclean run`, as users start it, killed with SIGKILL at `point`. Nothing it started may
    outlive it (Prefect's temporary server, the validation helper); whatever would is stopped
    with its process group afterwards, and the test fails."""
    command = [sys.executable, "-m", "commclean", "run", "--raw", str(raw), "--clean", str(clean)]
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update({CRASH_AT_ENV: point, **({"PREFECT_API_URL": api_url} if api_url else {})})
    # Output to a file: the server would hold a pipe open after the run died.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            process.wait(timeout=300)
            left = _nothing_left_behind(process.pid, point)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        assert not left, f"outlived the killed run: {left}"
        output.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, output.read())


@dataclass(frozen=True)
class _Crash:
    raw: Path
    clean: Path
    before: tuple[list[dict], list[dict]]  # the tables readers saw before the killed run
    killed: subprocess.CompletedProcess | None = None


def _prepared(root: Path) -> _Crash:
    """A published seed corpus, and a new file for the run that will be killed."""
    raw, clean = root / "raw", root / "clean"
    shutil.copytree(PROJECT / "raw", raw)
    run_pipeline(raw, clean, Config())
    shutil.copy(GOLD[0], raw / "new statement.txt")
    return _Crash(raw, clean, _tables(clean))


@pytest.fixture(scope="module")
def killed_runs(prefect_harness, tmp_path_factory: pytest.TempPathFactory) -> dict[str, _Crash]:  # noqa: ANN001
    """A run killed at each point, all started together: they are independent, and each spends
    much of its time waiting (on a server starting, on a process ending), so together they cost
    the time of two or three, not of seven."""
    from prefect.settings import PREFECT_API_URL

    prepared = {point: _prepared(tmp_path_factory.mktemp(point)) for point in POINTS}
    with ThreadPoolExecutor(len(prepared)) as pool:
        killed = {point: pool.submit(_killed_commclean_run, crash.raw, crash.clean, point,
                                     None if point in OWN_SERVER_POINTS else PREFECT_API_URL.value())
                  for point, crash in prepared.items()}
        return {point: replace(crash, killed=killed[point].result()) for point, crash in prepared.items()}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict]]:
    """What every recovered run must publish: the same raw/ as each crash's, built from scratch once."""
    crash = _prepared(tmp_path_factory.mktemp("rebuilt"))
    assert run_pipeline(crash.raw, crash.clean, Config()).published
    return _tables(crash.clean)


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_a_killed_commclean_run_leaves_a_complete_version_and_the_next_run_recovers(
        point: str, killed_runs: dict[str, _Crash], rebuilt: tuple[list[dict], list[dict]]) -> None:
    crash = killed_runs[point]
    clean, killed = crash.clean, crash.killed
    assert killed is not None and killed.returncode == -signal.SIGKILL, killed.stdout.decode()[-2000:]

    # Readers see one whole version: the previous one, or (killed after the switch) the new one.
    expected = 2 if point == "switched" else 1
    assert current_version(clean) == expected
    assert _tables(clean) == _tables(clean / "snapshots" / f"v{expected}")
    if point != "switched":
        assert _tables(clean) == crash.before

    summary = run_pipeline(crash.raw, clean, Config())
    assert summary.published
    assert _tables(clean) == rebuilt
    assert len(_tables(clean)[0]) == 5
    assert not list(clean.glob(".staging-*"))


POOL = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from commclean.runtime.watchdog import end_with_parent
if __name__ == "__main__":
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=end_with_parent)
    pool.submit(time.sleep, 600)
    pool.submit(time.sleep, 600)
    time.sleep(3)
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(600)
"""


def test_worker_processes_end_with_the_run_that_started_them_even_when_it_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", POOL], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(Path(f"/proc/{pid}").exists() for pid in workers)
    parent.kill()  # SIGKILL: no handler of the parent's runs
    parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


HELPER = """
import sys, time
from commclean.validate.suites import ValidationWorker
if __name__ == "__main__":
    worker = ValidationWorker()
    worker.start()
    print(worker._process.pid, flush=True)
    time.sleep(600)
"""


def test_the_validation_helper_ends_with_its_run_even_while_it_is_still_importing() -> None:
    parent = subprocess.Popen([sys.executable, "-c", HELPER], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    helper = int(parent.stdout.readline())
    parent.kill()  # at once: the helper has seconds of Great Expectations' import before it
    parent.wait()
    deadline = time.monotonic() + 2
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper)
