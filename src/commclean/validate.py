"""Run the Great Expectations suites in expectations/ on the candidate output, before anything is published."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from commclean.config import ValidationConfig

DEFAULT_EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
_DATE_COLUMNS = frozenset({"date"})


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    name: str  # the human name in the suite's meta, e.g. "no markup leftovers in text"
    expectation_type: str
    column: str | None
    unexpected_count: int | None
    examples: tuple[str, ...]

    def describe(self) -> str:
        count = f"{self.unexpected_count} unexpected" if self.unexpected_count is not None else "failed"
        sample = f"; e.g. {self.examples[0][:80]!r}" if self.examples else ""
        return f"{self.suite}: {self.name} [{self.expectation_type}({self.column})] {count}{sample}"


@dataclass(frozen=True)
class ValidationReport:
    success: bool
    evaluated: int
    failed: tuple[FailedExpectation, ...]

    def summary(self) -> str:
        if self.success:
            return f"passed ({self.evaluated} expectations)"
        return "FAILED: " + "; ".join(f.describe() for f in self.failed)


def load_suite(name: str, config: ValidationConfig, today: dt.date | None = None) -> dict:
    """A suite's JSON with its date bounds made concrete (GX compares dates only to datetimes)."""
    folder = Path(config.expectations_dir) if config.expectations_dir else DEFAULT_EXPECTATIONS_DIR
    suite = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    latest = (today or dt.date.today()) + dt.timedelta(days=config.latest_date_margin_days)
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        if kwargs.get("column") in _DATE_COLUMNS and "min_value" in kwargs:
            kwargs["min_value"] = dt.datetime.fromisoformat(kwargs["min_value"] or config.earliest_date.isoformat())
            kwargs["max_value"] = dt.datetime.fromisoformat(kwargs["max_value"] or latest.isoformat())
    return suite


def validation_frames(corpus: pa.Table, sources: pa.Table) -> dict[str, pd.DataFrame]:
    """The frames the suites check: the tables as published, plus derived cross-table ledger checks."""
    corpus_frame = corpus.select([c for c in corpus.column_names if c not in ("source_paths", "repairs")]).to_pandas()
    corpus_frame["date"] = pd.to_datetime(corpus_frame["date"])
    sources_frame = sources.to_pandas()
    quarantined = sources_frame["status"] == "quarantined"
    canonical = sources_frame["status"] == "canonical"
    has_doc = sources_frame["doc_id"].notna()
    resolves = sources_frame["doc_id"].isin(set(corpus_frame["doc_id"]))
    sources_frame["ledger_doc_id_resolves"] = (quarantined & ~has_doc) | (~quarantined & resolves)
    sources_frame["ledger_reason_given"] = sources_frame["reason"].notna() != canonical
    return {"corpus": corpus_frame, "sources": sources_frame}


def validate(corpus: pa.Table, sources: pa.Table, config: ValidationConfig) -> ValidationReport:
    """Run every suite; the report names each failing expectation."""
    import great_expectations as gx  # slow import (seconds): only when validating
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("candidate")
    failed: list[FailedExpectation] = []
    evaluated = 0
    for name, frame in validation_frames(corpus, sources).items():
        suite = context.suites.add(ExpectationSuite(**load_suite(name, config)))
        batch = datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": frame})
        for outcome in result.results:
            evaluated += 1
            if not outcome.success:
                failed.append(_failure(name, outcome))
    return ValidationReport(not failed, evaluated, tuple(sorted(failed, key=lambda f: (f.suite, f.name))))


def _failure(suite: str, outcome) -> FailedExpectation:  # noqa: ANN001 - GX's result type
    config = outcome.expectation_config
    result = outcome.result or {}
    examples = tuple(str(v) for v in result.get("partial_unexpected_list") or ())
    error = (outcome.exception_info or {}).get("exception_message")
    return FailedExpectation(
        suite=suite,
        name=(config.meta or {}).get("name", config.type),
        expectation_type=config.type,
        column=config.kwargs.get("column"),
        unexpected_count=result.get("unexpected_count"),
        examples=examples or ((f"error: {error}",) if error else ()),
    )
