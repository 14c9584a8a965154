"""Run the Great Expectations suites in expectations/ on the candidate output, before anything is published."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from commclean.config import ValidationConfig
from commclean.runtime.watchdog import end_with_parent


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
_LEDGER_DERIVED_FROM = frozenset({"status", "doc_id", "reason"})  # what ledger_frame's own checks read
_EXAMPLES = 3  # failing rows named per expectation in the summary, manifest and artifact
_CONTEXT = 40  # characters either side of what a failing text's pattern found


TABLE, DOCUMENT = "table", "document"  # an expectation's meta.scope (see expectations/corpus.json)


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    name: str  # the human name in the suite's meta, e.g. "no markup leftovers in text"
    expectation_type: str
    column: str | None
    unexpected_count: int | None
    examples: tuple[str, ...]
    scope: str = TABLE

    def add(self, other: FailedExpectation) -> FailedExpectation:
        """The same expectation failing in another chunk of rows: counts add up."""
        counts = [c for c in (self.unexpected_count, other.unexpected_count) if c is not None]
        examples = (*self.examples, *other.examples)[:_EXAMPLES]
        return replace(self, unexpected_count=sum(counts) if counts else None, examples=examples)

    def describe(self) -> str:
        count = f"{self.unexpected_count} unexpected" if self.unexpected_count is not None else "failed"
        sample = f"; e.g. {self.examples[0][:80]!r}" if self.examples else ""
        return f"{self.suite}: {self.name} [{self.expectation_type}({self.column})] {count}{sample}"


@dataclass(frozen=True)
class ValidationReport:
    """How the candidate fared. A failing table-scope expectation blocks the publish; documents
    failing a document-scope one are set aside (`rejected`), unless there are so many of them
    (more than max_rejected_share of the documents) that a repair must be broken: that blocks too."""

    success: bool
    evaluated: int
    failed: tuple[FailedExpectation, ...]  # every expectation that failed, of either scope
    suites_sha256: str = ""  # what the rows were checked against (see suites_sha256)
    rejected: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (doc_id, the expectations it failed), by doc_id
    documents: int = 0  # documents in the candidate, before any was set aside
    max_rejected_share: float = 0.0
    data_docs: str | None = None  # the Data Docs site's index.html, once built

    @property
    def blocking(self) -> tuple[FailedExpectation, ...]:
        return tuple(f for f in self.failed if f.scope == TABLE)

    @property
    def set_aside(self) -> tuple[FailedExpectation, ...]:
        return tuple(f for f in self.failed if f.scope == DOCUMENT)

    @property
    def rejected_share(self) -> float:
        return len(self.rejected) / self.documents if self.documents else 0.0

    @property
    def too_many_rejected(self) -> bool:
        return self.rejected_share > self.max_rejected_share

    def summary(self) -> str:
        aside = "; ".join(f"{f.name} ({f.unexpected_count})" for f in self.set_aside)
        if self.success:
            kept = f"; {len(self.rejected)} documents set aside ({self.rejected_share:.2%}): {aside}" if self.rejected else ""
            return f"passed ({self.evaluated} expectations){kept}"
        reasons = [f.describe() for f in self.blocking]
        if self.too_many_rejected:
            reasons.append(
                f"{len(self.rejected)} of {self.documents} documents ({self.rejected_share:.1%}) fail document checks, "
                f"more than the {self.max_rejected_share:.1%} a run may set aside (a repair is broken, not a document): "
                + "; ".join(f.describe() for f in self.set_aside))
        return "FAILED: " + "; ".join(reasons)


def decide(failed: Iterable[FailedExpectation], evaluated: int, rejected: Mapping[str, Sequence[str]],
           documents: int, config: ValidationConfig, suites_digest: str) -> ValidationReport:
    """The report, and whether the candidate may be published (with `rejected` set aside)."""
    failures = tuple(sorted(failed, key=lambda f: (f.scope, f.suite, f.name)))
    report = ValidationReport(
        success=False, evaluated=evaluated, failed=failures, suites_sha256=suites_digest,
        rejected=tuple(sorted((doc_id, tuple(names)) for doc_id, names in rejected.items())),
        documents=documents, max_rejected_share=config.max_rejected_share)
    return replace(report, success=not report.blocking and not report.too_many_rejected)


def suites_sha256(config: ValidationConfig) -> str:
    """Names the expectations in force: rows checked under the same suites need no second look."""
    digest = hashlib.sha256()
    for name in _SUITES:
        digest.update((_suites_dir(config) / f"{name}.json").read_bytes())
    return digest.hexdigest()


def _suites_dir(config: ValidationConfig) -> Path:
    return Path(config.expectations_dir) if config.expectations_dir else DEFAULT_EXPECTATIONS_DIR


def load_suite(name: str, config: ValidationConfig, today: dt.date | None = None) -> dict:
    """A suite's JSON with its run-time bounds made concrete: the date ranges (GX compares dates
    only to datetimes) and the minimum text length. Each expectation's scope is checked."""
    suite = json.loads((_suites_dir(config) / f"{name}.json").read_text(encoding="utf-8"))
    latest = (today or dt.date.today()) + dt.timedelta(days=config.latest_date_margin_days)
    for expectation in suite["expectations"]:
        kwargs, meta = expectation["kwargs"], expectation.setdefault("meta", {})
        scope = meta.setdefault("scope", TABLE)  # unsaid, a failure blocks: the safe reading
        if scope not in (TABLE, DOCUMENT) or (scope == DOCUMENT and name != "corpus"):
            raise ValueError(f"{name}.json: {meta.get('name', expectation['type'])}: scope {scope!r} "
                             f"(document scope is for corpus rows; otherwise 'table')")
        if kwargs.get("column") in _DATE_COLUMNS and "min_value" in kwargs:
            kwargs["min_value"] = dt.datetime.fromisoformat(kwargs["min_value"] or config.earliest_date.isoformat())
            kwargs["max_value"] = dt.datetime.fromisoformat(kwargs["max_value"] or latest.isoformat())
        if expectation["type"] == "expect_column_value_lengths_to_be_between" and kwargs.get("min_value") is None:
            kwargs["min_value"] = config.min_text_chars
    return suite


