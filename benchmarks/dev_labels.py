"""The labels of ../shared/corpus-dev-noisy, shared by the dev-set benchmarks."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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
