"""Dates and places in phrasings the dev set does not hold: generated statements, one form at a time
(benchmarks/metadata_forms.py), with random dates, cities and parties."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from commclean.config import MetadataConfig, RepairConfig
from commclean.metadata.dates import find_dates
from commclean.metadata.extract import extract_metadata
from commclean.repair.steps import repair_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from metadata_forms import FORM_SPLIT, FORMS, KNOWN_MISSES, VENUE_FORMS, generate  # noqa: E402

GENERATED = generate(per_form=6, seed=11)


def test_the_known_misses_are_forms_and_the_halves_do_not_overlap() -> None:
    assert set(KNOWN_MISSES) <= set(FORMS)
    assert not FORM_SPLIT["tune"] & FORM_SPLIT["test"] and not FORM_SPLIT["second tune"] & FORM_SPLIT["second test"]


@pytest.mark.parametrize("form", [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[f]))
                                  if f in KNOWN_MISSES else f for f in FORMS if f not in VENUE_FORMS])
def test_each_form_gives_the_date_of_issue_the_event_date_and_the_place_it_states(form: str) -> None:
    for name, filled in GENERATED:
        if name != form:
            continue
        found = extract_metadata(repair_text(filled.text, RepairConfig()).metadata_text, MetadataConfig())
        assert (found.date.value.complete() if found.date else None) == filled.date, filled.text[:160]
        assert (found.event_date.value.complete() if found.event_date else None) == filled.event_date, filled.text[:160]
        place = found.location.value.split(",")[0] if found.location else None
        assert place == (filled.place.split(",")[0] if filled.place else None), filled.text[:160]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("the first-ever to be held in Washington, D.C., on 12-13 May 2022.", dt.date(2022, 5, 13)),
        ("met in Washington, DC on October 31–November 1, 2022.", dt.date(2022, 11, 1)),
        ("JUNE 16-17, 2023", dt.date(2023, 6, 17)),
        ("On Monday, July 25, 2022, the two sides launched", dt.date(2022, 7, 25)),
    ],
)
def test_a_day_range_dates_by_its_last_day(text: str, date: dt.date) -> None:
    (mention,) = [m for m in find_dates(text) if m.date.year]
    assert mention.date.complete() == date
