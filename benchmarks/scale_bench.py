"""Scale: `commclean run` end to end on generated corpora of 100k to 1M files, its wall time, the
peak memory of all its processes, dedup quality per kind, and the cost of adding files after.

Usage: python benchmarks/scale_bench.py --docs 100000 [--add 1000] [--dask local] [--work /tmp/commclean-scale]

The corpus is benchmarks/dedup_bench.py's generator (about 5 KB statements from real sentences:
55% single documents, then exact, near, wrapped and truncated copies and documents sharing
boilerplate), written file by file and never held in memory whole; only its labels are kept.
The run is the README's command (`commclean run`, Prefect's temporary server included) in its own
process tree, whose summed RSS is sampled every 0.2 s. Dedup F1 per kind is scored from the
published ledger (copies of one family sharing a doc_id). With --add, that many new files are
generated (another seed) and a second run times the incremental build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from dedup_bench import Doc, canonical_accuracy, iter_docs, score  # noqa: E402
from incremental_bench import TreeMemory  # noqa: E402

COMMCLEAN = Path(sys.executable).with_name("commclean")


def write_corpus(raw: Path, n: int, seed: int, prefix: str = "") -> list[Doc]:
    """Write n generated files under raw/; their labels, without their texts."""
    labels = []
    for doc in iter_docs(n, seed, prefix):
        path = raw / doc.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text, encoding="utf-8")
        labels.append(Doc(doc.path, "", doc.family, doc.kind, doc.complete))
    return labels


def run(raw: Path, clean: Path, dask: str | None) -> dict:
    command = [str(COMMCLEAN), "run", "--raw", str(raw), "--clean", str(clean), "--json"]
    command += ["--dask", dask] if dask else []
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sampler = TreeMemory(child.pid)
    out, _ = child.communicate()
    sampler.stop()
    seconds = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"commclean run failed with exit code {child.returncode}")
    summary = json.loads(out)
    return {"seconds": round(seconds, 1), "tree_peak_mb": round(sampler.peak_mb),
            "tree_peak_private_mb": round(sampler.peak_private_mb), "files": summary["files_read"],
            "documents": summary["documents"], "cache": summary["stats"]["cache"],
            "milliseconds": summary["stats"]["milliseconds"]}


def quality(clean: Path, labels: list[Doc]) -> dict:
    """Dedup per kind, scored the way dedup_bench scores the stage alone, from the ledger."""
    ledger = pq.read_table(clean / "sources.parquet", columns=["path", "doc_id"]).to_pylist()
    doc_of = {row["path"]: row["doc_id"] for row in ledger}
    index_of_doc: dict[str | None, list[int]] = {}
    for index, label in enumerate(labels):
        index_of_doc.setdefault(doc_of.get(label.path) or f"alone:{label.path}", []).append(index)
    corpus = pq.read_table(clean / "corpus.parquet", columns=["doc_id", "source_paths"]).to_pylist()
    position = {label.path: i for i, label in enumerate(labels)}
    # Each cluster with its canonical (the first source path) first, as canonical_accuracy expects.
    first = {row["doc_id"]: position.get(row["source_paths"][0]) for row in corpus}
    clusters = [sorted(members, key=lambda i: i != first.get(doc_id)) for doc_id, members in index_of_doc.items()]
    result = score(labels, clusters)
    result["canonical accuracy"] = canonical_accuracy(labels, clusters)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=0, help="new files for an incremental run after the full one")
    parser.add_argument("--dask", default=None, help="passed to commclean run --dask")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/commclean-scale"))
    parser.add_argument("--keep", action="store_true", help="reuse the raw/ already generated in --work")
    args = parser.parse_args()

    raw, clean = args.work / "raw", args.work / "clean"
    labels_file = args.work / "labels.json"
    if args.keep and labels_file.exists():
        labels = [Doc(**d) for d in json.loads(labels_file.read_text())]
    else:
        shutil.rmtree(args.work, ignore_errors=True)
        started = time.perf_counter()
        labels = write_corpus(raw, args.docs, args.seed)
        labels_file.write_text(json.dumps([asdict(d) for d in labels]))
        print(f"generated {len(labels)} files in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    shutil.rmtree(clean, ignore_errors=True)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "machine": platform.machine()}
    full = run(raw, clean, args.dask)
    result = {"machine": machine, "docs": args.docs, "dask": args.dask, "full": full, "quality": quality(clean, labels)}
    if args.add:
        labels += write_corpus(raw, args.add, args.seed + 1000, prefix="added/")
        added = run(raw, clean, args.dask)
        added["share_of_full"] = round(added["seconds"] / full["seconds"], 4)
        result["added"] = {**added, "files_added": args.add}  # "files": all the run found
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
