"""Repair behaviour specified as data in tests/test-cases/repairs.json."""

import json
from pathlib import Path

import pytest

from commclean.config import RepairConfig
from commclean.repair.steps import repair_text

CASES = json.loads((Path(__file__).parent / "test-cases" / "repairs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["label"] for c in CASES["cases"]])
def test_repair_restores_the_original(case: dict) -> None:
    result = repair_text(case["original"], RepairConfig())
    assert result.text == case["fixed"]
    assert case["repair"] in result.repairs


@pytest.mark.parametrize("text", CASES["unchanged"], ids=range(len(CASES["unchanged"])))
def test_clean_text_passes_through_unchanged(text: str) -> None:
    result = repair_text(text, RepairConfig())
    assert result.text == text
    assert result.repairs == ()


GOLD_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "gold").glob("*.txt"))
SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_GOLD = sorted((SHARED / "corpus-dev").glob("*.txt")) + sorted((SHARED / "corpus-extra").glob("*.txt"))


def test_shared_clean_statements_are_there() -> None:
    """The parametrised test below would quietly shrink without ../shared: fail instead."""
    assert len(list((SHARED / "corpus-dev").glob("*.txt"))) >= 60
    assert len(list((SHARED / "corpus-extra").glob("*.txt"))) >= 300


@pytest.mark.parametrize("path", GOLD_FIXTURES + SHARED_GOLD, ids=lambda p: p.name[:40])
def test_clean_gold_statements_come_out_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = repair_text(text, RepairConfig())
    assert result.text == text.strip()
