"""End-to-end build time and memory, full and incremental (100 new files), without Prefect.

Usage: python benchmarks/incremental_bench.py --docs 10000 [--new 100] [--rounds 3] [--work /tmp/commclean-bench]
Writes generated raw files (benchmarks/dedup_bench.py's generator: ~5 KB statements with exact,
near, wrapped and truncated copies), runs commclean.pipeline.run_pipeline (decode, repair,
analyse, dedup, validate, publish) once from scratch, then `--rounds` times adds `--new` files and
runs it again; each run in its own process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
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
        # the Great Expectations helper process (see validate.ValidationWorker)
        "helper_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "files": summary.files_read, "documents": summary.documents, "published": summary.published,
        "cache": summary.stats.get("cache", {}),
        "milliseconds": summary.stats.get("milliseconds", {}),
    }))


def run(raw: Path, clean: Path, full: bool) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(raw), str(clean), str(full)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="incremental runs, each adding --new files")
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
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {args.docs} files ({size:.0f} MB), "
          f"then {args.rounds} rounds of {args.new} more")
    print("\n| run | files | documents | seconds | share of full | peak RSS MB (run + GX helper) | cache hits / misses |")
    print("|---|---|---|---|---|---|---|")
    full = runs[0][1]
    for name, r in runs:
        cache = r["cache"]
        print(f"| {name} | {r['files']} | {r['documents']} | {r['seconds']:.1f} | {r['seconds'] / full['seconds']:.1%} | "
              f"{r['peak_rss_mb']:.0f} + {r['helper_rss_mb']:.0f} | {cache.get('hits', 0)} / {cache.get('misses', 0)} |")
    for name, r in runs:
        steps = ", ".join(f"{step} {ms / 1000:.1f}" for step, ms in r["milliseconds"].items())
        print(f"\n{name}, seconds by step (the rest: start-up and publish): {steps}")


if __name__ == "__main__":
    main()
