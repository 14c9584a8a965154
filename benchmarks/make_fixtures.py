"""Write the committed sample of generated noisy files (tests/fixtures/noisy) from the gold fixtures.

Usage: python benchmarks/make_fixtures.py   (deterministic: seed 7)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from noisy import KINDS, make

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "fixtures" / "gold"
OUT = ROOT / "tests" / "fixtures" / "noisy"
SAMPLE = ("018", "069", "156")


def main() -> None:
    rng = random.Random(7)
    OUT.mkdir(parents=True, exist_ok=True)
    labels = []
    for prefix in SAMPLE:
        (gold_path,) = GOLD.glob(f"{prefix}_*.txt")
        gold = gold_path.read_text(encoding="utf-8")
        for kind in KINDS:
            name = f"{prefix}__{kind}.txt"
            (OUT / name).write_text(make(kind, gold, rng), encoding="utf-8")
            labels.append({"path": name, "kind": kind, "gold": gold_path.name})
    (OUT / "labels.jsonl").write_text("".join(json.dumps(label) + "\n" for label in labels), encoding="utf-8")


if __name__ == "__main__":
    main()
