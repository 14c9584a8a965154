"""A first build's discovery of raw/ with the kernel's caches cold, with and without the helper that
walks raw/ ahead of it (ingest/prefetch.py), alternated.

Usage (as root, which dropping the caches needs; on a raw folder generated beforehand, e.g. by
scale_bench.py --docs 100000 --keep):
  python benchmarks/cold_discovery.py RAW [--rounds 3] [--threads 8] [--warm]

Each round drops the page, dentry and inode caches (`sync; echo 3 > /proc/sys/vm/drop_caches`),
then times `discover_and_open` as a first build calls it (an empty state folder, so no listings),
once with `prefetch_threads=0` (no helper) and once with --threads, in alternating order. --warm
also times each way again right after, with the caches as the walk left them.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from commclean.config import Config
from commclean.pipeline.workspace import discover_and_open
from commclean.store import Folders


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def first_discovery(raw: str, threads: int) -> tuple[float, int]:
    """Seconds and files found, as a first build's discovery (no state yet)."""
    with tempfile.TemporaryDirectory(prefix="commclean-cold-") as clean:
        started = time.perf_counter()
        discovery, _ = discover_and_open(raw, Folders.of(clean), Config(prefetch_threads=threads), False)
        return time.perf_counter() - started, len(discovery.files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=Config().prefetch_threads)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    times: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        ways = [0, args.threads] if round_ % 2 == 0 else [args.threads, 0]
        for threads in ways:
            drop_caches()
            seconds, files = first_discovery(args.raw, threads)
            name = f"cold, {'no helper' if threads == 0 else f'helper, {threads} threads'}"
            times.setdefault(name, []).append(seconds)
            print(f"round {round_ + 1}: {name}: {seconds:.1f} s ({files:,} files)", flush=True)
            if args.warm:
                seconds, _ = first_discovery(args.raw, threads)
                times.setdefault(name.replace("cold", "warm"), []).append(seconds)
    print(f"\nMachine: {platform.machine()}, Python {platform.python_version()}; {args.raw}\n")
    print("| discovery | runs, s | median, s |\n|---|---|---|")
    for name, seconds in times.items():
        print(f"| {name} | {', '.join(f'{s:.1f}' for s in seconds)} | {statistics.median(seconds):.1f} |")


if __name__ == "__main__":
    main()
