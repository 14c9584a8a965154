"""Run the Great Expectations suites in expectations/ on the candidate output, before anything is published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from commclean.config import ValidationConfig


def _default_expectations_dir() -> Path:
    """The suites as an installed package ships them (commclean.expectations, see pyproject.toml);
    in an editable install, the repository's expectations/ folder they are built from."""
    package = Path(__file__).resolve().parents[1]
    shipped = package / "expectations"
    return shipped if shipped.is_dir() else package.parents[1] / "expectations"


DEFAULT_EXPECTATIONS_DIR = _default_expectations_dir()
_CHUNKED_COLUMN = "text"
_DATE_COLUMNS = frozenset({"date", "event_date"})
_SUITES = ("corpus", "sources")


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    name: str  # the human name in the suite's meta, e.g. "no markup leftovers in text"
    expectation_type: str
    column: str | None
    unexpected_count: int | None
    examples: tuple[str, ...]

    def add(self, other: FailedExpectation) -> FailedExpectation:
        """The same expectation failing in another chunk of rows: counts add up."""
        counts = [c for c in (self.unexpected_count, other.unexpected_count) if c is not None]
        return replace(self, unexpected_count=sum(counts) if counts else None, examples=self.examples or other.examples)

    def describe(self) -> str:
        count = f"{self.unexpected_count} unexpected" if self.unexpected_count is not None else "failed"
        sample = f"; e.g. {self.examples[0][:80]!r}" if self.examples else ""
        return f"{self.suite}: {self.name} [{self.expectation_type}({self.column})] {count}{sample}"


@dataclass(frozen=True)
class ValidationReport:
    success: bool
    evaluated: int
    failed: tuple[FailedExpectation, ...]
    suites_sha256: str = ""  # what the rows were checked against (see suites_sha256)

    def summary(self) -> str:
        if self.success:
            return f"passed ({self.evaluated} expectations)"
        return "FAILED: " + "; ".join(f.describe() for f in self.failed)


def suites_sha256(config: ValidationConfig) -> str:
    """Names the expectations in force: rows checked under the same suites need no second look."""
    digest = hashlib.sha256()
    for name in _SUITES:
        digest.update((_suites_dir(config) / f"{name}.json").read_bytes())
    return digest.hexdigest()


def _suites_dir(config: ValidationConfig) -> Path:
    return Path(config.expectations_dir) if config.expectations_dir else DEFAULT_EXPECTATIONS_DIR


def load_suite(name: str, config: ValidationConfig, today: dt.date | None = None) -> dict:
    """A suite's JSON with its date bounds made concrete (GX compares dates only to datetimes)."""
    suite = json.loads((_suites_dir(config) / f"{name}.json").read_text(encoding="utf-8"))
    latest = (today or dt.date.today()) + dt.timedelta(days=config.latest_date_margin_days)
    for expectation in suite["expectations"]:
        kwargs = expectation["kwargs"]
        if kwargs.get("column") in _DATE_COLUMNS and "min_value" in kwargs:
            kwargs["min_value"] = dt.datetime.fromisoformat(kwargs["min_value"] or config.earliest_date.isoformat())
            kwargs["max_value"] = dt.datetime.fromisoformat(kwargs["max_value"] or latest.isoformat())
    return suite


def validation_frames(corpus: pa.Table, sources: pa.Table) -> dict[str, pd.DataFrame]:
    """The frames the suites check, the corpus without its text (checked in chunks, see
    text_chunks), plus derived cross-table ledger checks."""
    kept = [c for c in corpus.column_names if c not in ("source_paths", "repairs", _CHUNKED_COLUMN)]
    corpus_frame = corpus.select(kept).to_pandas()
    for column in _DATE_COLUMNS:
        corpus_frame[column] = pd.to_datetime(corpus_frame[column])
    sources_frame = sources.to_pandas()
    quarantined = sources_frame["status"] == "quarantined"
    canonical = sources_frame["status"] == "canonical"
    has_doc = sources_frame["doc_id"].notna()
    resolves = sources_frame["doc_id"].isin(set(corpus_frame["doc_id"]))
    sources_frame["ledger_doc_id_resolves"] = (quarantined & ~has_doc) | (~quarantined & resolves)
    sources_frame["ledger_reason_given"] = sources_frame["reason"].notna() != canonical
    return {"corpus": corpus_frame, "sources": sources_frame}


def text_chunks(corpus: pa.Table, rows: int) -> Iterator[pd.DataFrame]:
    """The text column a slice at a time: its expectations look at one row at a time, and a
    whole 500 MB column turned into one frame costs more memory than the rest of a run."""
    for start in range(0, max(corpus.num_rows, 1), rows):
        yield pd.DataFrame({_CHUNKED_COLUMN: corpus.column(_CHUNKED_COLUMN).slice(start, rows).to_pandas()})


def validate(corpus: pa.Table, sources: pa.Table, config: ValidationConfig,
             new_text: pa.Table | None = None) -> ValidationReport:
    """Run every suite; the report names each failing expectation. Expectations on the text look
    at one row at a time, so with `new_text` (the rows not yet validated under these suites, the
    others being byte-identical to published, validated rows) only those rows are checked."""
    text = corpus if new_text is None else new_text
    return _run_suites(corpus, sources, text_chunks(text, config.text_chunk_rows), config)


