"""What changed between two published snapshots: documents added, removed and changed, and raw
files new, gone or given another status."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from commclean.store import CORPUS_FILE, SNAPSHOTS, SOURCES_FILE

# Columns a changed document is compared on. Not its text: the id derives from the text, so a
# new text is a new id, and the pairing by canonical file says when it is the same document.
COMPARED_COLUMNS = ("title", "date", "location", "doc_type", "issuer", "event_date", "is_truncated", "source_paths")


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
    files_changed: tuple[str, ...] = ()  # in both, with other bytes (a file saved again under its name)

    def lines(self, limit: int = 20) -> list[str]:
        out = [f"v{self.old} -> v{self.new}",
               f"documents: {len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed",
               *(f"  + {d.doc_id}  {d.title or '(no title)'}  ({d.canonical_path})" for d in self.added[:limit]),
               *(f"  - {d.doc_id}  {d.title or '(no title)'}  ({d.canonical_path})" for d in self.removed[:limit]),
               *(f"  ~ {c.doc_id}  {c.title or '(no title)'}: {', '.join(c.columns)}"
                 + (f" (was {c.was})" if c.was != c.doc_id else "") for c in self.changed[:limit]),
               f"files: {len(self.files_new)} new, {len(self.files_changed)} changed, {len(self.files_gone)} gone, "
               f"{len(self.files_restated)} with another status",
               *(f"  + {p}" for p in self.files_new[:limit]),
               *(f"  * {p}: other bytes" for p in self.files_changed[:limit]),
               *(f"  - {p}" for p in self.files_gone[:limit]),
               *(f"  ~ {p}: {a} -> {b}" for p, a, b in self.files_restated[:limit])]
        return out

    @property
    def empty(self) -> bool:
        """Nothing differs that this compares: the tables may still differ elsewhere (a reason,
        a text's repairs), which only a comparison of whole tables tells."""
        return not (self.added or self.removed or self.changed or self.files_new or self.files_gone
                    or self.files_restated or self.files_changed)

    def as_dict(self) -> dict:
        return asdict(self)


def diff_snapshots(clean_dir: str | Path, old: int, new: int) -> SnapshotDiff:
    """Compare snapshot `old` with snapshot `new` of the same clean folder."""
    folders = [Path(clean_dir) / SNAPSHOTS / f"v{v}" for v in (old, new)]
    for folder in folders:
        if not (folder / CORPUS_FILE).is_file():
            raise FileNotFoundError(f"no snapshot {folder.name} in {folder.parent}")
    (old_corpus, old_sources), (new_corpus, new_sources) = (snapshot_tables(f) for f in folders)
    return diff_tables(old_corpus, old_sources, new_corpus, new_sources, old, new)


def diff_tables(old_corpus: pa.Table, old_sources: pa.Table, new_corpus: pa.Table, new_sources: pa.Table,
                old: int, new: int, rebuilt: Collection[str] | None = None) -> SnapshotDiff:
    """The difference between two versions' tables. A document's id derives from its text, so
    only documents in `rebuilt` (default: all) can differ under the same id; the others are
    compared by id alone, which keeps this cheap for a run that carried most of its rows."""
    old_ids, new_ids = (set(t.column("doc_id").to_pylist()) for t in (old_corpus, new_corpus))
    gone, came = old_ids - new_ids, new_ids - old_ids
    common = old_ids & new_ids if rebuilt is None else old_ids & new_ids & set(rebuilt)
    before, after = _rows(old_corpus, gone | common), _rows(new_corpus, came | common)
    # A document whose text changed has a new id: the same canonical file names it in both.
    by_canonical = {before[d]["source_paths"][0]: d for d in gone}
    rewritten = {d: by_canonical[after[d]["source_paths"][0]] for d in sorted(came)
                 if after[d]["source_paths"][0] in by_canonical}
    changed = [ChangedDocument(d, d, after[d]["title"], _differences(before[d], after[d])) for d in common]
    changed += [ChangedDocument(d, was, after[d]["title"], ("text", *_differences(before[was], after[d])))
                for d, was in rewritten.items()]
    restated, saved_again = _in_both_and_differing(old_sources, new_sources)
    return SnapshotDiff(
        old, new,
        added=tuple(_ref(d, after[d]) for d in sorted(came - rewritten.keys())),
        removed=tuple(_ref(d, before[d]) for d in sorted(gone - set(rewritten.values()))),
        changed=tuple(sorted((c for c in changed if c.columns), key=lambda c: c.doc_id)),
        files_new=_paths_not_in(new_sources, old_sources),
        files_gone=_paths_not_in(old_sources, new_sources),
        files_restated=restated,
        files_changed=saved_again,
    )


def _paths_not_in(ledger: pa.Table, other: pa.Table) -> tuple[str, ...]:
    paths = ledger.column("path")
    missing = paths.filter(pc.invert(pc.is_in(paths, value_set=other.column("path").combine_chunks())))
    return tuple(sorted(missing.to_pylist()))


def _in_both_and_differing(before: pa.Table, after: pa.Table
                           ) -> tuple[tuple[tuple[str, str, str], ...], tuple[str, ...]]:
    """The files in both ledgers whose status changed (path, old status, new status), and those
    whose bytes did; one join in Arrow (a ledger may hold a million rows)."""
    columns = ["path", "status", "sha256"]
    both = before.select(columns).join(after.select(columns), "path", join_type="inner",
                                       left_suffix="_before", right_suffix="_after")
    moved = both.filter(pc.not_equal(both.column("status_before"), both.column("status_after")))
    saved_again = both.filter(pc.not_equal(both.column("sha256_before"), both.column("sha256_after")))
    return (tuple(sorted(zip(*(moved.column(c).to_pylist() for c in ("path", "status_before", "status_after"))))),
            tuple(sorted(saved_again.column("path").to_pylist())))


def snapshot_tables(folder: Path) -> tuple[pa.Table, pa.Table]:
    """A snapshot's corpus (the compared columns, without the text) and ledger (path, status, sha256).
    A snapshot of older code may lack a column added since: it compares as null."""
    present = set(pq.read_schema(folder / CORPUS_FILE).names)
    return (pq.read_table(folder / CORPUS_FILE, columns=[c for c in ("doc_id", *COMPARED_COLUMNS) if c in present]),
            pq.read_table(folder / SOURCES_FILE, columns=["path", "status", "sha256"]))


def _rows(corpus: pa.Table, ids: set[str]) -> dict[str, dict]:
    if not ids:
        return {}
    wanted = corpus.select([c for c in ("doc_id", *COMPARED_COLUMNS) if c in corpus.column_names]).filter(
        pc.is_in(corpus.column("doc_id"), value_set=pa.array(sorted(ids), pa.string())))
    return {row["doc_id"]: row for row in wanted.to_pylist()}


def _differences(before: dict, after: dict) -> tuple[str, ...]:
    return tuple(column for column in COMPARED_COLUMNS if before.get(column) != after.get(column))


def _ref(doc_id: str, row: dict) -> DocumentRef:
    return DocumentRef(doc_id, row["title"], row["source_paths"][0])