def checked_columns(suite: dict) -> set[str]:
    """The columns a suite's expectations look at: only these become pandas frames (at a million
    rows every column of both tables as Python objects would cost gigabytes)."""
    return {e["kwargs"]["column"] for e in suite["expectations"] if "column" in e["kwargs"]}


def corpus_frame(corpus: pa.Table, columns: Collection[str]) -> pd.DataFrame:
    """The corpus as the suite checks it: doc_id (which names failing documents) and the checked
    `columns`, without its text (checked in chunks, see text_chunks)."""
    kept = [c for c in corpus.column_names if c != _CHUNKED_COLUMN and (c == "doc_id" or c in columns)]
    frame = corpus.select(kept).to_pandas()
    for column in _DATE_COLUMNS & set(kept):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def ledger_frame(sources: pa.Table, doc_ids: pa.Array | Collection[str], columns: Collection[str]) -> pd.DataFrame:
    """The ledger's checked `columns`, with the cross-table checks derived against the corpus's
    `doc_ids` (from its status, doc_id and reason)."""
    kept = [c for c in sources.column_names if c in columns or c in _LEDGER_DERIVED_FROM]
    sources_frame = sources.select(kept).to_pandas()
    quarantined = sources_frame["status"] == "quarantined"
    canonical = sources_frame["status"] == "canonical"
    has_doc = sources_frame["doc_id"].notna()
    # Arrow's hash lookup, not pandas' isin on Arrow-backed strings: 0.4 s against 6 s at a million rows.
    value_set = doc_ids if isinstance(doc_ids, pa.Array) else pa.array(list(doc_ids), pa.string())
    resolves = pc.is_in(sources.column("doc_id"), value_set=value_set).to_numpy(zero_copy_only=False)
    sources_frame["ledger_doc_id_resolves"] = (quarantined & ~has_doc) | (~quarantined & resolves)
    sources_frame["ledger_reason_given"] = sources_frame["reason"].notna() != canonical
    return sources_frame


