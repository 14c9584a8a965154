"""Ends helper processes when the process that started them ends, however it ends (SIGKILL included).

`python -m commclean.runtime.watchdog PID` holds a pidfd of PID and reads its stdin, the read end
of a pipe only the owner holds open: the kernel closes it when the owner dies, and the watchdog
then stops PID (SIGTERM, then SIGKILL after a grace period) and exits. A PID that has already
ended is left alone: the pidfd names that one process, never a later one with the same number."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time

GRACE_SECONDS = 5.0
# Process handles (pidfds) are Linux's; elsewhere the watchdog is not started and workers poll.
SUPPORTED = hasattr(os, "pidfd_open")


def watch(pid: int) -> subprocess.Popen[bytes]:
    """Start a watchdog that stops `pid` once this process ends. Keep the returned object alive:
    its stdin is the pipe whose closing says this process is gone."""
    return subprocess.Popen([sys.executable, "-m", "commclean.runtime.watchdog", str(pid)], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, start_new_session=True)


def end_with_parent(parent: int | None = None) -> None:
    """A worker process's initializer: the worker exits as soon as the process that started it has
    ended. A pool's workers wait for work from their parent, and when it is killed they would wait
    for ever (Prefect's task-runner workers keep threads that hold them up). `parent`, where the
    starter passed its pid, tells a parent that died before this call from the process that
    adopted the orphan.

    An interrupt (Ctrl-C reaches every process of the terminal's group) is left to the parent,
    which stops its workers and helpers as it ends: a worker stopped on its own took the run's
    batch with it and printed a traceback for each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is None:
        parent = os.getppid()
    elif os.getppid() != parent:
        os._exit(1)
    if not SUPPORTED:  # elsewhere than Linux: look once a second whether the parent is still ours
        threading.Thread(target=_exit_when_orphaned, args=(parent,), name="end-with-parent", daemon=True).start()
        return
    try:
        handle = os.pidfd_open(parent)
    except ProcessLookupError:
        os._exit(1)
    if os.getppid() != parent:  # it ended between the two calls: the handle may name another process
        os._exit(1)
    threading.Thread(target=_exit_when_ended, args=(handle,), name="end-with-parent", daemon=True).start()


def _exit_when_ended(handle: int) -> None:
    select.select([handle], [], [])  # readable once the process has exited
    os._exit(1)


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _stop_when_orphaned(pid: int) -> None:
    try:
        process = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    while sys.stdin.buffer.read(1 << 16):
        pass  # nothing is ever written; the read returns b"" once the owner is gone
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            signal.pidfd_send_signal(process, sent)
        except ProcessLookupError:
            return
        ended, _, _ = select.select([process], [], [], GRACE_SECONDS)  # readable once it has exited
        if ended:
            return


if __name__ == "__main__":
    _stop_when_orphaned(int(sys.argv[1]))
