"""Scheduling as users run it: a real Prefect server on 127.0.0.1, the prefect.yaml deployment, a
process worker that runs it to completion and publishes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import PROJECT, prefect_home_in

pytestmark = pytest.mark.slow
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"Prefect server at {url} not healthy after {seconds} s")


def test_the_deployment_runs_through_a_worker_and_publishes(seed_raw: Path, tmp_path: Path,
                                                           migrated_prefect_database: Path) -> None:
    api = f"http://127.0.0.1:{_free_port()}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(prefect_home_in(tmp_path, migrated_prefect_database)),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "COMMCLEAN_PROJECT_DIR": str(PROJECT),
    }
    host, port = api.split("//")[1].split("/")[0].split(":")
    server = subprocess.Popen([PREFECT, "server", "start", "--host", host, "--port", port], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    clean = tmp_path / "clean"

    def prefect(*args: str, timeout: float = 120) -> str:
        done = subprocess.run([PREFECT, *args], env=env, cwd=PROJECT, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        _wait_healthy(api, 120)
        prefect("work-pool", "create", "commclean", "--type", "process")
        prefect("--no-prompt", "deploy", "--all")
        prefect("deployment", "run", "build-corpus/hourly", "--param", f"raw_dir={seed_raw}",
                "--param", f"clean_dir={clean}")
        prefect("worker", "start", "--pool", "commclean", "--run-once", timeout=240)
        assert pq.read_table(clean / "corpus.parquet").num_rows == 4
        runs = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"{api}/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"}), timeout=10).read())
        states = sorted(run["state_type"] for run in runs)
        assert states.count("COMPLETED") == 1  # the run we asked for, through the worker
        assert "SCHEDULED" in states  # and the server's scheduler has queued the hourly cron runs
        assert not {"FAILED", "CRASHED"} & set(states)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
