"""Where a run's memory goes: per step, per process, and what the Prefect flow adds.

Usage (on a raw folder generated beforehand, e.g. by scale_bench.py --docs 30000):
  python benchmarks/memory_probe.py steps RAW CLEAN [--texts-held-mb N]   # run_pipeline, RSS at each step's end
  python benchmarks/memory_probe.py tree RAW CLEAN [--timeline TSV]       # commclean run, each process at the tree's peak
  python benchmarks/memory_probe.py flow RAW CLEAN [--plain-steps]        # the flow's process at each step's end and its peak
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from incremental_bench import process_tree  # noqa: E402

COMMCLEAN = Path(sys.executable).with_name("commclean")


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A process's resident memory (or another /proc status field, such as RssAnon: the part no
    file backs, which a memory-mapped table does not add to)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) // 1024 for line in status if line.startswith(field)), 0)
    except OSError:
        return 0


def steps(raw: str, clean: str, texts_held_mb: int | None) -> None:
    """run_pipeline with a progress reporter printing the run's RSS, and its peak, at each step."""
    import pyarrow as pa

    from commclean.config import Config
    from commclean.pipeline import run_pipeline
    from commclean.runtime.progress import Progress

    class Sampled(Progress):
        def __init__(self) -> None:
            self.peak, self.done = 0, threading.Event()
            threading.Thread(target=self._sample, daemon=True).start()

        def _sample(self) -> None:
            while not self.done.wait(0.1):
                self.peak = max(self.peak, rss_mb())

        def started(self, step: str, total: int | None = None, unit: str = "") -> None:
            self.peak = rss_mb()

        def finished(self, step: str, seconds: float, count: int | None = None, unit: str = "") -> None:
            print(f"{seconds:7.1f} s  rss {rss_mb():6d} MB  anon {rss_mb(field='RssAnon'):6d} MB  "
                  f"peak in step {self.peak:6d} MB  arrow {pa.total_allocated_bytes() >> 20:5d} MB  {step}", flush=True)

    config = Config() if texts_held_mb is None else Config(texts_held_mb=texts_held_mb)
    started = time.perf_counter()
    run_pipeline(raw, clean, config, progress=Sampled())
    print(f"total {time.perf_counter() - started:.1f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB")


def tree(raw: str, clean: str, timeline: str | None = None) -> None:
    """`commclean run`, its process tree sampled every 0.2 s: each process's RSS when the sum
    peaked, and the last line the run had logged by then (the step it was in). With a timeline,
    every sample is written there too (seconds, the sum, each role's MB, the last line logged), so
    that when a process should start can be read off one run rather than tried in several."""
    child = subprocess.Popen([str(COMMCLEAN), "run", "--raw", raw, "--clean", clean],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    logged: list[str] = []
    threading.Thread(target=lambda: logged.extend(child.stderr or ()), daemon=True).start()
    best: tuple[int, dict[int, tuple[int, str]], str] = (0, {}, "")
    samples = open(timeline, "w") if timeline else None
    if samples:
        samples.write("seconds\ttotal\t" + "\t".join(ROLES) + "\t" + "\t".join(f"{role} cpu" for role in ROLES)
                      + "\tlast line\n")
    started = time.perf_counter()
    while child.poll() is None:
        snapshot = {pid: (rss_mb(pid), _command(pid)) for pid in process_tree(child.pid)}
        total = sum(mb for mb, _ in snapshot.values())
        last = logged[-1].strip() if logged else ""
        if total > best[0]:
            best = (total, snapshot, last)
        if samples:
            roles, cpu = _by_role(child.pid, snapshot)
            samples.write(f"{time.perf_counter() - started:.1f}\t{total}\t"
                          + "\t".join(str(roles[role]) for role in ROLES) + "\t"
                          + "\t".join(f"{cpu[role]:.1f}" for role in ROLES) + f"\t{last[:120]}\n")
        time.sleep(0.2)
    if samples:
        samples.close()
    print(f"tree peak {best[0]} MB, after the line: {best[2][:150]}")
    for mb, command in sorted(best[1].values(), reverse=True):
        print(f"  {mb:6d} MB  {command}")


def flow(raw: str, clean: str, plain_steps: bool) -> None:
    """The flow in this process, its RSS at each step's end and its peak; with --plain-steps each
    step is a plain call, not a Prefect task."""
    from flows._env import apply_prefect_defaults

    apply_prefect_defaults()
    import flows.build_corpus as build
    from commclean.pipeline import sequence
    from flows.server import start_temporary_server

    timed_step = sequence._step

    def step_with_rss(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the wrapped step's own
        result = timed_step(*args, **kwargs)
        print(f"rss {rss_mb():6d} MB  after {args[2]}", flush=True)
        return result

    sequence._step = step_with_rss

    if plain_steps:
        build.PrefectRunner.step = lambda self, name, function, *args: function(*args)
    start_temporary_server()
    build.build_corpus(raw_dir=raw, clean_dir=clean)
    print(f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB (steps as "
          f"{'plain calls' if plain_steps else 'Prefect tasks'})")


ROLES = ("run", "workers", "validation helper", "prefect server", "other")


def _by_role(run_pid: int, snapshot: dict[int, tuple[int, str]]) -> tuple[dict[str, int], dict[str, float]]:
    """MB and CPU seconds so far (of the processes alive now) by what each process is for."""
    roles, cpu = dict.fromkeys(ROLES, 0), dict.fromkeys(ROLES, 0.0)
    for pid, (mb, command) in snapshot.items():
        role = ("run" if pid == run_pid else "workers" if "spawn_main" in command
                else "validation helper" if "validate.suites" in command
                else "prefect server" if "uvicorn" in command else "other")
        roles[role] += mb
        cpu[role] += _cpu_seconds(pid)
    return roles, cpu


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:90].decode(errors="replace")
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("probe", choices=["steps", "tree", "flow"])
    parser.add_argument("raw")
    parser.add_argument("clean")
    parser.add_argument("--texts-held-mb", type=int, default=None)
    parser.add_argument("--plain-steps", action="store_true")
    parser.add_argument("--timeline", help="tree: write every sample here (tab-separated)")
    args = parser.parse_args()
    if args.probe == "steps":
        steps(args.raw, args.clean, args.texts_held_mb)
    elif args.probe == "tree":
        tree(args.raw, args.clean, args.timeline)
    else:
        flow(args.raw, args.clean, args.plain_steps)


if __name__ == "__main__":
    main()