def text_chunks(corpus: pa.Table, rows: int) -> Iterator[pd.DataFrame]:
    """The text column (with each row's doc_id) a slice at a time: its expectations look at one
    row at a time, and a whole 500 MB column turned into one frame costs more memory than the
    rest of a run."""
    for start in range(0, max(corpus.num_rows, 1), rows):
        yield corpus.select(["doc_id", _CHUNKED_COLUMN]).slice(start, rows).to_pandas()


def validate(corpus: pa.Table, sources: pa.Table, config: ValidationConfig,
             new_text: pa.Table | None = None, data_docs: Path | None = None) -> ValidationReport:
    """Run every suite; the report names each failing expectation and the documents to set
    aside. Expectations on the text look at one row at a time, so with `new_text` (the rows not
    yet validated under these suites, the others being byte-identical to published, validated
    rows) only those rows are checked. With `data_docs`, the Data Docs site is built there."""
    text = corpus if new_text is None else new_text
    return _run_suites(corpus, sources, text_chunks(text, config.text_chunk_rows), config, data_docs)


class _Suites:
    """Runs parts of the suites on frames in one Great Expectations context, gathering every
    failure, the documents that failed a document-scope expectation, and (for the Data Docs)
    each expectation's outcome."""

    def __init__(self, config: ValidationConfig) -> None:
        import great_expectations as gx  # slow import (seconds): only when validating
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from commclean.validate.datadocs import SuiteOutcomes

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._datasource = self.context.data_sources.add_pandas("candidate")
        self._definitions: dict[str, object] = {}
        self.suites = {name: load_suite(name, config) for name in _SUITES}
        self.failed: dict[tuple[str, str], FailedExpectation] = {}
        self.rejected: dict[str, list[str]] = {}
        self.outcomes = SuiteOutcomes()

    def part(self, suite: str, scope: str, on_text: bool) -> list[dict]:
        return [e for e in self.suites[suite]["expectations"]
                if e["meta"]["scope"] == scope and (e["kwargs"].get("column") == _CHUNKED_COLUMN) == on_text]

    def run(self, suite: str, part: str, expectations: list[dict], frame: pd.DataFrame) -> None:
        if not expectations:
            return
        definition = self._definition(suite, part, expectations)
        per_row = expectations[0]["meta"]["scope"] == DOCUMENT
        # Documents to set aside are named by doc_id; a full list of failing rows only there.
        result_format = ({"result_format": "COMPLETE", "unexpected_index_column_names": ["doc_id"]}
                         if per_row else "BASIC")
        run = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format)  # type: ignore[attr-defined]
        self.outcomes.add(suite, run)
        for outcome in run.results:
            if outcome.success:
                continue
            failure = _failure(suite, outcome)
            if per_row:
                for doc_id in _failing_doc_ids(outcome):
                    names = self.rejected.setdefault(doc_id, [])
                    if failure.name not in names:
                        names.append(failure.name)
            key = (suite, failure.name)
            self.failed[key] = self.failed[key].add(failure) if key in self.failed else failure

    def _definition(self, suite: str, part: str, expectations: list[dict]) -> object:
        from great_expectations.core import ExpectationSuite

        name = f"{suite}.{part}"
        if name not in self._definitions:
            added = self.context.suites.add(ExpectationSuite(name=name, expectations=expectations))
            asset = self._datasource.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
            self._definitions[name] = self.context.validation_definitions.add(
                self._gx.ValidationDefinition(name=name, data=asset, suite=added))
        return self._definitions[name]


