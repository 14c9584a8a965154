"""Repair quality: character error rate and paragraph boundaries before and after repair.

Usage: python benchmarks/repair_quality.py [--dev ../shared/corpus-dev-noisy] [--gold ../shared/corpus-dev]
                                          [--seed 1] [--throughput-mb 50]
Naive text = the file decoded and nothing else; repaired = commclean's repair_text. CER is the
Levenshtein distance to the gold text (whitespace runs collapsed) divided by the gold's length.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from commclean.config import DecodeConfig, RepairConfig
from commclean.ingest.decode import decode_bytes
from commclean.records import RawFile
from commclean.repair.steps import repair_text

sys.path.insert(0, str(Path(__file__).parent))
from noisy import KINDS, make  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    kind: str
    noisy: str
    gold: str


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def cer(text: str, gold: str) -> tuple[int, int]:
    a, b = collapse(text), collapse(gold)
    return Levenshtein.distance(a, b), len(b)


def boundaries(text: str, gold: str) -> tuple[int, int, int]:
    """Paragraph ends after aligned words: (true positives, false positives, false negatives)."""
    def words_with_ends(t: str) -> tuple[list[str], list[bool]]:
        words, ends = [], []
        for paragraph in re.split(r"\n\s*\n", t.strip()):
            tokens = paragraph.split()
            words.extend(tokens)
            ends.extend([False] * (len(tokens) - 1) + [True] if tokens else [])
        return words, ends

    a_words, a_ends = words_with_ends(text)
    b_words, b_ends = words_with_ends(gold)
    tp = fp = fn = 0
    for tag, a0, a1, b0, _ in Levenshtein.opcodes(a_words, b_words):
        if tag != "equal":
            continue
        for offset in range(a1 - a0):
            mine, theirs = a_ends[a0 + offset], b_ends[b0 + offset]
            tp += mine and theirs
            fp += mine and not theirs
            fn += theirs and not mine
    return tp, fp, fn


def dev_cases(dev: Path) -> list[Case]:
    cases = []
    for line in (dev / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if label["group"] is None:
            continue
        decoded = decode_bytes(RawFile("", "", 0, ""), (dev / "raw" / label["path"]).read_bytes(),
                               DecodeConfig(min_document_chars=1))
        gold = (dev / label["ref"]).read_text(encoding="utf-8")
        cases.append(Case(f"dev:{label['kind']}", decoded.text or "", gold))
    return cases


def generated_cases(gold_dir: Path, seed: int) -> list[Case]:
    rng = random.Random(seed)
    golds = [p.read_text(encoding="utf-8") for p in sorted(gold_dir.glob("*.txt"))]
    return [Case(f"gen:{kind}", make(kind, gold, rng), gold) for gold in golds for kind in KINDS]


def report(cases: list[Case]) -> None:
    rows: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for case in cases:
        repaired = repair_text(case.noisy, RepairConfig()).text
        for group in (case.kind, case.kind.split(":")[0] + ":ALL", "ALL"):
            row = rows[group]
            naive_d, length = cer(case.noisy, case.gold)
            fixed_d, _ = cer(repaired, case.gold)
            tp, fp, fn = boundaries(repaired, case.gold)
            row.update(files=1, naive=naive_d, fixed=fixed_d, length=length, tp=tp, fp=fp, fn=fn)
    print("| noise kind | files | naive CER | repaired CER | repaired/naive | para precision | para recall |")
    print("|---|---|---|---|---|---|---|")
    for group in sorted(rows, key=lambda g: (g == "ALL", g.endswith(":ALL"), g)):
        r = rows[group]
        naive, fixed = r["naive"] / r["length"], r["fixed"] / r["length"]
        ratio = f"{fixed / naive:.0%}" if naive else "-"
        precision = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
        recall = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else 1.0
        print(f"| {group} | {r['files']} | {naive:.4f} | {fixed:.4f} | {ratio} | {precision:.3f} | {recall:.3f} |")


def false_changes(gold_dir: Path) -> None:
    golds = [p.read_text(encoding="utf-8") for p in sorted(gold_dir.glob("*.txt"))]
    changed = [g for g in golds if repair_text(g, RepairConfig()).text != g.strip()]
    errors = sum(cer(repair_text(g, RepairConfig()).text, g)[0] for g in golds)
    print(f"\nClean gold through repair: {len(changed)}/{len(golds)} changed, {errors} characters of edit distance.")


def throughput(cases: list[Case], megabytes: float) -> None:
    texts, size = [], 0
    while size < megabytes * 1e6:
        for case in cases:
            texts.append(case.noisy)
            size += len(case.noisy.encode("utf-8"))
    started = time.perf_counter()
    for text in texts:
        repair_text(text, RepairConfig())
    elapsed = time.perf_counter() - started
    print(f"Throughput: {size / 1e6:.1f} MB of noisy text ({len(texts)} documents) in {elapsed:.1f} s = "
          f"{size / 1e6 / elapsed:.1f} MB/s on one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=SHARED / "corpus-dev-noisy")
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-dev")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--throughput-mb", type=float, default=50)
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}\n")
    generated = generated_cases(args.gold, args.seed)
    dev = dev_cases(args.dev)
    report(dev + generated)
    false_changes(args.gold)
    if args.throughput_mb:
        print("\nGenerated set (all seven noise kinds, equal shares):")
        throughput(generated, args.throughput_mb)
        print("Dev set plus generated set:")
        throughput(dev + generated, args.throughput_mb)


if __name__ == "__main__":
    main()
