"""Measure the pipeline on ../shared/corpus-dev-noisy: dedup clusters, quarantine, metadata, speed.

Usage: python benchmarks/dev_set.py [--dev ../shared/corpus-dev-noisy]
Prints a Markdown report for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import resource
import time
from pathlib import Path

from dev_labels import DEFAULT_DEV, Label, load_labels
from metadata_bench import TARGETS, judge, load_issuers

from commclean.config import Config
from commclean.pipeline import build_candidate, validate_tables
from commclean.records import Candidate
from commclean.schema import tables_for


def dedup_quality(candidate: Candidate, labels: dict[str, Label]) -> dict[str, float]:
    """Pairwise precision/recall over files: two files are a true pair when they share a group."""
    doc_of = {row.path: row.doc_id for row in candidate.sources if row.doc_id}
    files = sorted(doc_of)
    tp = fp = fn = 0
    for i, a in enumerate(files):
        for b in files[i + 1 :]:
            same_doc = doc_of[a] == doc_of[b]
            same_group = labels[a].group == labels[b].group
            tp += same_doc and same_group
            fp += same_doc and not same_group
            fn += same_group and not same_doc
    groups = {labels[p].group for p in files}
    docs_per_group = collections.Counter(labels[p].group for p in {doc_of[f]: f for f in files}.values())
    return {
        "pair precision": tp / (tp + fp) if tp + fp else 1.0,
        "pair recall": tp / (tp + fn) if tp + fn else 1.0,
        "groups": len(groups),
        "documents": candidate.built.num_rows,
        "groups split over several documents": sum(1 for g in groups if docs_per_group[g] > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    args = parser.parse_args()
    labels = load_labels(args.dev)
    started = time.perf_counter()
    built = build_candidate(args.dev / "raw", Config())
    candidate, discovery, stats = built.candidate, built.discovery, built.stats
    elapsed = time.perf_counter() - started
    report = validate_tables(tables_for(candidate), Config(), built.workspace)
    junk = [p for p, label in labels.items() if label.group is None]
    quarantined = {row.path for row in candidate.sources if row.status == "quarantined"}
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}")
    print(f"Files: {len(discovery.files)}; pipeline (decode→assemble, no Prefect): {elapsed:.2f} s; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB\n")
    print("| measure | value |\n|---|---|")
    print(f"| junk files quarantined | {len(set(junk) & quarantined)}/{len(junk)} |")
    print(f"| good files quarantined | {len(quarantined - set(junk))} |")
    for name, value in dedup_quality(candidate, labels).items():
        print(f"| {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |")
    judged = judge(candidate, labels, load_issuers(args.dev))
    for field in (*TARGETS, "issuer"):
        rows = [j for j in judged if j.field == field]
        print(f"| metadata: {field} | {sum(j.right for j in rows)}/{len(rows)} |")
    print(f"| validation | {report.summary()} |")
    print("\nStats:", json.dumps(stats.as_dict(), sort_keys=True))


if __name__ == "__main__":
    main()
