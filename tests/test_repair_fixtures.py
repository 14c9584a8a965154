"""Generated noisy copies (tests/fixtures/noisy, made by benchmarks/make_fixtures.py) come back as
their gold text: every noise kind the generator makes, on three real statements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from commclean.config import RepairConfig
from commclean.repair.steps import repair_text

FIXTURES = Path(__file__).parent / "fixtures"
LABELS = [json.loads(line) for line in (FIXTURES / "noisy" / "labels.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("label", LABELS, ids=[label["path"] for label in LABELS])
def test_noisy_copy_is_repaired_to_its_gold_text(label: dict) -> None:
    noisy = (FIXTURES / "noisy" / label["path"]).read_text(encoding="utf-8")
    gold = (FIXTURES / "gold" / label["gold"]).read_text(encoding="utf-8").strip()
    repaired = repair_text(noisy, RepairConfig()).text
    # Paragraph for paragraph; within them at most one character in a thousand may differ (a byte
    # that cp1252 cannot hold is lost for good when UTF-8 is misread as cp1252).
    assert len(repaired.split("\n\n")) == len(gold.split("\n\n"))
    assert Levenshtein.distance(repaired, gold) <= len(gold) / 1000
