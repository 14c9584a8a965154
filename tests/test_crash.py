"""A run killed with SIGKILL at any point leaves readers a complete version, and the next run
publishes the right corpus."""

from __future__ import annotations

import contextlib
import json
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

from conftest import GOLD, RAW_SEEDS, prefect_home_in

# Every point a run can die at: after each stage that writes under clean/, and inside publishing.
POINTS = ["processed", "deduplicated", "built", "validated", "snapshot-staged", "snapshot-written", "switched"]
# Killed at the first point, the run is `commclean run` as users start it, given no server: the
# processes it started must end with it, Prefect's temporary server (in use by then) and the
# validation helper (still importing). At the other points what is tested is the store, the same
# whoever runs it: those runs are the library's, forked from one process that imported it once
# (seconds each spared).
CLI_POINT = "processed"


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


def _killed_commclean_run(raw: Path, clean: Path, point: str, prefect_home: Path) -> subprocess.CompletedProcess:
    """`commclean run`, as users start it, killed with SIGKILL at `point`. Nothing it started may
    outlive it (Prefect's temporary server, the validation helper); whatever would is stopped
    with its process group afterwards, and the test fails."""
    command = [sys.executable, "-m", "commclean", "run", "--raw", str(raw), "--clean", str(clean)]
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update({CRASH_AT_ENV: point, "PREFECT_HOME": str(prefect_home)})
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


FORKED_RUNS = """
import json, os, sys
from pathlib import Path
import great_expectations  # loaded before the forks, as in a test process: they validate in place
from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.store.publish import CRASH_AT_ENV
children = {}
for point, raw, clean in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        try:
            os.environ[CRASH_AT_ENV] = point
            run_pipeline(Path(raw), Path(clean), Config())
        finally:
            os._exit(3)  # a run that was not killed: the test fails on the status
    children[pid] = point
print(json.dumps({children[pid]: os.waitstatus_to_exitcode(status) for pid, status in (os.wait() for _ in children)}))
"""


def _killed_library_runs(crashes: dict[str, _Crash]) -> dict[str, subprocess.CompletedProcess]:
    """`run_pipeline` killed with SIGKILL at each point, every run in a child forked from one
    process (single-threaded, so safe to fork): the exit status each run ended with."""
    runs = [(point, str(crash.raw), str(crash.clean)) for point, crash in crashes.items()]
    done = subprocess.run([sys.executable, "-c", FORKED_RUNS, json.dumps(runs)], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    statuses = json.loads(done.stdout)
    return {point: subprocess.CompletedProcess(done.args, statuses[point], done.stderr) for point in crashes}


@pytest.fixture(scope="module")
def published_seeds(tmp_path_factory: pytest.TempPathFactory) -> _Crash:
    """A published seed corpus, and a new file for the run that will be killed."""
    root = tmp_path_factory.mktemp("published")
    raw, clean = root / "raw", root / "clean"
    shutil.copytree(RAW_SEEDS, raw)
    run_pipeline(raw, clean, Config())
    shutil.copy(GOLD[0], raw / "new statement.txt")
    return _Crash(raw, clean, _tables(clean))


def _copy(crash: _Crash, root: Path) -> _Crash:
    """The same raw/ and clean/ elsewhere (clean/'s links are relative: the copy stands alone)."""
    raw, clean = root / "raw", root / "clean"
    shutil.copytree(crash.raw, raw, symlinks=True)
    shutil.copytree(crash.clean, clean, symlinks=True)
    return replace(crash, raw=raw, clean=clean)


@pytest.fixture(scope="module")
def killed_runs(published_seeds: _Crash, tmp_path_factory: pytest.TempPathFactory,
                migrated_prefect_database: Path) -> dict[str, _Crash]:
    """A run killed at each point, all started together: they are independent, and each spends
    much of its time waiting (on a server starting, on a process ending)."""
    prepared = {point: _copy(published_seeds, tmp_path_factory.mktemp(point)) for point in POINTS}
    with ThreadPoolExecutor(1) as pool:  # the library runs go on here meanwhile
        home = prefect_home_in(tmp_path_factory.mktemp("prefect"), migrated_prefect_database)
        cli = pool.submit(_killed_commclean_run, prepared[CLI_POINT].raw, prepared[CLI_POINT].clean, CLI_POINT, home)
        killed = _killed_library_runs({p: crash for p, crash in prepared.items() if p != CLI_POINT})
        killed[CLI_POINT] = cli.result()
    return {point: replace(crash, killed=killed[point]) for point, crash in prepared.items()}


@pytest.fixture(scope="module")
def rebuilt(published_seeds: _Crash, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], list[dict]]:
    """What every recovered run must publish: the same raw/ as each crash's, built from scratch once."""
    raw = _copy(published_seeds, tmp_path_factory.mktemp("rebuilt")).raw
    assert run_pipeline(raw, raw.parent / "from scratch", Config()).published
    return _tables(raw.parent / "from scratch")


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
