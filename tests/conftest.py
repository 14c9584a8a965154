"""Shared fixtures: the bundled seeds, the shared dev material, and a Prefect test harness."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import flows  # noqa: F401 - applies the offline, quiet Prefect settings before Prefect is imported
from commclean.config import Config
from commclean.pipeline import build_candidate
from commclean.records import Candidate

PROJECT = Path(__file__).resolve().parents[1]
RAW_SEEDS = PROJECT / "raw"
SHARED = PROJECT.parent / "shared"
GOLD = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))  # clean statements, one a file


# The files that take longest (`pytest --durations`, two cores), longest first. xdist hands out
# whole files in collection order, so collected first they start first; a long file started
# last would leave the other worker idle for its length (the suite's last minute).
LONGEST_FILES = ("test_flow.py", "test_incremental.py", "test_server.py", "test_crash.py", "test_publish.py",
                 "test_validate.py", "test_candidates.py", "test_dask.py", "test_store.py", "test_faults.py",
                 "test_set_aside.py", "test_hostile.py", "test_packaging.py")


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


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # A flow run's heartbeat thread wakes once a second, and the run waits for it at its end
    # (0.25 s a run here). Heartbeats tell a server a run is alive; no test here looks at them.
    with prefect_test_harness(server_startup_timeout=90), \
            temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


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
