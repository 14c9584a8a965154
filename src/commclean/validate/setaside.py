"""Set aside the documents that failed a document-scope expectation: out of the corpus, into the
quarantine table, their raw files quarantined in the ledger with the expectations they failed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from commclean.schema import QUARANTINE_SCHEMA, RowOrigins, Tables

REASON_PREFIX = "failed expectation: "

# doc_id -> the names of the document-scope expectations it failed, in the suite's order
Rejected = Mapping[str, Sequence[str]]


def ledger_reason(failed: Sequence[str]) -> str:
    return REASON_PREFIX + "; ".join(failed)


def kept_rows(corpus: pa.Table, rejected: Rejected) -> pa.Array:
    """A mask of the corpus rows that stay."""
    return pc.invert(pc.is_in(corpus.column("doc_id"), value_set=pa.array(sorted(rejected), pa.string())))


def ledger_with(sources: pa.Table, rejected: Rejected) -> pa.Table:
    """The ledger with every raw file of a rejected document (its canonical copy and its
    duplicates) quarantined, saying which expectations the document failed."""
    if not rejected:
        return sources
    doc_ids = sources.column("doc_id").to_pylist()
    hit = np.array([doc_id in rejected for doc_id in doc_ids], dtype=bool)
    status = np.where(hit, "quarantined", np.array(sources.column("status").to_pylist(), dtype=object))
    reasons = [ledger_reason(rejected[d]) if h else r
               for d, h, r in zip(doc_ids, hit.tolist(), sources.column("reason").to_pylist())]
    columns = {
        "status": pa.array(status.tolist(), pa.string()),
        "doc_id": pa.array([None if h else d for d, h in zip(doc_ids, hit.tolist())], pa.string()),
        "reason": pa.array(reasons, pa.string()),
    }
    for name, values in columns.items():
        sources = sources.set_column(sources.schema.get_field_index(name), sources.schema.field(name), values)
    return sources


def quarantine_table(corpus: pa.Table, rejected: Rejected) -> pa.Table:
    """The rejected documents' rows, as the corpus would have held them, with what they failed."""
    if not rejected:
        return QUARANTINE_SCHEMA.empty_table()
    rows = corpus.filter(pc.invert(kept_rows(corpus, rejected)))
    failed = pa.array([list(rejected[d]) for d in rows.column("doc_id").to_pylist()], pa.list_(pa.string()))
    return pa.Table.from_arrays([*rows.columns, failed], schema=QUARANTINE_SCHEMA)


def tables_without(tables: Tables, rejected: Rejected) -> Tables:
    """The output tables with the rejected documents set aside; the bookkeeping of where each
    row came from (for the next run to carry from) follows the rows that stay."""
    if not rejected:
        return tables
    keep = kept_rows(tables.corpus, rejected).to_numpy(zero_copy_only=False)
    built_keep = kept_rows(tables.built, rejected).to_numpy(zero_copy_only=False)
    origins = None
    if tables.origins is not None:
        # A built row's index moves down by the built rows set aside before it.
        new_index = np.cumsum(built_keep) - 1 if len(built_keep) else np.zeros(1, np.int64)
        old = tables.origins.from_previous
        rows = np.where(old, tables.origins.rows, new_index[np.where(old, 0, tables.origins.rows)])
        origins = RowOrigins(old[keep], rows[keep])
    return replace(
        tables,
        corpus=tables.corpus.filter(pa.array(keep)),
        sources=ledger_with(tables.sources, rejected),
        built=tables.built.filter(pa.array(built_keep)),
        signatures=[s for s, k in zip(tables.signatures, keep.tolist()) if k],
        origins=origins,
    )
