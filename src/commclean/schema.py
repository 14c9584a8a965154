"""The public output contract: Arrow schemas of corpus.parquet and sources.parquet, and conversion."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from commclean.records import Candidate, CorpusRow, FusedMetadata

_DOC = {
    "doc_id": "Stable id of the document, derived from its canonical text.",
    "text": "Cleaned text of the canonical copy; paragraphs separated by one blank line.",
    "title": "Title as the document states it; null if no copy states one.",
    "date": ("Date of issue; null unless some copy states it (never guessed: the date of a meeting the statement "
             "reports is event_date)."),
    "location": "Place of the meeting or of issue, as the text states it; null otherwise.",
    "doc_type": "Kind of document from a small vocabulary (README); null if unknown.",
    "is_truncated": "True when the best text we have is cut off.",
    "source_paths": "Raw files holding this document, relative to raw/; the canonical source first.",
    "repairs": "Names of the repairs applied to the canonical text, in order.",
    "title_source": "Where the title came from (and which copy, if not the canonical).",
    "date_source": "Where the date came from (and which copy, if not the canonical).",
    "location_source": "Where the location came from (and which copy, if not the canonical).",
    "doc_type_source": "Where the document type came from (and which copy, if not the canonical).",
    "issuer": "Who issued it (an office, a ministry, a named official) where a copy states it; null otherwise.",
    "issuer_source": "Where the issuer came from (and which copy, if not the canonical).",
    "event_date": "Date of the meeting, talks or call the opening reports (may precede the date of issue); null otherwise.",
    "event_date_source": "Where the event date came from (and which copy, if not the canonical).",
}
_SRC = {
    "path": "Raw file path relative to the raw folder.",
    "sha256": "SHA-256 of the raw bytes.",
    "size_bytes": "Size of the raw file in bytes.",
    "encoding": "Encoding the bytes were decoded with; null if undecodable.",
    "status": "canonical | duplicate | quarantined.",
    "doc_id": "The corpus document this file is a copy of; null exactly when quarantined.",
    "reason": "Why duplicate or quarantined; null for canonical.",
    "is_truncated": "True when this file's text is cut off.",
}


def _schema(types: dict[str, pa.DataType], docs: dict[str, str], nullable: set[str]) -> pa.Schema:
    return pa.schema(
        [pa.field(name, kind, nullable=name in nullable, metadata={"description": docs[name]})
         for name, kind in types.items()]
    )


CORPUS_SCHEMA = _schema(
    {
        "doc_id": pa.string(),
        "text": pa.string(),
        "title": pa.string(),
        "date": pa.date32(),
        "location": pa.string(),
        "doc_type": pa.string(),
        "is_truncated": pa.bool_(),
        "source_paths": pa.list_(pa.string()),
        "repairs": pa.list_(pa.string()),
        "title_source": pa.string(),
        "date_source": pa.string(),
        "location_source": pa.string(),
        "doc_type_source": pa.string(),
        "issuer": pa.string(),
        "issuer_source": pa.string(),
        "event_date": pa.date32(),
        "event_date_source": pa.string(),
    },
    _DOC,
    nullable={"title", "date", "location", "doc_type", "title_source", "date_source",
              "location_source", "doc_type_source", "issuer", "issuer_source", "event_date", "event_date_source"},
)
SOURCES_SCHEMA = _schema(
    {
        "path": pa.string(),
        "sha256": pa.string(),
        "size_bytes": pa.int64(),
        "encoding": pa.string(),
        "status": pa.string(),
        "doc_id": pa.string(),
        "reason": pa.string(),
        "is_truncated": pa.bool_(),
    },
    _SRC,
    nullable={"encoding", "doc_id", "reason"},
)


QUARANTINE_SCHEMA = CORPUS_SCHEMA.append(pa.field(
    "failed_expectations", pa.list_(pa.string()), nullable=False,
    metadata={"description": "The document-scope expectations (expectations/corpus.json) this document failed; "
                             "its raw files are quarantined in sources.parquet with the same names."}))


@dataclass(frozen=True)
class RowOrigins:
    """Where each row of a corpus table came from: the previous corpus or the rows built."""

    from_previous: np.ndarray  # bool
    rows: np.ndarray  # int64, the row in the table it came from


@dataclass(frozen=True)
class Tables:
    """The two output tables, built once from a candidate and then validated and published."""

    corpus: pa.Table
    sources: pa.Table
    built: pa.Table  # the corpus rows this run built (the others were carried from the snapshot)
    signatures: list[bytes] = field(default_factory=list)  # each corpus row's signature digest
    origins: RowOrigins | None = None  # None: every row was built


def tables_for(candidate: Candidate, previous: pa.Table | None = None) -> Tables:
    """The rows built and the rows carried from the previous corpus (which must hold every
    carried id), in doc_id order as a full rebuild orders them."""
    built = candidate.built
    sources = sources_table(candidate)
    if not candidate.carried:
        return Tables(built, sources, built, _digests(built, candidate))
    corpus, origins = merge_rows(built, previous, candidate.carried)
    return Tables(corpus, sources, built, _digests(corpus, candidate), origins)


def _digests(corpus: pa.Table, candidate: Candidate) -> list[bytes]:
    return [candidate.signatures[doc_id] for doc_id in corpus.column("doc_id").to_pylist()]


_METADATA_COLUMNS = ("title", "title_source", "date", "date_source", "location", "location_source", "doc_type",
                     "doc_type_source", "issuer", "issuer_source", "event_date", "event_date_source")


def corpus_table(rows: Sequence[CorpusRow]) -> pa.Table:
    """Corpus rows as a table of the published schema."""
    meta = [row.metadata for row in rows]
    columns = {
        "doc_id": [r.doc_id for r in rows],
        "text": [r.text for r in rows],
        "is_truncated": [r.is_truncated for r in rows],
        "source_paths": [list(r.source_paths) for r in rows],
        "repairs": [list(r.repairs) for r in rows],
    }
    columns |= {name: [getattr(m, name) for m in meta] for name in _METADATA_COLUMNS}
    return pa.Table.from_pydict({name: columns[name] for name in CORPUS_SCHEMA.names}, schema=CORPUS_SCHEMA)


def corpus_rows(table: pa.Table) -> list[CorpusRow]:
    """A corpus table's rows as records again (for reading a candidate in tests and benchmarks)."""
    return [
        CorpusRow(row["doc_id"], row["text"], FusedMetadata(**{name: row[name] for name in _METADATA_COLUMNS}),
                  row["is_truncated"], tuple(row["source_paths"]), tuple(row["repairs"]))
        for row in table.to_pylist()
    ]