def _run_suites(corpus: pa.Table, sources: pa.Table, texts: Iterable[pd.DataFrame],
                config: ValidationConfig, data_docs: Path | None = None) -> ValidationReport:
    """The corpus suite on every row (its text a chunk at a time): a table-scope failure there
    blocks whatever else is found, and the documents failing a document-scope expectation are
    set aside. Then the ledger suite, on the ledger as it would be published, with the set-aside
    documents' files quarantined."""
    from commclean.validate.setaside import ledger_with

    suites = _Suites(config)
    whole = corpus_frame(corpus, checked_columns(suites.suites["corpus"]))
    suites.run("corpus", "table", suites.part("corpus", TABLE, on_text=False), whole)
    suites.run("corpus", "document", suites.part("corpus", DOCUMENT, on_text=False), whole)
    for chunk in texts:
        suites.run("corpus", "table-text", suites.part("corpus", TABLE, on_text=True), chunk)
        suites.run("corpus", "document-text", suites.part("corpus", DOCUMENT, on_text=True), chunk)
    published_ids = _published_ids(corpus, suites.rejected.keys())
    ledger = ledger_frame(ledger_with(sources, suites.rejected), published_ids, checked_columns(suites.suites["sources"]))
    suites.run("sources", "table", suites.part("sources", TABLE, on_text=False), ledger)
    evaluated = sum(len(s["expectations"]) for s in suites.suites.values())
    report = decide(suites.failed.values(), evaluated, suites.rejected, corpus.num_rows, config,
                    suites_sha256(config))
    if data_docs is not None:
        index = suites.outcomes.build(suites.suites, data_docs, run_name="published" if report.success else "blocked")
        report = replace(report, data_docs=str(index))
    return report


def _published_ids(corpus: pa.Table, rejected: Collection[str]) -> pa.Array:
    """The corpus's doc_ids less the documents set aside."""
    ids = corpus.column("doc_id").combine_chunks()
    if not rejected:
        return ids
    return ids.filter(pc.invert(pc.is_in(ids, value_set=pa.array(sorted(rejected), pa.string()))))


def _failing_doc_ids(outcome) -> list[str]:  # noqa: ANN001 - GX's result type
    return [row["doc_id"] for row in (outcome.result or {}).get("unexpected_index_list") or ()]


def _failure(suite: str, outcome) -> FailedExpectation:  # noqa: ANN001 - GX's result type
    config = outcome.expectation_config
    result = outcome.result or {}
    scope = (config.meta or {}).get("scope", TABLE)
    if scope == DOCUMENT:
        column = config.kwargs.get("column")
        rows = (result.get("unexpected_index_list") or ())[:_EXAMPLES]
        examples = tuple(f"{row['doc_id']}: {_excerpt(row.get(column), config.kwargs)}" for row in rows)
    else:
        examples = tuple(str(v) for v in (result.get("partial_unexpected_list") or ())[:_EXAMPLES])
    error = (outcome.exception_info or {}).get("exception_message")
    return FailedExpectation(
        suite=suite,
        name=(config.meta or {}).get("name", config.type),
        expectation_type=config.type,
        column=config.kwargs.get("column"),
        unexpected_count=result.get("unexpected_count"),
        examples=examples or ((f"error: {error}",) if error else ()),
        scope=scope,
    )


def _excerpt(value: object, kwargs: Mapping[str, object]) -> str:
    """What a person needs to see of a failing value: a date as a date, and of a text the
    part around what the expectation's pattern found (or its beginning)."""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    text = str(value)
    patterns = kwargs.get("regex_list") or ([kwargs["regex"]] if "regex" in kwargs else [])
    for pattern in patterns:  # type: ignore[union-attr]
        found = re.search(str(pattern), text)
        if found:
            start = max(found.start() - _CONTEXT, 0)
            return ("…" if start else "") + text[start:found.end() + _CONTEXT] + "…"
    return text[:2 * _CONTEXT] + ("…" if len(text) > 2 * _CONTEXT else "")


