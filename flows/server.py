"""Prefect's temporary API server for a run given none, started as the command starts: its few
seconds of start-up then pass while the run imports Prefect and its stages, not after."""

from __future__ import annotations

import _thread
import atexit
import errno
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from commclean.runtime.watchdog import SUPPORTED as WATCHDOG_SUPPORTED
from commclean.runtime.watchdog import watch
from flows._env import apply_prefect_defaults

# What Prefect's SubprocessASGIServer (prefect 3.8, prefect/server/api/server.py) starts: uvicorn
# serving the API without its UI, told it is a temporary server (fewer background services).
_TEMPORARY_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
_OFF = ("0", "false", "no", "off")


@dataclass
class EarlyServer:
    """A temporary API server this process started, and stops."""

    process: subprocess.Popen[bytes]
    port: int
    command: list[str] = field(default_factory=list)  # how it was started, to start it again
    env: dict[str, str] = field(default_factory=dict)
    ended_with: int | None = None  # the exit code of a server that ended during the run
    _stopping: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def healthy_within(self, seconds: float) -> bool:
        """Wait until the server answers its health check; False if it ended or never answered."""
        deadline = time.monotonic() + seconds
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy: it is ours
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with direct.open(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        self.stop_keeping()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop_keeping(self) -> None:
        with self._lock:
            self._stopping = True

    def keep_running(self, on_end: Callable[[int], None]) -> None:
        """Should the server end before the run stops it (killed by a person, or by the kernel
        short of memory), start it again on its port and database, and call `on_end` with its exit
        code: the run must stop (a batch whose task run was being made as the server ended is
        never finished, and the run waited for ever), and with a server again it can record why."""
        threading.Thread(target=self._restart_when_ended, args=(on_end,), name="prefect-server-keeper",
                         daemon=True).start()

    def _restart_when_ended(self, on_end: Callable[[int], None]) -> None:
        code = self.process.wait()
        with self._lock:
            if self._stopping:
                return
            self.process = subprocess.Popen(self.command, env=self.env, process_group=0)
            watch_server(self.process.pid)
        on_end(code)


class ServerEnded(BaseException):
    """Prefect's temporary server ended during the run, which stopped. Like KeyboardInterrupt, a
    BaseException: Prefect records the run as crashed, and no handler takes it for a task's error."""


def start_early_server() -> EarlyServer | None:
    """Start the temporary server now, unless the environment names a server or turns the
    temporary one off (a Prefect profile may too: `serving` looks once Prefect is imported)."""
    apply_prefect_defaults()
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "").lower() in _OFF:
        return None
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        return None
    port = _free_port()
    command = temporary_server_command(Path(next(iter(spec.submodule_search_locations))), port)
    # In a process group of its own: Ctrl-C, sent to the terminal's group, would end it at once
    # (uvicorn stops on SIGINT), and the run, its client retrying a server that is gone, could
    # neither record why it stopped nor end (it hung). It stops as the run ends (below).
    env = {**os.environ, **_TEMPORARY_SERVER_ENV}
    server = EarlyServer(subprocess.Popen(command, env=env, process_group=0), port, command, env)
    watch_server(server.process.pid)
    # Stopped as the process exits, as Prefect stops its own: after Prefect's exit handlers, which
    # are registered later (so run first) and still send the run's last logs to it.
    atexit.register(server.stop)
    return server


def temporary_server_command(prefect_package: Path, port: int) -> list[str]:
    """The command that serves Prefect's API on 127.0.0.1:`port` as its temporary server does
    (with `_TEMPORARY_SERVER_ENV`), Prefect being the package at `prefect_package`."""
    return [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_package.parent), "--factory",
            "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "error", "--lifespan", "on"]


_WATCHDOGS: list[subprocess.Popen[bytes]] = []