def sources_table(candidate: Candidate) -> pa.Table:
    rows = candidate.sources
    return pa.Table.from_pydict(
        {
            "path": [r.path for r in rows],
            "sha256": [r.sha256 for r in rows],
            "size_bytes": [r.size_bytes for r in rows],
            "encoding": [r.encoding for r in rows],
            "status": [str(r.status) for r in rows],
            "doc_id": [r.doc_id for r in rows],
            "reason": [r.reason for r in rows],
            "is_truncated": [r.is_truncated for r in rows],
        },
        schema=SOURCES_SCHEMA,
    )


def merge_rows(built: pa.Table, previous: pa.Table, kept: Collection[str]) -> tuple[pa.Table, RowOrigins]:
    """The rows built this run and the `kept` rows of the previous corpus, in doc_id order (both
    tables are in it), made of slices of the two tables: no row is copied, so carrying 100k
    documents costs what carrying their ids costs. Also where each row came from."""
    wanted = set(kept)
    order = sorted(
        [(doc_id, 0, row) for row, doc_id in enumerate(previous.column("doc_id").to_pylist()) if doc_id in wanted]
        + [(doc_id, 1, row) for row, doc_id in enumerate(built.column("doc_id").to_pylist())]
    )
    origins = RowOrigins(np.array([source == 0 for _, source, _ in order], dtype=bool),
                         np.array([row for _, _, row in order], dtype=np.int64))
    tables = (previous, built)
    pieces: list[pa.Table] = []
    start = 0
    for i in range(1, len(order) + 1):
        run_ends = i == len(order) or order[i][1] != order[i - 1][1] or order[i][2] != order[i - 1][2] + 1
        if run_ends:
            source, first = order[start][1], order[start][2]
            pieces.append(tables[source].slice(first, i - start))
            start = i
    return (pa.concat_tables(pieces) if pieces else built), origins
