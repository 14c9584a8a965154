"""What changed between two published snapshots: documents added, removed and changed, and raw
files new, gone or given another status."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow.parquet as pq

from commclean.store import CORPUS_FILE, SNAPSHOTS, SOURCES_FILE

# Columns a changed document is compared on: its id derives from its text, so a new text is a
# new id; the pairing by canonical file below says when that is the same document, rewritten.
_COMPARED = ("title", "date", "location", "doc_type", "issuer", "event_date", "is_truncated", "source_paths", "text")


@dataclass(frozen=True)
class ChangedDocument:
    doc_id: str  # in the newer snapshot
    was: str  # its doc_id in the older one (the same unless its text changed)
    title: str | None
    columns: tuple[str, ...]  # what differs


@dataclass(frozen=True)
class DocumentRef:
    doc_id: str
    title: str | None
    canonical_path: str


@dataclass(frozen=True)
class SnapshotDiff:
    old: int
    new: int
    added: tuple[DocumentRef, ...]
    removed: tuple[DocumentRef, ...]
    changed: tuple[ChangedDocument, ...]
    files_new: tuple[str, ...]
    files_gone: tuple[str, ...]
    files_restated: tuple[tuple[str, str, str], ...]  # (path, old status, new status)

    def lines(self, limit: int = 20) -> list[str]:
        out = [f"v{self.old} -> v{self.new}",
               f"documents: {len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed",
               *(f"  + {d.doc_id}  {d.title or '(no title)'}  ({d.canonical_path})" for d in self.added[:limit]),
               *(f"  - {d.doc_id}  {d.title or '(no title)'}  ({d.canonical_path})" for d in self.removed[:limit]),
               *(f"  ~ {c.doc_id}  {c.title or '(no title)'}: {', '.join(c.columns)}"
                 + (f" (was {c.was})" if c.was != c.doc_id else "") for c in self.changed[:limit]),
               f"files: {len(self.files_new)} new, {len(self.files_gone)} gone, "
               f"{len(self.files_restated)} with another status",
               *(f"  + {p}" for p in self.files_new[:limit]),
               *(f"  - {p}" for p in self.files_gone[:limit]),
               *(f"  ~ {p}: {a} -> {b}" for p, a, b in self.files_restated[:limit])]
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def diff_snapshots(clean_dir: str | Path, old: int, new: int) -> SnapshotDiff:
    """Compare snapshot `old` with snapshot `new` of the same clean folder."""
    folders = [Path(clean_dir) / SNAPSHOTS / f"v{v}" for v in (old, new)]
    for folder in folders:
        if not (folder / CORPUS_FILE).is_file():
            raise FileNotFoundError(f"no snapshot {folder.name} in {folder.parent}")
    before, after = (_documents(f) for f in folders)
    gone, came = before.keys() - after.keys(), after.keys() - before.keys()
    # A document whose text changed has a new id: the same canonical file names it in both.
    by_canonical = {before[d]["source_paths"][0]: d for d in gone}
    rewritten = {d: by_canonical[after[d]["source_paths"][0]] for d in sorted(came)
                 if after[d]["source_paths"][0] in by_canonical}
    changed = [ChangedDocument(d, d, after[d]["title"], _differences(before[d], after[d]))
               for d in sorted(before.keys() & after.keys())]
    changed += [ChangedDocument(d, was, after[d]["title"], _differences(before[was], after[d]))
                for d, was in rewritten.items()]
    ledger_before, ledger_after = (_ledger(f) for f in folders)
    return SnapshotDiff(
        old, new,
        added=tuple(_ref(d, after[d]) for d in sorted(came - rewritten.keys())),
        removed=tuple(_ref(d, before[d]) for d in sorted(gone - set(rewritten.values()))),
        changed=tuple(sorted((c for c in changed if c.columns), key=lambda c: c.doc_id)),
        files_new=tuple(sorted(ledger_after.keys() - ledger_before.keys())),
        files_gone=tuple(sorted(ledger_before.keys() - ledger_after.keys())),
        files_restated=tuple((p, ledger_before[p], ledger_after[p]) for p in sorted(ledger_before.keys() & ledger_after.keys())
                             if ledger_before[p] != ledger_after[p]),
    )


def _documents(folder: Path) -> dict[str, dict]:
    rows = pq.read_table(folder / CORPUS_FILE, columns=["doc_id", *_COMPARED]).to_pylist()
    return {row["doc_id"]: row for row in rows}


def _ledger(folder: Path) -> dict[str, str]:
    table = pq.read_table(folder / SOURCES_FILE, columns=["path", "status"])
    return dict(zip(table.column("path").to_pylist(), table.column("status").to_pylist()))


def _differences(before: dict, after: dict) -> tuple[str, ...]:
    return tuple(column for column in _COMPARED if before[column] != after[column])


def _ref(doc_id: str, row: dict) -> DocumentRef:
    return DocumentRef(doc_id, row["title"], row["source_paths"][0])
