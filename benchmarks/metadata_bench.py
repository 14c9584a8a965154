"""Metadata quality on ../shared/corpus-dev-noisy against issue 7's targets, with every miss listed.

Usage: python benchmarks/metadata_bench.py [--dev ../shared/corpus-dev-noisy] [--misses]
Runs the pipeline (no Prefect) on the dev set's raw/ and judges each gold document (a label
group) on the corpus row holding most of its files: the date where some copy states it (and
null where none does), the title after case/whitespace/quote normalisation, the location where
a copy states it (and null where none does), and the issuer where we give one, which must agree
with ../shared/corpus-dev/index.jsonl's issuer. Prints a Markdown table for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
from dataclasses import dataclass
from pathlib import Path

from dev_labels import DEFAULT_DEV, Label, load_labels, normalise_title

from commclean.config import Config
from commclean.pipeline import build_candidate
from commclean.records import Candidate, CorpusRow
from commclean.schema import corpus_rows

TARGETS = {"date stated": 0.95, "date null": 0.98, "title": 0.9, "location stated": 0.9, "location null": 0.98}


@dataclass(frozen=True)
class Judged:
    field: str  # a TARGETS key, or "issuer"
    group: str
    right: bool
    gold: str | None
    ours: str | None
    source: str | None


def judge(candidate: Candidate, labels: dict[str, Label], issuers: dict[str, str]) -> list[Judged]:
    by_doc: dict[str, CorpusRow] = {row.doc_id: row for row in corpus_rows(candidate.built)}
    members = collections.defaultdict(list)
    for row in candidate.sources:
        if row.doc_id:
            members[labels[row.path].group].append(row.doc_id)
    judged = []
    for group, doc_ids in sorted(members.items()):
        meta = by_doc[collections.Counter(doc_ids).most_common(1)[0][0]].metadata
        copies = [label for label in labels.values() if label.group == group]
        gold = copies[0]
        date = str(meta.date) if meta.date else None
        if any(c.states_date for c in copies):
            judged.append(Judged("date stated", group, date == gold.gold_date, gold.gold_date, date, meta.date_source))
        else:
            judged.append(Judged("date null", group, date is None, None, date, meta.date_source))
        title_right = normalise_title(meta.title) == normalise_title(gold.gold_title)
        judged.append(Judged("title", group, title_right, gold.gold_title, meta.title, meta.title_source))
        if any(c.states_location for c in copies):
            right = (meta.location or "") == (gold.gold_location or "")
            judged.append(Judged("location stated", group, right, gold.gold_location, meta.location,
                                 meta.location_source))
            # The label may add a country the text never states ("Hiroshima" in the text,
            # "Hiroshima, Japan" in the label): the same city, as the text gives it.
            same_city = _city(meta.location) == _city(gold.gold_location)
            judged.append(Judged("location stated (same city)", group, same_city, gold.gold_location,
                                 meta.location, meta.location_source))
        else:
            judged.append(Judged("location null", group, meta.location is None, None, meta.location,
                                 meta.location_source))
        if meta.issuer:
            right = _issuer_key(meta.issuer) in _issuer_key(issuers.get(group, ""))
            judged.append(Judged("issuer", group, right, issuers.get(group), meta.issuer, meta.issuer_source))
    return judged


def _city(place: str | None) -> str | None:
    return place.split(",")[0].strip() if place else None


def _issuer_key(issuer: str) -> str:
    return issuer.lower().removeprefix("the ").replace("’", "'")


def load_issuers(dev: Path) -> dict[str, str]:
    index = dev.parent / "corpus-dev" / "index.jsonl"
    rows = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()]
    return {row["file"].rsplit(".", 1)[0]: row["issuer"] for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--misses", action="store_true", help="list every miss with its provenance")
    args = parser.parse_args()
    candidate = build_candidate(args.dev / "raw", Config()).candidate
    judged = judge(candidate, load_labels(args.dev), load_issuers(args.dev))
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; "
          f"{len({j.group for j in judged})} gold documents\n")
    print("| field | right | share | target | met |\n|---|---|---|---|---|")
    for field in (*TARGETS, "location stated (same city)", "issuer"):
        rows = [j for j in judged if j.field == field]
        share = sum(j.right for j in rows) / len(rows) if rows else 1.0
        target = TARGETS.get(field)
        met = "-" if target is None else ("yes" if share >= target else "**no**")
        print(f"| {field} | {sum(j.right for j in rows)}/{len(rows)} | {share:.3f} | {target or '-'} | {met} |")
    if args.misses:
        print("\n| field | document | gold | ours | from |\n|---|---|---|---|---|")
        for j in judged:
            if not j.right and j.field != "location stated (same city)":
                print(f"| {j.field} | {j.group[:40]} | {j.gold} | {j.ours} | {j.source} |")


if __name__ == "__main__":
    main()
