"""Shared fixtures: the bundled seeds, the shared dev material, and a Prefect test harness."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import flows  # noqa: F401 - applies the offline, quiet Prefect settings before Prefect is imported
from commclean.config import Config
from commclean.pipeline import build_candidate
from commclean.records import Candidate

PROJECT = Path(__file__).resolve().parents[1]
# The statements bundled in raw/ (../shared/seeds), copied aside: files a user adds to raw/ to try
# the tool leave the tests' inputs as they were.
BUNDLED_SEEDS = ("000_6c5b62fa821d58d1.txt", "001_7c02e8161f4096aa.txt", "002_29dbddc1b0e4f577.txt",
                 "003_d116377a37e340aa.txt", "004_180829e56ac5bc96.txt")


# Made by each pytest process (the controller and every xdist worker) as it starts, removed as it
# ends. A process a test spawns imports this module too (to unpickle a test's function) and may be
# killed: it names a folder of its own and makes none.
RAW_SEEDS = Path(tempfile.gettempdir()) / f"commclean-seeds-{os.getpid()}" / "raw"


def pytest_configure(config: pytest.Config) -> None:
    shutil.rmtree(RAW_SEEDS.parent, ignore_errors=True)  # left by a killed run whose pid this one reuses
    RAW_SEEDS.mkdir(parents=True)
    for name in BUNDLED_SEEDS:
        shutil.copy2(PROJECT / "raw" / name, RAW_SEEDS / name)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(RAW_SEEDS.parent, ignore_errors=True)


SHARED = PROJECT.parent / "shared"
GOLD = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))  # clean statements, one a file


# The files that take longest, longest first (each alone with `-n 0`: tens of seconds for those
# that start servers, clusters or killed runs, or make many runs). xdist hands out whole files in
# collection order (with its reordering by test count turned off in pyproject.toml), so collected
# first they start first; a long file started last leaves the other workers idle for its length.
# The first two need no Prefect server: the shared one starts meanwhile.
LONGEST_FILES = ("test_incremental.py", "test_candidates.py", "test_crash.py", "test_server.py", "test_flow.py",
                 "test_early_server.py", "test_publish.py", "test_dask.py", "test_validate.py", "test_faults.py",
                 "test_store.py", "test_ingest_end_to_end.py", "test_set_aside.py", "test_folders.py",
                 "test_assembly.py", "test_hostile.py", "test_workers.py", "test_packaging.py", "test_unchanged.py",
                 "test_isolated.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


def shared(*parts: str) -> Path:
    """A folder of ../shared, which every run of the tests needs: missing, the test fails saying so."""
    folder = SHARED.joinpath(*parts)
    assert folder.is_dir(), f"{folder} is missing: the tests need ../shared beside this checkout"
    return folder
# A statement dated before any the corpus can hold: no repair changes it, and the document check
# "date within a plausible range" fails on it.
MISDATED = ("Joint Statement on an Old Meeting\n\nWashington, January 5, 1901\n\n"
            + "The Ministers met in Washington today and agreed to meet again in Rome next year. " * 6)


def chromium(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess:
    """Debian's chromium, headless, on a local page, with nothing fetched in the background."""
    browser = shutil.which("chromium")
    assert browser, "Debian's chromium is needed for the browser checks (.ci/run installs it)"
    quiet = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000"]
    return subprocess.run([browser, *quiet, *flags, page.as_uri()], capture_output=True, text=True, timeout=120,
                          check=True)


def chromium_dom(page: Path, profile: Path) -> str:
    """The page's DOM once its scripts have run."""
    return chromium(page, profile, "--dump-dom").stdout


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))


@pytest.fixture(scope="session", autouse=True)
def great_expectations_loaded() -> None:
    """Runs in this process validate in place once GX is loaded (see validation_worker): the
    tests then pay its import once. The helper process is exercised where runs start fresh
    processes: the crash tests, the worker test and the real-server test."""
    import great_expectations  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def prefect_logging_set_up() -> None:
    """Prefect sets up its log handlers on first use, on whatever sys.stderr is then. Done inside
    a CliRunner invoke, that is the invoke's stream, closed once it returns: every later flow run
    in the session would fail writing its logs. Set up here, they write to the session's."""
    from prefect.logging.configuration import ensure_logging_setup

    ensure_logging_setup()


@pytest.fixture(scope="module", autouse=True)
def prefect_events_closed_after_each_module() -> Iterator[None]:
    """A module's flow runs leave Prefect's events client open, pinging its server from a thread
    of its own with the global `random`: Hypothesis, in a later module on the same worker, takes
    that for a strategy using `random` (a deprecation warning now, an error to come). Closed at
    each module's end; the next flow run opens it again."""
    yield
    if "prefect.events.worker" in sys.modules:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all()


@pytest.fixture(scope="session")
def seeds_candidate() -> Candidate:
    candidate = build_candidate(RAW_SEEDS, Config()).candidate
    return candidate


@pytest.fixture()
def seed_raw(tmp_path: Path) -> Path:
    """A writable copy of the bundled raw/ folder."""
    target = tmp_path / "raw"
    shutil.copytree(RAW_SEEDS, target)
    return target