def _run_suites(corpus: pa.Table, sources: pa.Table, texts: Iterable[pd.DataFrame],
                config: ValidationConfig) -> ValidationReport:
    """The suites on the corpus's other columns, the sources, and the text a chunk at a time."""
    import great_expectations as gx  # slow import (seconds): only when validating
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_pandas("candidate")
    frames = validation_frames(corpus, sources)
    corpus_suite = load_suite("corpus", config)
    on_text = [e for e in corpus_suite["expectations"] if e["kwargs"].get("column") == _CHUNKED_COLUMN]
    runs = (
        ("corpus", {**corpus_suite, "expectations": [e for e in corpus_suite["expectations"] if e not in on_text]},
         [frames["corpus"]]),
        ("corpus", {**corpus_suite, "name": "corpus-text", "expectations": on_text},
         texts),
        ("sources", load_suite("sources", config), [frames["sources"]]),
    )
    failed: dict[tuple[str, str], FailedExpectation] = {}
    evaluated = 0
    for label, suite_json, batches in runs:
        suite = context.suites.add(ExpectationSuite(**suite_json))
        asset = datasource.add_dataframe_asset(suite_json["name"]).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_json["name"], data=asset, suite=suite)
        )
        evaluated += len(suite_json["expectations"])
        for frame in batches:
            for outcome in definition.run(batch_parameters={"dataframe": frame}).results:
                if not outcome.success:
                    failure = _failure(label, outcome)
                    key = (failure.suite, failure.name)
                    failed[key] = failed[key].add(failure) if key in failed else failure
    failures = tuple(sorted(failed.values(), key=lambda f: (f.suite, f.name)))
    return ValidationReport(not failed, evaluated, failures, suites_sha256(config))


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


class ValidationWorker:
    """Great Expectations in a helper process, started when a run starts so that its import
    (seconds) overlaps the run's other stages on the second core. Tables reach it as
    uncompressed Arrow files that it memory-maps; requests and reports go over its stdin and
    stdout. It is a plain `python -m commclean.validate.suites`, so the caller's main module is never
    imported again, and it ends when its stdin closes, so a killed run never leaves it behind."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-m", "commclean.validate.suites"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __enter__(self) -> ValidationWorker:
        return self

    def __exit__(self, *_: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()

    def validate(self, corpus: pa.Table, sources: pa.Table, config: ValidationConfig,
                 new_text: pa.Table | None = None, scratch: Path | None = None) -> ValidationReport:
        """Validate in the helper; the tables' copies go in `scratch`, the run's own folder in
        clean/, which the next run empties should this one be killed meanwhile."""
        assert self._process.stdin is not None and self._process.stdout is not None
        with tempfile.TemporaryDirectory(prefix="commclean-validate-", dir=scratch) as folder:
            # The text goes in a file of its own, in chunks the helper reads one at a time: mapped
            # whole, 500 MB of text would count against the helper's memory.
            text = (corpus if new_text is None else new_text).select([_CHUNKED_COLUMN])
            tables = {"corpus": corpus.drop_columns([_CHUNKED_COLUMN]), "sources": sources, "text": text}
            paths = {name: str(Path(folder) / f"{name}.arrow") for name in tables}
            for name, table in tables.items():
                feather.write_feather(table, paths[name], compression="uncompressed",
                                      chunksize=config.text_chunk_rows)
            pickle.dump((paths, config), self._process.stdin)
            self._process.stdin.flush()
            outcome = pickle.load(self._process.stdout)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@contextmanager
def validation_worker() -> Iterator[ValidationWorker | None]:
    """A helper process for a process that has not loaded Great Expectations yet (a CLI run, a
    deployment's flow run); a long-lived process that has (tests, `commclean serve`) validates
    in place, where GX costs nothing more."""
    if "great_expectations" in sys.modules:
        yield None
        return
    with ValidationWorker() as worker:
        yield worker


def serve() -> None:
    """The helper's loop: (paths, config) in, a ValidationReport (or the exception) out."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever GX prints goes to stderr, never into the replies
    import great_expectations  # noqa: F401 - loaded before the first request arrives

    while True:
        try:
            paths, config = pickle.load(sys.stdin.buffer)
        except EOFError:
            os._exit(0)  # nothing to tear down: skipping interpreter shutdown saves most of a second
        try:
            corpus, sources = (feather.read_table(paths[name], memory_map=True) for name in ("corpus", "sources"))
            outcome: object = _run_suites(corpus, sources, _text_chunks_of_file(paths["text"]), config)
        except Exception as error:  # noqa: BLE001 - handed back to the run, which raises it
            outcome = error
        pickle.dump(outcome, replies)
        replies.flush()


def _text_chunks_of_file(path: str) -> Iterator[pd.DataFrame]:
    with pa.OSFile(path) as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i).to_pandas()
        if not reader.num_record_batches:
            yield pd.DataFrame({_CHUNKED_COLUMN: pd.Series([], dtype=object)})


if __name__ == "__main__":
    from commclean.validate import suites as module  # the importable module, so reports unpickle as its types

    module.serve()
