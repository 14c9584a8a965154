"""Measure the pipeline on ../shared/corpus-dev-noisy: dedup clusters, quarantine, metadata, speed.

Usage: python benchmarks/dev_set.py [--dev ../shared/corpus-dev-noisy]
Prints a Markdown report for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import re
import resource
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from commclean.config import Config
from commclean.pipeline import build_candidate, validate_tables
from commclean.schema import tables_for
from commclean.records import Candidate, CorpusRow

DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev-noisy"


@dataclass(frozen=True)
class Label:
    path: str
    group: str | None
    truncated: bool
    gold_title: str | None
    gold_date: str | None
    gold_location: str | None
    states_date: bool
    states_location: bool


def load_labels(dev: Path) -> dict[str, Label]:
    labels = {}
    for line in (dev / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[row["path"]] = Label(
            row["path"], row["group"], row["truncated"], row["gold_title"], row["gold_date"],
            row["gold_location"], row["states_date"], row.get("states_location", False),
        )
    return labels


def normalise_title(title: str | None) -> str:
    text = unicodedata.normalize("NFKC", title or "").replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


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
        "documents": len(candidate.corpus),
        "groups split over several documents": sum(1 for g in groups if docs_per_group[g] > 1),
    }


def metadata_quality(candidate: Candidate, labels: dict[str, Label]) -> dict[str, str]:
    """Per gold group, judged on the corpus document holding most of its files."""
    by_doc: dict[str, CorpusRow] = {row.doc_id: row for row in candidate.corpus}
    members = collections.defaultdict(list)
    for row in candidate.sources:
        if row.doc_id:
            members[labels[row.path].group].append(row.doc_id)
    date_hit = date_total = null_hit = null_total = title_hit = loc_hit = loc_total = 0
    for group, doc_ids in members.items():
        doc = by_doc[collections.Counter(doc_ids).most_common(1)[0][0]]
        group_labels = [label for label in labels.values() if label.group == group]
        gold = group_labels[0]
        if any(label.states_date for label in group_labels):
            date_total += 1
            date_hit += str(doc.metadata.date) == gold.gold_date
        else:
            null_total += 1
            null_hit += doc.metadata.date is None
        title_hit += normalise_title(doc.metadata.title) == normalise_title(gold.gold_title)
        if any(label.states_location for label in group_labels):
            loc_total += 1
            loc_hit += (doc.metadata.location or "") == (gold.gold_location or "")
    groups = len(members)
    return {
        "date exact (some copy states it)": f"{date_hit}/{date_total}",
        "date null (no copy states it)": f"{null_hit}/{null_total}",
        "title exact (normalised)": f"{title_hit}/{groups}",
        "location right (text states it)": f"{loc_hit}/{loc_total}",
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
    for name, value in metadata_quality(candidate, labels).items():
        print(f"| {name} | {value} |")
    print(f"| validation | {report.summary()} |")
    print("\nStats:", json.dumps(stats.as_dict(), sort_keys=True))


if __name__ == "__main__":
    main()