def start_temporary_server() -> None:
    """For a run without a Prefect server: start the temporary one now, the very instance Prefect's
    client would start on first use, with a watchdog that stops it should this process end
    without stopping it (SIGKILL or SIGTERM skip Prefect's exit handler, and the server would
    live on, about 200 MB, until the machine restarts)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return
    # Only here: the server's modules take seconds to import, which a run given a server never needs.
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    if server.server_process is not None:
        watch_server(server.server_process.pid)


def watch_server(pid: int) -> None:
    """A watchdog that stops the temporary server `pid` should this process end without stopping
    it (SIGKILL or SIGTERM skip the exit handlers)."""
    if WATCHDOG_SUPPORTED:
        _WATCHDOGS.append(watch(pid))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerUnreachable(ConnectionError):
    """The Prefect server the environment names refuses connections or has no address."""


# Errors that say nothing listens at the address (or there is none), not that it is slow.
_NOTHING_THERE = (ConnectionRefusedError, socket.gaierror)
_NO_ROUTE = (errno.ENETUNREACH, errno.EHOSTUNREACH)


def check_named_server() -> None:
    """Raise ServerUnreachable if the environment names a server at which nothing answers: said at
    once, before the run's Prefect client tries it (a failed run's log handler would then retry
    sending its records for seconds more)."""
    named = os.environ.get("PREFECT_API_URL")
    if named and (refused := _refused(named)):
        raise ServerUnreachable(f"the Prefect server at {named} cannot be reached: {refused}")


def _refused(api_url: str) -> str | None:
    """Why nothing answers at the server's address, or None if something does (whatever it says)."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=10):
            return None
    except urllib.error.HTTPError:
        return None  # it answered
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, _NOTHING_THERE) or getattr(reason, "errno", None) in _NO_ROUTE:
            return str(reason)
        return None  # slow, or a fault the run's own client may get past


@contextmanager
def stopped_if_refused(early: EarlyServer | None) -> Iterator[None]:
    """The early server stopped at once should the block refuse the run (a folder clash, a folder
    that cannot be written): it started before the checks only to overlap the imports they need."""
    try:
        yield
    except BaseException:
        if early is not None:
            early.stop()
        raise


@contextmanager
def serving(early: EarlyServer | None) -> Iterator[None]:
    """The run's Prefect API for the block: the early server once it answers, else what Prefect
    would use (a server a profile names, or its own temporary one, started now). The early
    server stops as this process exits, or by a watchdog should it be killed."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        PREFECT_UI_URL,
        temporary_settings,
    )

    # Not used if a profile names a server or turns the temporary one off after all, or if it never
    # answers: then Prefect's own way, which says why it fails if it does.
    wanted = PREFECT_SERVER_EPHEMERAL_ENABLED.value() and not PREFECT_API_URL.value()
    if early is None or not wanted or not early.healthy_within(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()):
        if early is not None:
            early.stop()
        start_temporary_server()
        yield
        return
    # For the rest of the process, every thread included: a thread of its own (a task's result
    # read in a pool's thread) sees the settings Prefect read from the environment when imported,
    # not this thread's, and would start a temporary server of its own. Worker processes inherit it.
    os.environ["PREFECT_API_URL"] = early.api_url
    refresh_global_settings_context()
    # No UI URL: this server serves none, and ends with the run (Prefect would log "View at <url>").
    with temporary_settings(updates={PREFECT_UI_URL: ""}), _stopped_if_server_ends(early):
        yield


@contextmanager
def _stopped_if_server_ends(early: EarlyServer) -> Iterator[None]:
    """ServerEnded raised in this (the main) thread, wherever the run is, should the server end
    during the block: the run stops as it does for Ctrl-C, its workers stopped and nothing published."""
    def raise_ended(*_: object) -> None:
        raise ServerEnded(f"Prefect's temporary server ended during the run (exit code {early.ended_with}); "
                          "started again, the run stopped")

    def ended(code: int) -> None:
        early.ended_with = code
        logging.getLogger("commclean").warning("Prefect's temporary server ended during the run (exit code %s): "
                                               "the run stops", code)
        _thread.interrupt_main(signal.SIGUSR1)

    previous = signal.signal(signal.SIGUSR1, raise_ended)
    early.keep_running(ended)
    try:
        yield
    finally:
        early.stop_keeping()  # the run is over: the server's end is no longer the run's to report
        signal.signal(signal.SIGUSR1, previous)
