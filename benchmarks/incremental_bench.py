"""End-to-end build time and memory, full and incremental (100 new files), without Prefect.

Usage: python benchmarks/incremental_bench.py --docs 10000 [--new 100] [--rounds 3] [--idle 1] [--work /tmp/commclean-bench]
Writes generated raw files (benchmarks/dedup_bench.py's generator: ~5 KB statements with exact,
near, wrapped and truncated copies), runs commclean.pipeline.run_pipeline (decode, repair,
analyse, dedup, validate, publish) once from scratch, then `--rounds` times adds `--new` files and
runs it again; each run in its own process, whose memory is sampled with that of its worker
processes and validation helper.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dedup_bench import generate  # noqa: E402


def write_raw(raw: Path, docs: list) -> None:  # noqa: ANN001 - dedup_bench.Doc
    for doc in docs:
        path = raw / doc.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text, encoding="utf-8")


def child(raw: str, clean: str, full: bool) -> None:
    from commclean.config import Config
    from commclean.pipeline import run_pipeline

    started = time.perf_counter()
    summary = run_pipeline(raw, clean, Config(), full=full)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "files": summary.files_read, "documents": summary.documents, "published": summary.published,
        "new_snapshot": summary.changed,
        "cache": summary.stats.get("cache", {}),
        "milliseconds": summary.stats.get("milliseconds", {}),
    }))


def run(raw: Path, clean: Path, full: bool) -> dict:
    child = subprocess.Popen([sys.executable, __file__, "--child", str(raw), str(clean), str(full)],
                             stdout=subprocess.PIPE, text=True)
    sampler = TreeMemory(child.pid)
    out, _ = child.communicate()
    sampler.stop()
    if child.returncode:
        raise SystemExit(f"run failed with exit code {child.returncode}")
    return {**json.loads(out.strip().splitlines()[-1]), "tree_peak_mb": sampler.peak_mb}


class TreeMemory:
    """The peak of the summed RSS of a process and all its descendants (the worker processes and
    the validation helper run at the same time as the run itself), sampled every 0.2 s; and the
    peak of their private memory alone (RSS less the pages shared with files: a memory-mapped
    table's pages count in RSS, but they are the page cache's, which the system takes back)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_mb, self.peak_private_mb, self._done = pid, 0.0, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        while not self._done.wait(0.2):
            pages = [_resident_pages(pid) for pid in self._tree()]
            self.peak_mb = max(self.peak_mb, sum(resident for resident, _ in pages) * page_mb)
            self.peak_private_mb = max(self.peak_private_mb, sum(r - shared for r, shared in pages) * page_mb)

    def _tree(self) -> set[int]:
        return process_tree(self.pid)


def process_tree(root: int) -> set[int]:
    """A process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return tree


def _resident_pages(pid: int) -> tuple[int, int]:
    """Resident pages, and how many of them are shared (with files, mostly)."""
    try:
        resident, shared = Path(f"/proc/{pid}/statm").read_text().split()[1:3]
        return int(resident), int(shared)
    except (OSError, ValueError):
        return 0, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="incremental runs, each adding --new files")
    parser.add_argument("--idle", type=int, default=0, help="runs at the end with nothing new (no snapshot added)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/commclean-bench"))
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "True")
        return
    shutil.rmtree(args.work, ignore_errors=True)
    raw, clean = args.work / "raw", args.work / "clean"
    docs = generate(args.docs + args.new * args.rounds, seed=3)
    write_raw(raw, docs[: args.docs])
    size = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 1e6
    runs = [("full build", run(raw, clean, full=True))]
    for n in range(args.rounds):
        start = args.docs + n * args.new
        write_raw(raw, docs[start : start + args.new])
        runs.append((f"incremental {n + 1} (+{args.new} files)", run(raw, clean, full=False)))
    for n in range(args.idle):
        runs.append((f"idle {n + 1} (nothing new)", run(raw, clean, full=False)))
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {args.docs} files ({size:.0f} MB), "
          f"then {args.rounds} rounds of {args.new} more")
    print("\n| run | files | documents | seconds | share of full | peak RSS MB, all processes together "
          "| peak RSS MB of the run alone | cache hits / misses | new snapshot |")
    print("|---|---|---|---|---|---|---|---|---|")
    full = runs[0][1]
    for name, r in runs:
        cache = r["cache"]
        print(f"| {name} | {r['files']} | {r['documents']} | {r['seconds']:.1f} | {r['seconds'] / full['seconds']:.1%} | "
              f"{r['tree_peak_mb']:.0f} | {r['peak_rss_mb']:.0f} | {cache.get('hits', 0)} / {cache.get('misses', 0)} | "
              f"{'yes' if r.get('new_snapshot', True) else 'no'} |")
    for name, r in runs:
        steps = ", ".join(f"{step} {ms / 1000:.1f}" for step, ms in r["milliseconds"].items())
        print(f"\n{name}, seconds by step (the rest: start-up and publish): {steps}")


if __name__ == "__main__":
    main()