# Keeps the Prefect server shared by a session's xdist workers for as long as the session lasts:
# started by whichever worker first needs it, it must outlive that worker (workers end as their
# queues empty), and end with the session however the session ends.
_SERVER_GUARDIAN = """
import os, select, subprocess, sys
session = os.pidfd_open(int(sys.argv[1]))
server = subprocess.Popen(sys.argv[2:])
select.select([session, os.pidfd_open(server.pid)], [], [])
server.terminate()
try:
    server.wait(10)
except subprocess.TimeoutExpired:
    server.kill()
"""


def _shared_prefect_server(shared: Path, session: int) -> str:
    """The API URL of the Prefect server this test session's workers share, started if none is
    yet: one server start (seconds of CPU) instead of one per worker. Once it answers, and before
    any run is recorded, its database is copied as MIGRATED_DATABASE for the servers tests start."""
    import fcntl
    import importlib.util
    import sqlite3
    from contextlib import closing

    from flows.server import _TEMPORARY_SERVER_ENV, EarlyServer, _free_port, temporary_server_command

    with open(shared / "prefect-server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known, failed = shared / "prefect-server.url", shared / "prefect-server.failed"
        if known.exists():
            return known.read_text()
        assert not failed.exists(), failed.read_text()  # started once in vain: not again
        port = _free_port()
        prefect = Path(next(iter(importlib.util.find_spec("prefect").submodule_search_locations)))
        command = temporary_server_command(prefect, port)
        database = shared / "prefect-test.db"
        env = {**os.environ, **_TEMPORARY_SERVER_ENV,
               "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}"}
        guardian = subprocess.Popen([sys.executable, "-c", _SERVER_GUARDIAN, str(session), *command], env=env,
                                    start_new_session=True, stdout=subprocess.DEVNULL)
        server = EarlyServer(guardian, port)
        if not server.healthy_within(90):
            failed.write_text("the shared Prefect server did not answer within 90 s")
            pytest.fail(failed.read_text())
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(shared / MIGRATED_DATABASE)) as copy:
            source.backup(copy)
        known.write_text(server.api_url)
        return server.api_url


MIGRATED_DATABASE = "prefect-migrated.db"


def _session_folder(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The folder this test session's workers share, and the session's process id."""
    if worker_id == "master":
        return tmp_path_factory.getbasetemp(), os.getpid()
    return tmp_path_factory.getbasetemp().parent, os.getppid()


@pytest.fixture(scope="session")
def migrated_prefect_database(worker_id: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect database with every migration applied. A server started on a new database spends
    most of its start (11 of 15 s here) migrating it: each test that starts one (the real server,
    a CLI run's temporary server) starts it on a copy of this instead (see prefect_home_in)."""
    folder, session = _session_folder(worker_id, tmp_path_factory)
    _shared_prefect_server(folder, session)
    return folder / MIGRATED_DATABASE


@pytest.fixture(scope="session", autouse=True)
def prefect_server_started_early(request: pytest.FixtureRequest, worker_id: str,
                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    """When any test of the session needs the shared server, it starts as the session does, in a
    thread: its seconds pass beside the first tests' work instead of holding up the first test
    that needs it (see LONGEST_FILES: those come after a few that do not)."""
    needing = {"prefect_harness", "migrated_prefect_database"}
    if any(needing & set(item.fixturenames) for item in request.session.items):
        threading.Thread(target=_shared_prefect_server, args=_session_folder(worker_id, tmp_path_factory),
                         daemon=True).start()


def prefect_home_in(folder: Path, migrated: Path) -> Path:
    """A Prefect home under `folder` whose database is a copy of the `migrated` one."""
    home = folder / "prefect-home"
    home.mkdir(parents=True)
    shutil.copyfile(migrated, home / "prefect.db")
    return home


@pytest.fixture(scope="session")
def prefect_harness(worker_id: str, tmp_path_factory: pytest.TempPathFactory):
    """Flow runs in this session report to a temporary Prefect server: one the xdist workers share."""
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # A flow run's heartbeat thread wakes once a second, and the run waits for it at its end
    # (0.25 s a run here). Heartbeats tell a server a run is alive; no test here looks at them.
    quiet = temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})
    url = _shared_prefect_server(*_session_folder(worker_id, tmp_path_factory))
    # In the environment too, as a user given a server has it: `commclean run` invoked here looks
    # there before Prefect's import, and would otherwise start a temporary server of its own.
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}), quiet:
            # As Prefect's harness does: code in a context copied before this one sees the server too.
            with _temporary_global_settings_context(get_settings_context()):
                yield
    finally:
        del os.environ["PREFECT_API_URL"]


_HOLD_LOCK = (
    "import sys, time\nfrom commclean.store.lock import run_lock\n"
    "with run_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)"
)


@pytest.fixture()
def lock_holder() -> Iterator[Callable[[Path], subprocess.Popen]]:
    """Starts another process that holds the run lock on a clean/ folder (killed afterwards)."""
    holders: list[subprocess.Popen] = []

    def start(clean: Path) -> subprocess.Popen:
        holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(clean)], stdout=subprocess.PIPE, text=True)
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        return holder

    yield start
    for holder in holders:
        holder.kill()
        holder.wait()