class ValidationWorker:
    """Great Expectations in a helper process, started early in a run (`start`) so that its
    import (seconds) overlaps the run's other stages on the second core. Tables reach it as
    uncompressed Arrow files that it memory-maps; requests and reports go over its stdin and
    stdout. It is a plain `python -m commclean.validate.suites`, so the caller's main module is never
    imported again. It ends when its stdin closes, or when the run that started it ends (even
    mid-import), so a killed run never leaves it behind."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the helper, if it is not running yet (validating starts it too)."""
        if self._process is None:
            self._process = subprocess.Popen([sys.executable, "-m", "commclean.validate.suites", str(os.getpid())],
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    @property
    def started(self) -> bool:
        return self._process is not None

    def __enter__(self) -> ValidationWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self, at_once: bool = False) -> None:
        """End the helper, if it runs (`at_once`: even mid-import, with nothing asked of it yet);
        `start` (or validating) starts a new one."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        if at_once:
            process.kill()
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()

    def validate(self, corpus: pa.Table, sources: pa.Table, config: ValidationConfig,
                 new_text: pa.Table | None = None, scratch: Path | None = None,
                 data_docs: Path | None = None) -> ValidationReport:
        """Validate in the helper (see `validate`); the tables' copies go in `scratch`, the run's
        own folder in clean/, which the next run empties should this one be killed meanwhile."""
        self.start()
        assert self._process is not None and self._process.stdin is not None and self._process.stdout is not None
        with tempfile.TemporaryDirectory(prefix="commclean-validate-", dir=scratch) as folder:
            # The text goes in a file of its own, in chunks the helper reads one at a time: mapped
            # whole, 500 MB of text would count against the helper's memory.
            text = (corpus if new_text is None else new_text).select(["doc_id", _CHUNKED_COLUMN])
            tables = {"corpus": corpus.drop_columns([_CHUNKED_COLUMN]), "sources": sources, "text": text}
            paths = {name: str(Path(folder) / f"{name}.arrow") for name in tables}
            for name, table in tables.items():
                feather.write_feather(table, paths[name], compression="uncompressed",
                                      chunksize=config.text_chunk_rows)
            pickle.dump((paths, config, data_docs), self._process.stdin)
            self._process.stdin.flush()
            outcome = pickle.load(self._process.stdout)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


_started_early: ValidationWorker | None = None


def start_helper_if_updating(clean_dir: str | Path) -> None:
    """Start the helper now when the run this process is about to make updates a published corpus:
    such a run validates soon (few new files, processed in its own process), and the helper's
    import of Great Expectations (seconds) then overlaps the run's start (imports, Prefect's
    temporary server, discovery) instead of following it. A first build keeps the helper for
    after processing (see pipeline/sequence.py). The next validation_worker() hands it over; one
    never handed over ends with this process. A clean folder that cannot be looked into is left
    to the checks that say so."""
    global _started_early
    from commclean.store.publish import current_version

    with suppress(OSError):
        if _started_early is None and "great_expectations" not in sys.modules and current_version(clean_dir):
            _started_early = ValidationWorker()
            _started_early.start()


@contextmanager
def validation_worker() -> Iterator[ValidationWorker | None]:
    """A helper process for a process that has not loaded Great Expectations yet (a CLI run, a
    deployment's flow run), the one started early if there is one; a long-lived process that
    has (tests, `commclean serve`) validates in place, where GX costs nothing more."""
    global _started_early
    worker, _started_early = _started_early, None
    if worker is None and "great_expectations" in sys.modules:
        yield None
        return
    with worker or ValidationWorker() as helper:
        yield helper


def serve(parent: int | None = None) -> None:
    """The helper's loop: (paths, config, data_docs) in, a ValidationReport (or the exception) out.
    It ends with its parent even while importing GX, which takes seconds (more on a busy machine)
    before the loop would see its stdin close."""
    end_with_parent(parent)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever GX prints goes to stderr, never into the replies
    import great_expectations  # noqa: F401 - loaded before the first request arrives

    while True:
        try:
            paths, config, data_docs = pickle.load(sys.stdin.buffer)
        except EOFError:
            os._exit(0)  # nothing to tear down: skipping interpreter shutdown saves most of a second
        try:
            corpus, sources = (feather.read_table(paths[name], memory_map=True) for name in ("corpus", "sources"))
            outcome: object = _run_suites(corpus, sources, _text_chunks_of_file(paths["text"]), config, data_docs)
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
            yield pd.DataFrame({"doc_id": pd.Series([], dtype=object), _CHUNKED_COLUMN: pd.Series([], dtype=object)})


if __name__ == "__main__":
    from commclean.validate import suites as module  # the importable module, so reports unpickle as its types

    module.serve(int(sys.argv[1]) if len(sys.argv) > 1 else None)
