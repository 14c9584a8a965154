"""A run given no Prefect server starts the temporary one as the command starts (flows/server.py),
uses it, and leaves nothing behind; a run given a server starts none."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from commclean.config import Config
from conftest import prefect_home_in
from flows.server import EarlyServer, start_early_server


@pytest.mark.parametrize(("name", "value"), [("PREFECT_API_URL", "http://127.0.0.1:4200/api"),
                                             ("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")])
def test_a_run_given_a_server_or_told_to_use_none_starts_no_server(monkeypatch: pytest.MonkeyPatch, name: str,
                                                                   value: str) -> None:
    monkeypatch.setenv(name, value)
    assert start_early_server() is None


def test_a_server_that_ends_before_answering_is_not_waited_for() -> None:
    ended = EarlyServer(subprocess.Popen([sys.executable, "-c", "pass"]), port=9)
    started = time.monotonic()
    assert not ended.healthy_within(60)
    assert time.monotonic() - started < 10


def test_a_server_that_ends_during_the_run_is_started_again_once_and_the_run_told_and_a_stopped_one_never() -> None:
    ends = [sys.executable, "-c", "import sys; sys.exit(3)"]
    told: list[int] = []
    server = EarlyServer(subprocess.Popen(ends), port=9, command=ends, env=dict(os.environ))
    server.keep_running(told.append)
    deadline = time.monotonic() + 30
    while not told and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert told == [3]  # once: the run stops, and a server is there again for it to say why
    server.process.wait()

    lives = [sys.executable, "-c", "import time; time.sleep(60)"]
    stopped = EarlyServer(subprocess.Popen(lives), port=9, command=lives, env=dict(os.environ))
    stopped.keep_running(told.append)
    stopped.stop()
    time.sleep(0.5)
    assert told == [3] and stopped.process.poll() is not None


def _live_processes() -> Iterator[tuple[int, int, int, str]]:
    """(pid, parent's pid, process group, command line) of each process not yet reaped."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if fields[0] != "Z":
            yield int(stat.parent.name), int(fields[1]), int(fields[2]), command


def _in_group(group: int) -> list[str]:
    return [command for _, _, pgrp, command in _live_processes() if pgrp == group]


def _of_home(home: Path) -> list[str]:
    """Every live process of a run given this Prefect home: the run, its workers and helpers, and
    the server it started in a process group of its own (they all inherit the environment)."""
    marker = f"PREFECT_HOME={home}".encode()
    found = []
    for pid, _, _, command in _live_processes():
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(command)
        except OSError:
            continue
    return found


def _cli_run(raw: Path, clean: Path, home: Path, stderr: int | IO[bytes] = subprocess.STDOUT) -> subprocess.Popen[bytes]:
    """`commclean run` as a terminal starts it: a process group of its own, Ctrl-C not ignored
    (a test runner's children may inherit it ignored), no server named; stderr with stdout."""
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    command = [sys.executable, "-c", "import signal, sys; from commclean.cli import app; "
               "signal.signal(signal.SIGINT, signal.default_int_handler); sys.argv[0] = 'commclean'; app()",
               "run", "--raw", str(raw), "--clean", str(clean)]
    process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=stderr)
    _STARTED.append(process)
    return process


_STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test() -> Iterator[None]:
    """A run a failing test left (one that hangs, say) is killed with its group: its watchdogs
    stop the server it started."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.slow
def test_a_cli_run_without_a_server_uses_the_one_it_started_and_leaves_nothing_behind(
        seed_raw: Path, tmp_path: Path, migrated_prefect_database: Path) -> None:
    # Enough files for worker processes, whose results are read in threads of the run's own: none
    # of them may start a server of its own (a thread sees the settings Prefect was imported with).
    for copy in range(1, 220):
        shutil.copytree(seed_raw, seed_raw / f"copies-{copy}", ignore=shutil.ignore_patterns("copies-*"))
    assert sum(1 for f in seed_raw.rglob("*") if f.is_file()) >= Config().min_files_for_workers
    home = prefect_home_in(tmp_path, migrated_prefect_database)
    process = _cli_run(seed_raw, tmp_path / "clean", home)
    output = process.communicate(timeout=300)[0].decode()
    assert process.returncode == 0, output
    assert "documents:    4" in output, output[-1500:]
    # Prefect's own temporary server was not started, and no link to a UI that ends with the run is given.
    assert "Starting temporary server" not in output and "View at" not in output
    _nothing_left(home)


def _nothing_left(home: Path) -> None:
    deadline = time.monotonic() + 15
    while (left := _of_home(home)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"outlived the run: {left}"


@dataclass
class _Processing:
    """A CLI run, on v1 and 1,095 new files (enough for worker processes), read up to the moment
    its new files are being processed."""

    process: subprocess.Popen[bytes]
    lines: list[str]
    clean: Path
    home: Path
    published: bytes  # v1's corpus.parquet

    def output(self, timeout: float) -> str:
        return "".join(self.lines) + self.process.communicate(timeout=timeout)[0].decode(errors="replace")


def _processing_new_files(seed_raw: Path, tmp_path: Path, migrated: Path) -> _Processing:
    from commclean.pipeline import run_pipeline
    from commclean.read import current_snapshot

    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published  # v1, which readers see
    published = (current_snapshot(clean) / "corpus.parquet").read_bytes()
    for copy in range(1, 220):
        shutil.copytree(seed_raw, seed_raw / f"copies-{copy}", ignore=shutil.ignore_patterns("copies-*"))
    home = prefect_home_in(tmp_path, migrated)
    process = _cli_run(seed_raw, clean, home)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.decode(errors="replace"))
        if "identify files (read only what changed):" in lines[-1]:
            break
    assert process.poll() is None, "".join(lines)
    return _Processing(process, lines, clean, home, published)


@pytest.mark.slow
def test_ctrl_c_stops_a_run_at_once_and_leaves_the_last_version_and_nothing_running(
        seed_raw: Path, tmp_path: Path, migrated_prefect_database: Path) -> None:
    from commclean.pipeline import run_pipeline
    from commclean.read import current_snapshot

    run = _processing_new_files(seed_raw, tmp_path, migrated_prefect_database)
    os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends its foreground group
    interrupted = time.monotonic()
    output = run.output(timeout=120)
    stopped_after = time.monotonic() - interrupted
    assert run.process.returncode == 130, output[-3000:]
    assert stopped_after < 20, f"{stopped_after:.1f} s from Ctrl-C to the end of the run"
    assert "interrupted: the run stopped; readers see v1, whole" in output
    assert "Traceback" not in output, output[-3000:]  # no worker's or the server's own crash
    _nothing_left(run.home)
    assert current_snapshot(run.clean).name == "v1"
    assert (current_snapshot(run.clean) / "corpus.parquet").read_bytes() == run.published
    # The next run takes up where it stopped, and publishes.
    after = run_pipeline(seed_raw, run.clean, Config())
    assert after.published and after.documents == 4 and after.duplicates == 1 + 5 * 219


def _our_servers() -> list[int]:
    """Prefect API servers this process started that are still running."""
    return [pid for pid, parent, _, command in _live_processes()
            if parent == os.getpid() and "prefect.server.api.server" in command]


@pytest.mark.parametrize("refusal", ["clean folder inside raw", "clean folder is a file"])
def test_a_refused_run_leaves_no_server_behind(seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               refusal: str) -> None:
    from typer.testing import CliRunner

    from commclean.cli import app

    monkeypatch.delenv("PREFECT_API_URL", raising=False)  # a run that would start its own
    clean = seed_raw / "clean" if refusal == "clean folder inside raw" else tmp_path / "clean"
    if refusal == "clean folder is a file":
        clean.write_text("not a folder")
    before = set(_our_servers())
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code in (2, 4) and "error:" in result.output, result.output
    assert set(_our_servers()) <= before


@pytest.mark.slow
def test_a_run_whose_reader_stops_reading_keeps_its_exit_code(
        seed_raw: Path, tmp_path: Path, migrated_prefect_database: Path) -> None:
    # `commclean run | head -1`: the summary's reader is gone before it is written. The run
    # published, and says so by its exit code; 1 would tell a script that validation failed.
    with (tmp_path / "stderr.txt").open("wb") as log:
        process = _cli_run(seed_raw, tmp_path / "clean", prefect_home_in(tmp_path, migrated_prefect_database), log)
        assert process.stdout is not None
        process.stdout.close()
        process.wait(timeout=300)
    logged = (tmp_path / "stderr.txt").read_text(errors="replace")
    assert process.returncode == 0, logged[-3000:]
    assert "Traceback" not in logged and "BrokenPipe" not in logged
    assert (tmp_path / "clean" / "snapshots" / "v1" / "corpus.parquet").is_file()


@pytest.mark.parametrize("raised", ["the interrupt itself", "an error raised while stopping for it"])
def test_an_interrupted_run_says_so_and_exits_130_however_its_cleanup_ends(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: str) -> None:
    from typer.testing import CliRunner

    import flows.build_corpus
    from commclean.cli import app
    from commclean.pipeline import run_pipeline

    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published

    def interrupted(**_: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            if raised == "the interrupt itself":
                raise
            # e.g. a pool whose workers were stopped, shutting down
            raise RuntimeError("A process in the process pool was terminated abruptly") from None

    monkeypatch.setattr(flows.build_corpus, "build_corpus", interrupted)
    result = CliRunner().invoke(app, ["run", "--raw", str(seed_raw), "--clean", str(clean)])
    assert result.exit_code == 130, result.output
    assert "interrupted: the run stopped; readers see v1, whole" in result.output
    assert "could not complete" not in result.output


@pytest.mark.slow
def test_a_temporary_server_killed_during_the_run_stops_it_at_once_saying_why(
        seed_raw: Path, tmp_path: Path, migrated_prefect_database: Path) -> None:
    from commclean.pipeline import run_pipeline
    from commclean.read import current_snapshot

    run = _processing_new_files(seed_raw, tmp_path, migrated_prefect_database)
    (server,) = [pid for pid, parent, _, command in _live_processes()
                 if parent == run.process.pid and "prefect.server.api.server" in command]
    os.kill(server, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    killed = time.monotonic()
    # At the start code the run waited for ever on a batch whose task run was lost with the server.
    output = run.output(timeout=120)
    assert run.process.returncode == 4, output[-3000:]
    assert time.monotonic() - killed < 30
    assert ("error: Prefect's temporary server ended during the run (exit code -9): the run stopped; "
            "readers see v1, whole") in output
    assert "Traceback" not in output, output[-3000:]
    _nothing_left(run.home)
    assert (current_snapshot(run.clean) / "corpus.parquet").read_bytes() == run.published
    assert run_pipeline(seed_raw, run.clean, Config()).snapshot == 2
