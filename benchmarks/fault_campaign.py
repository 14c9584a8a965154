"""Kill `commclean run` at random points over many runs, changing raw/ between them.

Usage: python benchmarks/fault_campaign.py [--runs 20] [--seed 7] [--work /tmp/commclean-faults]

Each round changes raw/ (a statement added, one removed, one rewritten, a cut-off copy added),
starts `commclean run` as a user would and kills it with SIGKILL at a random crash point (or lets
it finish), then checks that readers see one complete published version, that nothing the run
started is still running, and that the next run, left alone, publishes exactly what `--full` in a
fresh folder does."""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

import commclean
from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.store.publish import CRASH_AT_ENV

PROJECT = Path(__file__).resolve().parents[1]
POINTS = ["processed", "deduplicated", "built", "validated", "snapshot-staged", "snapshot-written", "switched", None]


def tables(folder: Path) -> tuple[list[dict], list[dict]]:
    return pq.read_table(folder / "corpus.parquet").to_pylist(), pq.read_table(folder / "sources.parquet").to_pylist()


def change_raw(raw: Path, pool: list[Path], rng: random.Random, round_: int) -> str:
    files = sorted(p for p in raw.iterdir() if p.is_file())
    kind = rng.choice(["add", "remove", "rewrite", "cut"] if len(files) > 3 else ["add"])
    if kind == "add":
        shutil.copy(rng.choice(pool), raw / f"added-{round_}.txt")
    elif kind == "remove":
        rng.choice(files).unlink()
    elif kind == "rewrite":
        target = rng.choice(files)
        target.write_bytes(rng.choice(pool).read_bytes())
    else:
        text = rng.choice(pool).read_text(encoding="utf-8")
        (raw / f"cut-{round_}.txt").write_text(text[: len(text) * rng.randint(40, 90) // 100], encoding="utf-8")
    return kind


def left_running(group: int) -> int:
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields[0] != "Z" and (int(fields[2]) == group or b"commclean.runtime.watchdog" in command):
            count += 1
    return count


def killed_run(raw: Path, clean: Path, point: str | None) -> tuple[int, int]:
    """The exit status of `commclean run` killed at `point`, and how many of its processes outlived it."""
    env = {**os.environ, **({CRASH_AT_ENV: point} if point else {})}
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen([sys.executable, "-m", "commclean", "run", "--raw", str(raw), "--clean", str(clean)],
                                   env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        status = process.wait(timeout=600)
        deadline = time.monotonic() + 15
        while (left := left_running(process.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return status, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/commclean-faults"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.work, ignore_errors=True)
    raw, clean = args.work / "raw", args.work / "clean"
    shutil.copytree(PROJECT / "raw", raw)
    pool = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))
    assert run_pipeline(raw, clean, Config()).published
    counts: Counter[str] = Counter()
    for round_ in range(1, args.runs + 1):
        kind = change_raw(raw, pool, rng, round_)
        point = rng.choice(POINTS)
        status, left = killed_run(raw, clean, point)
        killed = status == -signal.SIGKILL
        counts["killed" if killed else f"finished with exit {status}"] += 1
        counts["processes left running"] += left
        whole = tables(clean) == tables(commclean.current_snapshot(clean))
        counts["readers saw one whole version"] += whole
        assert run_pipeline(raw, clean, Config()).published
        fresh = args.work / f"full-{round_}"
        assert run_pipeline(raw, fresh, Config(), full=True).published
        same = tables(clean) == tables(fresh)
        counts["next run equal to --full"] += same
        shutil.rmtree(fresh)
        print(f"round {round_:2}: raw change {kind:7} killed at {point or '(not killed)':16} exit {status:4} "
              f"left running {left}  whole version {whole}  next run = --full {same}", flush=True)
    print(f"\nMachine: {platform.machine()}, Python {platform.python_version()}; {args.runs} runs, seed {args.seed}")
    for name, count in sorted(counts.items()):
        print(f"- {name}: {count}")


if __name__ == "__main__":
    main()
