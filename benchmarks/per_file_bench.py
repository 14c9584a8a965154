"""The per-file stages (decode, repair, analyse) in one process: their CPU time a file, and a digest
of what they give each file, to show that a change made for speed leaves every result alone.

Usage:
  python benchmarks/per_file_bench.py time FOLDER [--every 10]      # every 10th file, ms a file
  python benchmarks/per_file_bench.py digest FOLDER... --out A.json  # one digest a file

To compare two versions of the code, run each (PYTHONPATH=<a checkout of the other commit>/src
for the other one), alternating several times for `time` (this machine's speed drifts by 10%
from one minute to the next), and compare the digest files byte for byte. A digest covers the
cache row a worker sends back (texts, repairs, truncation, metadata, unknown words, fingerprint
and names) and the metadata record."""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from commclean.config import Config
from commclean.ingest.discover import discover
from commclean.pipeline.batches import Batch, Pending, process_batch
from commclean.runtime.collector import collector_paused
from commclean.runtime.stats import Stats

BATCH = 2_000


def batches(folder: str, every: int = 1) -> list[list[Pending]]:
    files = sorted(discover(folder).files, key=lambda found: found.path)[::every]
    return [[Pending(found) for found in files[start : start + BATCH]] for start in range(0, len(files), BATCH)]


def time_per_file(folder: str, every: int) -> dict:
    work, config = batches(folder, every), Config()
    files = sum(map(len, work))
    started, cpu = time.perf_counter(), time.process_time()
    with collector_paused():  # as in a worker (flows/build_corpus.py)
        for items in work:
            process_batch(Batch(tuple(items), (), Stats()), config)
    return {"files": files, "cpu_ms_per_file": round((time.process_time() - cpu) / files * 1e3, 3),
            "wall_ms_per_file": round((time.perf_counter() - started) / files * 1e3, 3)}


def digests(folders: list[str]) -> dict[str, str]:
    config, found = Config(), {}
    for folder in folders:
        for items in batches(folder):
            done = process_batch(Batch(tuple(items), (), Stats()), config)
            for doc in done.items:
                packed = done.packed.get(doc.raw.path)
                result = repr((packed.row[3:] if packed and packed.row else doc, doc.metadata))
                found[f"{folder}/{doc.raw.path}"] = hashlib.sha256(result.encode()).hexdigest()
            for held in done.quarantined:
                found[f"{folder}/{held.raw.path}"] = f"quarantined: {held.reason}"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("time")
    timing.add_argument("folder")
    timing.add_argument("--every", type=int, default=1, help="take every n-th file (by path)")
    digest = commands.add_parser("digest")
    digest.add_argument("folders", nargs="+")
    digest.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "time":
        print(json.dumps(time_per_file(args.folder, args.every)))
    else:
        found = digests(args.folders)
        args.out.write_text(json.dumps(found, indent=0, sort_keys=True))
        print(f"{len(found)} files")


if __name__ == "__main__":
    main()
