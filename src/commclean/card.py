"""The dataset card of a snapshot: a README.md in the Hugging Face format, so that the snapshot
folder loads as a dataset (`datasets.load_dataset("clean/current")`, config "sources" for the
ledger) and a person reading it learns what each column means and how it was made."""

from __future__ import annotations

import pyarrow as pa

from commclean.config import PIPELINE_VERSION
from commclean.schema import CORPUS_SCHEMA, QUARANTINE_SCHEMA, SOURCES_SCHEMA
from commclean.store import CORPUS_FILE, QUARANTINE_FILE, SOURCES_FILE

# Each config: its Parquet file and schema, and what it is.
_CONFIGS = (
    ("corpus", CORPUS_FILE, CORPUS_SCHEMA, "one row per document: the cleaned canonical text and its metadata"),
    ("sources", SOURCES_FILE, SOURCES_SCHEMA, "one row per entry under raw/: canonical, duplicate or quarantined"),
    ("quarantine", QUARANTINE_FILE, QUARANTINE_SCHEMA, "documents validation set aside, with the checks they failed"),
)


def _feature(field: pa.Field) -> str:
    """A column as the card's `features` list states it (the Hugging Face datasets names)."""
    kind = field.type
    if pa.types.is_list(kind):
        return f"  - name: {field.name}\n    list: {_dtype(kind.value_type)}"
    return f"  - name: {field.name}\n    dtype: {_dtype(kind)}"


def _dtype(kind: pa.DataType) -> str:
    names = {pa.string(): "string", pa.bool_(): "bool", pa.int64(): "int64", pa.date32(): "date32"}
    if kind not in names:
        raise ValueError(f"no dataset-card name for the Arrow type {kind}")
    return names[kind]


def dataset_card(version: int, manifest: dict) -> str:
    counts = manifest.get("counts", {})
    # datasets cannot load a config without rows ("corresponds to no data"): an empty
    # quarantine is described below but not offered as a config.
    configs = [c for c in _CONFIGS if c[0] != "quarantine" or counts.get("set_aside")]
    header = ["---", f'pretty_name: "commclean corpus, snapshot v{version}"', "configs:"]
    for name, file, _, _ in configs:
        header += [f"- config_name: {name}", "  data_files:", "  - split: train", f"    path: {file}"]
        header += ["  default: true"] if name == "corpus" else []
    header.append("dataset_info:")
    for name, _, schema, _ in configs:
        header += [f"- config_name: {name}", "  features:", *(_feature(f) for f in schema)]
    header.append("---")
    body = [
        "", f"# commclean corpus, snapshot v{version}", "",
        "Official statements (joint communiqués, ministerial statements, media notes) cleaned, "
        "deduplicated and validated by commclean from a folder of scraped and OCR'd files.", "",
        f"- Pipeline version {PIPELINE_VERSION}, published {manifest.get('created_at', '?')}.",
        f"- {counts.get('documents', '?')} documents from {counts.get('files_read', '?')} raw files: "
        f"{counts.get('duplicates', '?')} duplicates, {counts.get('quarantined', '?')} quarantined "
        f"({counts.get('set_aside', 0)} documents set aside by validation).",
        f"- Validation: {manifest.get('validation', {}).get('summary', '?')}; the Great Expectations "
        "Data Docs are in `data-docs/index.html`.", "",
        "Load it with `datasets.load_dataset(\"<clean>\")` (the current snapshot; `\"<clean>/snapshots/v<N>\"` "
        "for this one) and add `\"sources\"`, or `\"quarantine\"` when documents were set aside, for the "
        "other tables; or read the Parquet files with pandas, pyarrow, DuckDB or Polars.", "",
    ]
    for name, file, schema, what in _CONFIGS:
        body += [f"## `{name}` ({file}): {what}", "", "| column | meaning |", "|---|---|"]
        body += [f"| `{f.name}` | {(f.metadata or {}).get(b'description', b'').decode()} |" for f in schema]
        body.append("")
    return "\n".join(header + body)
