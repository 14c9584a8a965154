"""Cleaning quality of the whole pipeline on a labelled noisy set, split into tune and test documents.

Usage: python benchmarks/quality.py [--set ../shared/corpus-dev-noisy] [--split benchmarks/dev_split.json]
                                    [--clean ../shared/corpus-dev ../shared/corpus-extra] [--misses]

A labelled set is a folder like ../shared/corpus-dev-noisy: `raw/`, `labels.jsonl` (one row per raw
file: group, truncated, kind, ref, gold_title/date/location, states_date/location) and the `ref`
texts. `benchmarks/make_heldout.py` writes sets of the same shape from statements the rules were
never written against. The pipeline (no Prefect) runs once on `raw/`; each gold document (a label
group) is judged on the corpus row holding most of its files, and every measure is reported for
the `tune` and `test` documents of the split (rules are written looking at tune only) and for all.

- kept CER / naive CER: Levenshtein distance of the kept text to the most of the gold any copy holds
  (the full gold when some copy is complete), over the same for each real file decoded and nothing
  else against its own reference; whitespace runs collapsed. "OCR canonicals" restricts both to
  documents whose kept copy is an OCR file.
- paragraph F1: paragraph ends after words aligned with that reference.
- truncation: a file is truncated when its label says so; a document when none of its copies is
  complete. Precision and recall of `sources.is_truncated` and `corpus.is_truncated`.
- metadata: as benchmarks/metadata_bench.py (date where a copy states one, else null; title
  exact after quote and case normalisation; place by city, where a copy states it).
- clean statements: each file of the --clean folders (title line, blank line, paragraphs) built
  alone through the pipeline must come out as it went in.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import platform
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).parent))
from dev_labels import DEFAULT_DEV, normalise_title  # noqa: E402
from repair_quality import boundaries, collapse  # noqa: E402

from commclean.config import Config, DecodeConfig  # noqa: E402
from commclean.ingest.decode import decode_bytes  # noqa: E402
from commclean.pipeline import build_candidate  # noqa: E402
from commclean.records import Candidate, CorpusRow, RawFile  # noqa: E402
from commclean.schema import corpus_rows  # noqa: E402

HERE = Path(__file__).parent
SHARED = HERE.resolve().parents[1] / "shared"
EXTRA_SPLIT = HERE / "extra_split.json"  # corpus-extra's tune and test statements
EXTRA_PLACES = HERE / "extra_places.json"  # places of corpus-extra's tune statements, labelled by hand
TARGETS = {
    "kept CER / naive CER": ("<=", 0.30),
    "OCR canonicals: kept CER / naive CER": ("<=", 0.10),
    "paragraph-break F1": (">=", 0.95),
    "real files quarantined": ("<=", 0),
    "dedup pair precision": (">=", 0.99),
    "dedup pair recall": (">=", 0.99),
    "documents split over several rows": ("<=", 0),
    "files truncated: precision": (">=", 0.95),
    "files truncated: recall": (">=", 0.95),
    "documents truncated: precision": (">=", 0.95),
    "documents truncated: recall": (">=", 0.95),
    "date exact where stated": (">=", 0.95),
    "date null where none stated": (">=", 1.0),
    "title exact": (">=", 0.95),
    "place right where stated (city)": (">=", 0.90),
    "place null where none stated": (">=", 0.98),
}


@dataclass(frozen=True)
class FileLabel:
    path: str
    group: str | None
    truncated: bool
    kind: str
    ref: str | None
    title: str | None
    date: str | None
    location: str | None
    states_date: bool
    states_location: bool


def load(set_dir: Path) -> dict[str, FileLabel]:
    labels = {}
    for line in (set_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[row["path"]] = FileLabel(
            row["path"], row["group"], bool(row["truncated"]), row.get("kind", ""), row.get("ref"),
            row.get("gold_title"), row.get("gold_date"), row.get("gold_location"),
            bool(row.get("states_date")), bool(row.get("states_location")))
    return labels


def naive_text(path: Path) -> str:
    decoded = decode_bytes(RawFile("", "", 0, ""), path.read_bytes(), DecodeConfig(min_document_chars=1))
    return decoded.text or ""


def ratio(a: float, b: float, empty: float = 1.0) -> float:
    return a / b if b else empty


def precision_recall(flags: Iterable[tuple[bool, bool]]) -> tuple[float, float]:
    counts = collections.Counter(flags)
    tp, fp, fn = counts[(True, True)], counts[(True, False)], counts[(False, True)]
    return ratio(tp, tp + fp), ratio(tp, tp + fn)


@dataclass
class GroupResult:
    group: str
    kept_distance: int
    reference_length: int
    naive_distance: int
    naive_length: int
    ocr_canonical: bool
    canonical_naive_distance: int
    canonical_naive_length: int
    paragraphs: tuple[int, int, int]
    truncated: tuple[bool, bool]  # (ours, gold)
    date: tuple[str, str | None, str | None, str | None]  # (measure, gold, ours, source)
    title: tuple[bool, str | None, str | None, str | None]
    place: tuple[bool, str | None, str | None, str | None]  # (right, gold, ours, source)
    canonical_path: str
    longest_path: str


def judge_groups(set_dir: Path, labels: dict[str, FileLabel], candidate: Candidate) -> list[GroupResult]:
    rows: dict[str, CorpusRow] = {row.doc_id: row for row in corpus_rows(candidate.built)}
    docs_of = collections.defaultdict(list)
    for source in candidate.sources:
        if source.doc_id and labels[source.path].group:
            docs_of[labels[source.path].group].append(source.doc_id)
    files_of = collections.defaultdict(list)
    for label in labels.values():
        if label.group:
            files_of[label.group].append(label)
    results = []
    for group, copies in sorted(files_of.items()):
        refs = {c.path: (set_dir / c.ref).read_text(encoding="utf-8") for c in copies}
        longest = max(copies, key=lambda c: (len(collapse(refs[c.path])), c.path))
        reference = refs[longest.path]
        ids = docs_of.get(group)
        row = rows[collections.Counter(ids).most_common(1)[0][0]] if ids else None
        kept = row.text if row else ""
        canonical = labels[row.source_paths[0]] if row else copies[0]
        naive = {c.path: naive_text(set_dir / "raw" / c.path) for c in copies}
        naive_distance = sum(Levenshtein.distance(collapse(naive[c.path]), collapse(refs[c.path])) for c in copies)
        naive_length = sum(len(collapse(refs[c.path])) for c in copies)
        meta = row.metadata if row else None
        date = str(meta.date) if meta and meta.date else None
        gold = copies[0]
        if any(c.states_date for c in copies):
            date_judged = ("date exact where stated", gold.date, date, meta and meta.date_source)
        else:
            date_judged = ("date null where none stated", None, date, meta and meta.date_source)
        title = meta.title if meta else None
        ours = meta.location if meta else None
        if any(c.states_location for c in copies):
            place = (_city(ours) == _city(gold.location), gold.location, ours, meta and meta.location_source)
        else:
            place = (ours is None, None, ours, meta and meta.location_source)
        results.append(GroupResult(
            group, Levenshtein.distance(collapse(kept), collapse(reference)), len(collapse(reference)),
            naive_distance, naive_length, canonical.kind == "ocr",
            Levenshtein.distance(collapse(naive[canonical.path]), collapse(refs[canonical.path])),
            len(collapse(refs[canonical.path])),
            boundaries(kept, reference), (bool(row and row.is_truncated), all(c.truncated for c in copies)),
            date_judged,
            (normalise_title(title) == normalise_title(gold.title), gold.title, title, meta and meta.title_source),
            place, canonical.path, longest.path,
        ))
    return results


def _city(place: str | None) -> str | None:
    return place.split(",")[0].strip().lower() if place else None


def measures(results: list[GroupResult], labels: dict[str, FileLabel], candidate: Candidate) -> dict[str, object]:
    groups = {r.group for r in results}
    kept = sum(r.kept_distance for r in results) / max(1, sum(r.reference_length for r in results))
    naive = sum(r.naive_distance for r in results) / max(1, sum(r.naive_length for r in results))
    ocr = [r for r in results if r.ocr_canonical]
    ocr_kept = sum(r.kept_distance for r in ocr) / max(1, sum(r.reference_length for r in ocr))
    ocr_naive = sum(r.canonical_naive_distance for r in ocr) / max(1, sum(r.canonical_naive_length for r in ocr))
    tp, fp, fn = (sum(r.paragraphs[i] for r in results) for i in range(3))
    p, r_ = ratio(tp, tp + fp), ratio(tp, tp + fn)
    files = [s for s in candidate.sources if labels[s.path].group in groups]
    file_p, file_r = precision_recall((s.is_truncated, labels[s.path].truncated) for s in files)
    doc_p, doc_r = precision_recall(r.truncated for r in results)
    dates = collections.defaultdict(list)
    for r in results:
        dates[r.date[0]].append(r.date[1] == r.date[2])
    labelled = any(label.location for label in labels.values())  # generated sets label no places
    places = [r.place[0] for r in results if r.place[1] is not None]
    no_places = [r.place[0] for r in results if r.place[1] is None and labelled]
    pair_p, pair_r, split = _pairs(files, labels)
    return {
        "documents": len(results),
        "dedup pair precision": pair_p,
        "dedup pair recall": pair_r,
        "documents split over several rows": split,
        "kept CER / naive CER": ratio(kept, naive, 0.0),
        "OCR canonicals: kept CER / naive CER": ratio(ocr_kept, ocr_naive, 0.0),
        "paragraph-break F1": ratio(2 * p * r_, p + r_),
        "real files quarantined": sum(s.status == "quarantined" for s in files),
        "files truncated: precision": file_p,
        "files truncated: recall": file_r,
        "documents truncated: precision": doc_p,
        "documents truncated: recall": doc_r,
        "date exact where stated": _share(dates["date exact where stated"]),
        "date null where none stated": _share(dates["date null where none stated"]),
        "title exact": _share([r.title[0] for r in results]),
        "place right where stated (city)": _share(places) if labelled else "not labelled",
        "place null where none stated": _share(no_places) if labelled else "not labelled",
        "(kept CER, naive CER)": f"{kept:.4f}, {naive:.4f}",
        "(OCR canonicals)": len(ocr),
        "(dates stated / places stated)": f"{len(dates['date exact where stated'])} / {len(places)}",
    }


def _pairs(files: list, labels: dict[str, FileLabel]) -> tuple[float, float, int]:  # noqa: ANN001 - SourceRow
    """Pairwise precision and recall over the real files kept: two files are a true pair when
    their labels give the same document; and how many documents came out as more than one row."""
    kept = [(s.doc_id, labels[s.path].group) for s in files if s.doc_id]
    same_doc = collections.Counter(d for d, _ in kept)
    same_group = collections.Counter(g for _, g in kept)
    both = collections.Counter(kept)
    pairs = lambda counts: sum(n * (n - 1) // 2 for n in counts.values())  # noqa: E731
    tp = pairs(both)
    rows_per_group = collections.Counter(g for d, g in set(kept))
    return ratio(tp, pairs(same_doc)), ratio(tp, pairs(same_group)), sum(1 for n in rows_per_group.values() if n > 1)


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


@dataclass
class CleanResult:
    files: int
    changed: list[str]
    titles_exact: int
    dates_found: int
    dates_within: int  # on or up to 30 days before the publication date
    writes_own_date: int  # the text writes its publication date out
    own_date_found: int  # ... and the date (or the event date) is that date
    own_date_as_date: int  # ... found as the date of issue
    events_found: int = 0
    events_within: int = 0
    places_stated: int = 0  # labelled statements (extra_places.json) whose text states a place
    places_right: int = 0  # ... found, its city matching
    places_unstated: int = 0  # labelled statements stating none
    places_null: int = 0  # ... given none
    place_misses: list[str] = field(default_factory=list)


def clean_checks(folder: Path, parts: dict[str, set[str]] | None = None, places: dict[str, str | None] | None = None
                 ) -> tuple[dict[str, CleanResult], list[str]]:
    """Each clean statement built through the pipeline: its corpus text must be its file text, its
    title the first line; a date found must lie on or within 30 days before the publication date
    (index.jsonl `published` or `date`), and one the text writes out must be found. Results for
    every statement ("all") and for each named part (statement file names without .txt); with a
    "tune" part, the tune statements whose own date was missed, with the words around it. `places`
    (statement -> labelled place or None) scores the place found, by city."""
    files = sorted(folder.glob("*.txt"))
    index = {row["file"]: row for row in map(json.loads, (folder / "index.jsonl").read_text(encoding="utf-8").splitlines())}
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        for path in files:
            (raw / path.name).write_bytes(path.read_bytes())
        candidate = build_candidate(raw, Config()).candidate
    rows = {row.source_paths[0]: row for row in corpus_rows(candidate.built)}
    quarantined = {s.path for s in candidate.sources if s.status == "quarantined"}
    wanted = {"all": None, **(parts or {})}
    results = {name: CleanResult(0, [], 0, 0, 0, 0, 0, 0) for name in wanted}
    misses: list[str] = []
    for path in files:
        for name, members in wanted.items():
            if members is None or path.stem in members:
                row = rows.get(path.name)
                missed = _check_clean(path, row, path.name in quarantined, index[path.name], results[name])
                if places is not None and path.stem in places and row is not None:
                    _check_place(path.stem, places[path.stem], row, results[name])
                if missed and name == "tune":
                    misses.append(f"{path.name}: {missed}")
    return results, misses


def _check_clean(path: Path, row: CorpusRow | None, quarantined: bool, entry: dict, result: CleanResult) -> str | None:
    """Adds one statement to `result`; returns the words around its own date when it was missed."""
    gold = path.read_text(encoding="utf-8").strip()
    result.files += 1
    if quarantined:
        result.changed.append(f"{path.name}: quarantined")
    if row is None:
        return None  # an exact or near copy of another clean file is kept once: not a change
    if row.text != gold:
        result.changed.append(f"{path.name}: {_first_difference(gold, row.text)}")
    published = dt.date.fromisoformat(entry.get("published") or entry["date"])
    result.titles_exact += normalise_title(row.metadata.title) == normalise_title(gold.split("\n", 1)[0])
    if row.metadata.date:
        result.dates_found += 1
        result.dates_within += 0 <= (published - row.metadata.date).days <= 30
    if row.metadata.event_date:
        result.events_found += 1
        result.events_within += 0 <= (published - row.metadata.event_date).days <= 30
    forms = (f"{published:%B} {published.day}, {published.year}", f"{published.day} {published:%B} {published.year}")
    at = [gold.find(form) for form in forms if form in gold]
    if not at:
        return None
    result.writes_own_date += 1
    found = published in (row.metadata.date, row.metadata.event_date)
    result.own_date_found += found
    result.own_date_as_date += published == row.metadata.date
    if found:
        return None
    return (f"date {row.metadata.date} event {row.metadata.event_date} | "
            f"{gold[max(0, at[0] - 200) : at[0] + 60]!r}")


def _check_place(name: str, gold: str | None, row: CorpusRow, result: CleanResult) -> None:
    ours = row.metadata.location
    if gold is None:
        result.places_unstated += 1
        result.places_null += ours is None
    else:
        result.places_stated += 1
        result.places_right += _city(ours) == _city(gold)
    if _city(ours) != _city(gold):
        result.place_misses.append(f"{name}: gold {gold!r} ours {ours!r} ({row.metadata.location_source})")


def _first_difference(gold: str, ours: str) -> str:
    for tag, a0, a1, b0, b1 in Levenshtein.opcodes(gold, ours):
        if tag != "equal":
            return f"{tag} {gold[max(0, a0 - 30):a1 + 10]!r} -> {ours[max(0, b0 - 30):b1 + 10]!r}"
    return "same"


def _format(name: str, value: object) -> str:
    if not isinstance(value, float):
        return str(value)
    return f"{value:.3f}" if "CER" not in name else f"{value:.0%}"


def _met(name: str, value: object) -> str:
    if name not in TARGETS or not isinstance(value, (int, float)):
        return ""
    op, target = TARGETS[name]
    ok = value <= target if op == "<=" else value >= target
    return "" if ok else " **(miss)**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_DEV, dest="set_dir")
    parser.add_argument("--split", type=Path, default=None,
                        help="JSON with tune/test group lists (default: dev_split.json for the dev set)")
    parser.add_argument("--clean", type=Path, nargs="*", default=None,
                        help="folders of clean statements that must pass unchanged")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    split_file = args.split or (HERE / "dev_split.json" if args.set_dir.resolve() == DEFAULT_DEV.resolve() else None)
    labels = load(args.set_dir)
    candidate = build_candidate(args.set_dir / "raw", Config()).candidate
    results = judge_groups(args.set_dir, labels, candidate)
    parts: dict[str, list[GroupResult]] = {}
    if split_file:
        split = json.loads(split_file.read_text(encoding="utf-8"))
        parts = {name: [r for r in results if r.group in set(split[name])] for name in ("tune", "test")}
    parts["all"] = results
    table = {name: measures(part, labels, candidate) for name, part in parts.items()}
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; set {args.set_dir.name}, "
          f"{len(labels)} files\n")
    print("| measure | " + " | ".join(table) + " | target |")
    print("|---|" + "---|" * (len(table) + 1))
    for name in table["all"]:
        target = TARGETS.get(name)
        cells = " | ".join(_format(name, t[name]) + _met(name, t[name]) for t in table.values())
        print(f"| {name} | {cells} | {f'{target[0]} {target[1]}' if target else ''} |")
    junk = [p for p, label in labels.items() if label.group is None]
    quarantined = {s.path for s in candidate.sources if s.status == "quarantined"}
    print(f"\nJunk files quarantined: {len(set(junk) & quarantined)}/{len(junk)}")
    if args.misses:
        print_misses(results, labels, candidate, {r.group for r in parts.get("tune", results)} - _test_groups())
    for folder in args.clean if args.clean is not None else [SHARED / "corpus-dev", SHARED / "corpus-extra"]:
        clean_split = EXTRA_SPLIT if folder.resolve() == (SHARED / "corpus-extra").resolve() else None
        parts = ({name: set(json.loads(clean_split.read_text(encoding="utf-8"))[name]) for name in ("tune", "test")}
                 if clean_split else None)
        places = json.loads(EXTRA_PLACES.read_text(encoding="utf-8"))["tune"] if clean_split else None
        results, own_date_misses = clean_checks(folder, parts, places)
        for part, r in results.items():
            print(f"\nClean statements, {folder.name} ({part}): unchanged {r.files - len(r.changed)}/{r.files}; "
                  f"titles exact {r.titles_exact}/{r.files}; dates found {r.dates_found}, of which on or up to 30 "
                  f"days before the publication date {r.dates_within}; texts writing their publication date out "
                  f"{r.writes_own_date}, found as date of issue {r.own_date_as_date}, as date of issue or event date "
                  f"{r.own_date_found}; event dates found {r.events_found}, of which on or up to 30 days before "
                  f"{r.events_within}")
            if r.places_stated or r.places_unstated:
                print(f"  places (labelled statements, extra_places.json): right where stated {r.places_right}/"
                      f"{r.places_stated}, null where none stated {r.places_null}/{r.places_unstated}")
            for line in r.changed[:20] if part == "all" else ():
                print(f"- {line}")
            if args.misses and part == "tune":
                for line in r.place_misses:
                    print(f"- place, tune: {line}")
        if args.misses:
            for line in own_date_misses:
                print(f"- own date missed, tune: {line}")


def _test_groups() -> set[str]:
    """Every statement of a committed test part: a set generated from them shows no misses, even
    when it is run without --split (its groups would all count as tune otherwise)."""
    return {group for split in (HERE / "dev_split.json", EXTRA_SPLIT)
            for group in json.loads(split.read_text(encoding="utf-8"))["test"]}


def print_misses(results: list[GroupResult], labels: dict[str, FileLabel], candidate: Candidate,
                 tune: set[str]) -> None:
    """Misses of the tune documents only: the test part is not looked into."""
    print("\nMisses (tune documents only):")
    sources = {s.path: s for s in candidate.sources}
    for r in results:
        if r.group not in tune:
            continue
        name = r.group[:48]
        if r.date[1] != r.date[2]:
            print(f"- date {name}: gold {r.date[1]} ours {r.date[2]} ({r.date[3]})")
        if not r.title[0]:
            print(f"- title {name}: gold {r.title[1]!r} ours {r.title[2]!r} ({r.title[3]})")
        if not r.place[0] and any(label.location for label in labels.values()):
            print(f"- place {name}: gold {r.place[1]!r} ours {r.place[2]!r} ({r.place[3]})")
        if r.truncated[0] != r.truncated[1]:
            print(f"- document truncated {name}: ours {r.truncated[0]} gold {r.truncated[1]}")
        if r.kept_distance > 0.05 * r.reference_length:
            print(f"- CER {name}: {r.kept_distance}/{r.reference_length}, kept {r.canonical_path} "
                  f"(most gold in {r.longest_path})")
    for path, label in sorted(labels.items()):
        if label.group in tune and path in sources and sources[path].is_truncated != label.truncated:
            print(f"- file truncated {path} ({label.kind}): ours {sources[path].is_truncated} gold {label.truncated}")
        if label.group in tune and path in sources and sources[path].status == "quarantined":
            print(f"- quarantined {path}: {sources[path].reason}")


if __name__ == "__main__":
    main()
