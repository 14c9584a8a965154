"""Incremental runs: only new or changed files are read and processed, unchanged documents are
carried from the published snapshot, and the result is exactly a full rebuild."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from commclean.store import carry
from commclean.store.cache import cache_path
from commclean.config import Config, DecodeConfig
from commclean.pipeline import run_pipeline
from commclean.store.publish import current_version, rollback

from conftest import GOLD, PROJECT
from noise import truncate

Tables = tuple[list[dict], list[dict]]


def _published(clean: Path) -> Tables:
    return pq.read_table(clean / "corpus.parquet").to_pylist(), pq.read_table(clean / "sources.parquet").to_pylist()


def _run(raw: Path, clean: Path, full: bool = False) -> tuple[Tables, dict[str, dict[str, int]]]:
    summary = run_pipeline(raw, clean, Config(), full=full)
    assert summary.published
    return _published(clean), summary.stats


def _rebuilt(raw: Path, tmp_path: Path) -> Tables:
    """The same raw/ built from scratch in a fresh clean folder."""
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    return _run(raw, fresh, full=True)[0]


def test_new_files_are_the_only_work_and_the_result_equals_a_full_rebuild(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _, first = _run(seed_raw, clean)
    assert first["cache"]["misses"] == 5
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    (seed_raw / "cut copy.txt").write_text(truncate((seed_raw / "000_6c5b62fa821d58d1.txt").read_text(), 0.4))
    tables, second = _run(seed_raw, clean)
    assert second["cache"] == {"hits": 5, "misses": 2, "files not read (stat unchanged)": 5}
    # 000's document gained a copy and the new statement is new: the other three are carried.
    assert second["assemble"] == {"documents built": 2, "documents carried unchanged": 3}
    assert tables == _rebuilt(seed_raw, tmp_path)


def test_a_removed_canonical_file_hands_its_document_to_the_remaining_copy(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    (seed_raw / "001_7c02e8161f4096aa.txt").unlink()
    (corpus, sources), stats = _run(seed_raw, clean)
    assert stats["cache"]["misses"] == 0
    assert (corpus, sources) == _rebuilt(seed_raw, tmp_path)
    row = next(r for r in sources if r["path"].startswith("003_"))
    assert (row["status"], row["is_truncated"]) == ("canonical", True)
    assert len(corpus) == 4


def test_the_same_bytes_under_another_name_come_from_the_cache_under_that_name(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    (seed_raw / "004_180829e56ac5bc96.txt").rename(seed_raw / "renamed.txt")
    (corpus, sources), stats = _run(seed_raw, clean)
    assert stats["cache"]["misses"] == 0
    assert "renamed.txt" in {r["path"] for r in sources}
    assert (corpus, sources) == _rebuilt(seed_raw, tmp_path)


def test_a_file_rewritten_in_place_is_read_again_even_with_its_size_and_mtime_kept(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    path = seed_raw / "004_180829e56ac5bc96.txt"
    before, stat = path.read_text(), path.stat()
    path.write_text(before.replace("Copenhagen", "Kopenhagen"))  # same size in bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as a careless sync tool would
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    (corpus, _), stats = _run(seed_raw, clean)
    assert stats["cache"]["misses"] == 1
    assert any("Kopenhagen" in row["text"] for row in corpus)
    assert (corpus, _) == _rebuilt(seed_raw, tmp_path)


def test_a_lost_cache_or_a_rolled_back_snapshot_still_gives_the_full_rebuild(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    shutil.copy(GOLD[1], seed_raw / "second.txt")
    _run(seed_raw, clean)
    rollback(clean, 1)  # readers see v1; the next run carries rows from it, not from v2
    shutil.copy(GOLD[2], seed_raw / "third.txt")
    assert _run(seed_raw, clean)[0] == _rebuilt(seed_raw, tmp_path)
    shutil.rmtree(clean / ".state" / "cache")
    shutil.copy(GOLD[3], seed_raw / "fourth.txt")
    tables, stats = _run(seed_raw, clean)
    assert stats["cache"]["misses"] == 8
    assert tables == _rebuilt(seed_raw, tmp_path)


def test_entries_newer_than_the_saved_index_take_their_samples_from_the_cache(seed_raw: Path, tmp_path: Path) -> None:
    # The index is saved before the entries that rely on it; a run killed in between leaves an
    # index that lacks texts the entries name, and both files are still trusted.
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    index = next((clean / ".state" / "cache").glob("state-*")) / "index.arrow"
    older = index.read_bytes()
    shutil.copy(GOLD[1], seed_raw / "second.txt")
    _run(seed_raw, clean)
    index.write_bytes(older)
    # Only second.txt's samples in the index can make this cut copy a candidate to align with it.
    (seed_raw / "second cut.txt").write_text(truncate(GOLD[1].read_text(), 0.5))
    tables, stats = _run(seed_raw, clean)
    assert stats["cache"]["misses"] == 1
    assert tables == _rebuilt(seed_raw, tmp_path)
    assert next(r for r in tables[1] if r["path"] == "second cut.txt")["status"] == "duplicate"


def test_carried_rows_stay_right_as_runs_add_segments_and_merge_them(seed_raw: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Each run keeps the rows it built in a segment of their own; past MAX_SEGMENTS the corpus is
    # written whole again. Every run in between must still publish exactly the full rebuild.
    monkeypatch.setattr(carry, "MAX_SEGMENTS", 3)
    clean = tmp_path / "clean"
    _run(seed_raw, clean)
    changes = [
        lambda: shutil.copy(GOLD[4], seed_raw / "a.txt"),
        lambda: shutil.copy(GOLD[5], seed_raw / "b.txt"),
        lambda: (seed_raw / "001_7c02e8161f4096aa.txt").unlink(),  # its document passes to 003
        lambda: (seed_raw / "a cut.txt").write_text(truncate(GOLD[4].read_text(), 0.5)),
        lambda: shutil.copy(GOLD[6], seed_raw / "c.txt"),
        lambda: (seed_raw / "b.txt").unlink(),
    ]
    state = next((clean / ".state" / "cache").glob("state-*"))
    counts = []
    for change in changes:
        change()
        tables, stats = _run(seed_raw, clean)
        assert stats["assemble"]["documents carried unchanged"] >= 3
        assert tables == _rebuilt(seed_raw, tmp_path)
        segments = {p.name for p in state.glob("corpus-*.arrow")}
        counts.append(len(segments))
        assert [p.name for p in state.glob("carry-v*.arrow")] == [f"carry-v{current_version(clean)}.arrow"]
        assert not list(state.glob(".*candidate*"))
    assert counts == [2, 3, 1, 2, 3, 1]  # a segment a run, merged into one when a fourth was due


def test_a_change_of_settings_is_a_change_of_the_stages_it_shapes(tmp_path: Path) -> None:
    from commclean.config import MetadataConfig
    from commclean.store.cache import stage_keys, state_path

    base = stage_keys(Config())
    assert stage_keys(Config(batch_size=7)) == base  # how the work is cut up changes no result
    decode = stage_keys(Config(decode=DecodeConfig(min_document_chars=5)))
    assert decode.read != base.read and decode.analysis != base.analysis
    metadata = stage_keys(Config(metadata=MetadataConfig(min_date_score=MetadataConfig().min_date_score + 1)))
    assert metadata.read == base.read and metadata.analysis != base.analysis
    assert state_path(tmp_path, Config()) != state_path(tmp_path, Config(decode=DecodeConfig(min_document_chars=5)))
    assert cache_path(tmp_path, Config()) == cache_path(tmp_path, Config(decode=DecodeConfig(min_document_chars=5)))


def test_worker_processes_give_what_one_process_gives(seed_raw: Path) -> None:
    from commclean.ingest.discover import discover
    from commclean.pipeline import LocalRunner
    from commclean.pipeline.batches import identify_files, process_batch
    from commclean.pipeline.workspace import Workspace

    config = Config(batch_size=2, min_files_for_workers=0)
    work = [batch.work() for batch in identify_files(discover(seed_raw).files, config, Workspace())]
    inline = list(LocalRunner().map("process", process_batch, work, config, workers=1))
    pooled = list(LocalRunner().map("process", process_batch, work, config, workers=2))
    assert [_described(b.documents()) for b in pooled] == [_described(b.documents()) for b in inline]
    assert [b.packed for b in pooled] == [b.packed for b in inline]
    assert [b.stats for b in pooled] == [b.stats for b in inline]
    assert sum(len(b.items) for b in pooled) == 5


def test_documents_come_back_from_workers_packed_and_unpack_to_what_processing_made(seed_raw: Path) -> None:
    from commclean.ingest.discover import discover
    from commclean.pipeline.batches import analyse_batch, decode_batch, identify_files, process_batch, repair_batch
    from commclean.pipeline.workspace import Texts, Workspace
    from commclean.store.cache import unpacked_texts

    config = Config()
    (work,) = [batch.work() for batch in identify_files(discover(seed_raw).files, config, Workspace())]
    made = analyse_batch(repair_batch(decode_batch(work, config), config), config)
    sent = process_batch(work, config)
    assert len(sent.items) == len(made.items) == 5
    assert all(doc.text == "" and doc.metadata_text is None for doc in sent.items)  # no text crosses over
    assert sent.seen() == made.seen()  # ids, keys and lengths made beside the texts
    assert _fingerprints(sent.items) == _fingerprints(made.items)
    metadata_texts = [unpacked_texts(sent.packed[doc.raw.path].texts)[1] for doc in made.items]
    assert metadata_texts == [doc.metadata_text for doc in made.items]
    files = [f for f in sent.seen() if f.content.quarantine_reason is None]
    loaded = Texts([sent], files, Workspace()).handed(files).load()  # what assembly builds rows from
    assert _built_from([loaded[doc.raw.path] for doc in made.items]) == _built_from(list(made.items))


def test_documents_to_build_load_from_the_result_cache_in_another_process(seed_raw: Path, tmp_path: Path) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from commclean.ingest.discover import discover
    from commclean.pipeline.batches import identify_files, process_batch
    from commclean.pipeline.workspace import Texts, Workspace
    from commclean.store.cache import ResultCache

    config = Config()
    (work,) = [batch.work() for batch in identify_files(discover(seed_raw).files, config, Workspace())]
    sent = process_batch(work, config)
    cache = ResultCache(tmp_path / "results.sqlite")
    cache.put_rows(packed.row for packed in sent.packed.values())
    cache.close()
    files = [f for f in sent.seen() if f.content.quarantine_reason is None]
    held = Texts([sent], files, Workspace()).handed(files)
    cached = Texts([sent.entries_only()], files, Workspace(cache=tmp_path / "results.sqlite")).handed(files)
    assert not cached.held and len(cached.cached) == len(files)
    with ProcessPoolExecutor(1) as pool:
        from_cache = pool.submit(cached.load).result()
    assert _built_from(list(from_cache.values())) == _built_from([held.load()[path] for path in from_cache])
    assert all(doc.fingerprint is None and doc.metadata_text is None for doc in from_cache.values())


def _built_from(docs: list) -> list[tuple]:
    return [(d.raw, d.text, d.repairs, d.is_truncated, d.metadata, d.unknown_words, d.encoding) for d in docs]


def _fingerprints(docs) -> list[tuple]:
    return [(d.fingerprint.exact_key, d.fingerprint.sequence, d.fingerprint.samples.tolist()) for d in docs]


def _described(docs: list) -> list[tuple]:
    return [(d.raw, d.text, d.repairs, d.is_truncated, d.metadata, d.unknown_words, d.fingerprint.exact_key,
             d.fingerprint.sequence, d.fingerprint.samples.tolist()) for d in docs]


def test_a_short_copy_set_aside_alone_joins_its_document_when_the_document_arrives(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    italy = next(p for p in GOLD if p.name.startswith("174_")).read_text(encoding="utf-8")
    title, first = italy.split("\n\n")[:2]
    (seed_raw / "stub.txt").write_text(f"{title}\n\nAPRIL 18, 2025 • STATEMENTS AND RELEASES\n\n{first.split(', where')[0]}")
    (_, sources), _ = _run(seed_raw, clean)
    assert next(s for s in sources if s["path"] == "stub.txt")["status"] == "quarantined"
    shutil.copy(next(p for p in GOLD if p.name.startswith("174_")), seed_raw / "italy.txt")
    (corpus, sources), _ = _run(seed_raw, clean)
    stub = next(s for s in sources if s["path"] == "stub.txt")
    assert stub["status"] == "duplicate"
    row = next(r for r in corpus if r["doc_id"] == stub["doc_id"])
    assert str(row["date"]) == "2025-04-18"
    assert (corpus, sources) == _rebuilt(seed_raw, tmp_path)


# Great Expectations loaded first: both runs validate in this process (see validation_worker),
# one import of it rather than a helper process importing it for each run.
_RUN_IN_COPY = (
    "import sys, json\nimport great_expectations\n"
    "from commclean.config import Config\nfrom commclean.pipeline import run_pipeline\n"
    "if __name__ == '__main__':\n"
    "    for clean, mode in zip(sys.argv[2::2], sys.argv[3::2]):\n"
    "        summary = run_pipeline(sys.argv[1], clean, Config(), full=mode == 'full')\n"
    "        assert summary.published, summary.validation\n"
    "        print(json.dumps(summary.stats))\n"
)


def _run_with_package(package: Path, raw: Path, *runs: tuple[Path, bool]) -> list[tuple[Tables, dict]]:
    """Runs of the package copy at `package`, one after the other in one process (each a clean
    folder, and whether it is --full): each one's published tables and stats."""
    import json
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    arguments = [str(a) for clean, full in runs for a in (clean, "full" if full else "incremental")]
    ran = subprocess.run([sys.executable, "-c", _RUN_IN_COPY, str(raw), *arguments],
                         check=True, env=env, cwd=package.parent, capture_output=True, text=True)
    stats = [json.loads(line) for line in ran.stdout.strip().splitlines() if line.startswith("{")]
    return [(_published(clean), run_stats) for (clean, _), run_stats in zip(runs, stats, strict=True)]


@pytest.mark.parametrize("change", ["metadata", "repair"])
def test_a_changed_stage_is_redone_with_what_depends_on_it_and_nothing_else(
        seed_raw: Path, tmp_path: Path, change: str) -> None:
    package = tmp_path / "copy" / "commclean"
    shutil.copytree(PROJECT / "src" / "commclean", package)
    shutil.copytree(PROJECT / "expectations", package / "expectations")  # as an installed package ships them
    clean = tmp_path / "clean"
    before, _ = _run(seed_raw, clean)  # here: until it is changed, the copy's code is this package's
    # An upgrade that changes one stage: every title in capitals, or every text ending in a mark.
    module, old, new = {
        "metadata": ("metadata/extract.py", 'Field(title_at[1], "heading", RANK_HEADER)',
                     'Field(title_at[1].upper(), "heading", RANK_HEADER)'),
        "repair": ("repair/steps.py", "    return RepairResult(", "    text = text + ' END'\n    return RepairResult("),
    }[change]
    source = package / module
    assert source.read_text(encoding="utf-8").count(old) == 1
    source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (after, stats), (rebuilt, _) = _run_with_package(package, seed_raw, (clean, False), (tmp_path / "fresh", True))
    assert after != before
    assert after == rebuilt
    if change == "metadata":  # the texts are analysed again, not decoded and repaired again
        assert any(row["title"] and row["title"].isupper() for row in after[0])
        assert stats["cache"]["misses"] == 0
        assert stats["cache"]["texts analysed again (analysis code or settings changed)"] == 5
        assert not stats["decode"]  # nothing decoded: the section is there, and empty
    else:  # a new text: decoded and repaired again, and everything after it
        assert all(row["text"].endswith("END") for row in after[0])
        assert stats["cache"]["misses"] == 5


def test_a_comment_or_docstring_edited_is_no_changed_stage_but_any_code_is() -> None:
    from commclean.store.cache import code_of

    base = b'"""A stage."""\nPATTERN = "a+"\n\n\ndef step(text):\n    """Does one thing."""\n    return text + "x"  # why\n'
    reworded = (b'"""A stage, reworded."""\n# a new comment\nPATTERN = "a+"\n\ndef step(text):\n'
                b'    """Does one thing, said otherwise."""\n\n    return text + "x"  # why, said otherwise\n')
    assert code_of(base) == code_of(reworded)
    assert code_of(base) != code_of(base.replace(b'"a+"', b'"a*"'))  # a pattern is code
    assert code_of(base) != code_of(base.replace(b'+ "x"', b'+ "y"'))


def _damages() -> dict[str, Callable[[Path], None]]:
    return {
        "truncated": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        "garbage": lambda path: path.write_bytes(os.urandom(max(64, path.stat().st_size))),
        "emptied": lambda path: path.write_bytes(b""),
    }


def test_damaged_run_state_is_a_miss_never_a_crash(seed_raw: Path, tmp_path: Path) -> None:
    clean, pristine = tmp_path / "clean", tmp_path / "pristine"
    _run(seed_raw, clean)
    shutil.copytree(clean, pristine, symlinks=True)
    kept = sorted(p.relative_to(clean) for p in (clean / ".state" / "cache").rglob("*")
                  if p.is_file() and not p.name.endswith(("-wal", "-shm")))
    assert len(kept) >= 6
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    expected = _rebuilt(seed_raw, tmp_path)
    # Every kept file damaged, each in one of the three ways in turn: every way meets several files.
    damages = list(_damages().items())
    for number, name in enumerate(kept):
        shutil.rmtree(clean)
        shutil.copytree(pristine, clean, symlinks=True)
        how, damage = damages[number % len(damages)]
        damage(clean / name)
        assert _run(seed_raw, clean)[0] == expected, f"{name} {how}"


def test_a_run_that_changes_nothing_publishes_nothing_new(seed_raw: Path, tmp_path: Path) -> None:
    from commclean.store.publish import history

    clean = tmp_path / "clean"
    first = run_pipeline(seed_raw, clean, Config())
    assert first.published and first.snapshot == 1
    for full in (False, True):  # an idle scheduled run, and a --full rebuild of the same raw/
        again = run_pipeline(seed_raw, clean, Config(), full=full)
        assert again.published and not again.changed and again.snapshot == 1
        assert "published:    no change: v1 stays current" in again.lines()
        assert again.data_docs == str(clean / "snapshots" / "v1" / "data-docs" / "index.html")
    assert [s.version for s in history(clean)] == [1]
    assert not list(clean.glob(".staging-*"))
    (seed_raw / "exact copy.txt").write_bytes(next(seed_raw.glob("*.txt")).read_bytes())  # only the ledger changes
    changed = run_pipeline(seed_raw, clean, Config())
    assert changed.changed and changed.snapshot == 2 and current_version(clean) == 2
    assert "published:    yes: v2" in changed.lines()
    # Nothing new after that either; the rows kept for the next run to carry still serve it.
    assert not run_pipeline(seed_raw, clean, Config()).changed
    shutil.copy(GOLD[0], seed_raw / "new.txt")
    assert run_pipeline(seed_raw, clean, Config()).snapshot == 3


def test_every_manifest_has_every_stage_s_section_even_with_nothing_new(seed_raw: Path, tmp_path: Path) -> None:
    import json

    from commclean.runtime.stats import STAGE_SECTIONS

    clean = tmp_path / "clean"
    full = run_pipeline(seed_raw, clean, Config())
    sorted(seed_raw.glob("*.txt"))[-1].unlink()  # a file removed: a new snapshot, and no file to decode
    fewer = run_pipeline(seed_raw, clean, Config())
    assert fewer.changed and fewer.stats["decode"] == {} and fewer.stats["repair"] == {}
    manifest = json.loads((clean / "manifest.json").read_text())
    assert set(STAGE_SECTIONS) <= manifest["stats"].keys()
    assert manifest["stats"].keys() == json.loads(
        (clean / "snapshots" / "v1" / "manifest.json").read_text())["stats"].keys()
    assert manifest["stats"]["milliseconds"].keys() == full.stats["milliseconds"].keys()


def test_an_exact_copy_arriving_later_leaves_the_canonical_copy_in_place(seed_raw: Path, tmp_path: Path) -> None:
    clean, kept, arriving = tmp_path / "clean", seed_raw / "statement.txt", seed_raw / "a copy.txt"
    shutil.copy(GOLD[0], kept)
    os.utime(kept, ns=(1_700_000_000 * 10**9,) * 2)
    _run(seed_raw, clean)
    shutil.copy(GOLD[0], arriving)  # its name sorts first; it is newer
    os.utime(arriving, ns=(1_700_000_100 * 10**9,) * 2)
    (corpus, ledger), _ = _run(seed_raw, clean)
    rows = {row["path"]: row for row in ledger}
    assert rows["statement.txt"]["status"] == "canonical"
    assert (rows["a copy.txt"]["status"], rows["a copy.txt"]["reason"]) == ("duplicate", "exact copy")
    assert (corpus, ledger) == _rebuilt(seed_raw, tmp_path)  # the same raw/ (times included), the same corpus


def test_texts_read_back_from_the_cache_give_what_texts_held_in_memory_give(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commclean.assemble import rows
    from commclean.dedup import clusters

    for gold in GOLD[:3]:
        shutil.copy(gold, seed_raw / f"copy of {gold.name}")
        (seed_raw / f"cut {gold.name}").write_text(truncate(gold.read_text(encoding="utf-8"), 0.6), encoding="utf-8")
    held = run_pipeline(seed_raw, tmp_path / "held", Config(texts_held_mb=1_024))
    # Nothing held: every text is read back, two pairs and two documents at a time.
    monkeypatch.setattr(clusters, "PAIRS_PER_LOAD", 2)
    monkeypatch.setattr(rows, "CLUSTERS_PER_LOAD", 2)
    read_back = run_pipeline(seed_raw, tmp_path / "read back", Config(texts_held_mb=0))
    assert held.stats["dedup"]["pairs aligned"] > 2 and read_back.documents == held.documents > 2
    assert _published(tmp_path / "read back") == _published(tmp_path / "held")


def test_once_the_sample_index_holds_the_samples_no_entry_keeps_its_own(seed_raw: Path) -> None:
    from commclean.pipeline import build_candidate

    built = build_candidate(seed_raw, Config())
    documents = built.deduplicated.documents
    assert documents and all(f.content.samples is None for f in documents)
    # Four statements: 003, the cut-off copy of 001, joined to it.
    clusters = built.deduplicated.clusters
    assert len(clusters) == 4
    assert [m.reason.split(" (")[0] for c in clusters for m in c.members if m.reason] == ["truncated copy"]


def test_once_saved_the_run_state_is_let_go_and_the_next_run_loads_it_again(seed_raw: Path, tmp_path: Path) -> None:
    from commclean.pipeline import build_candidate
    from commclean.store import Folders
    from commclean.store.state import RunState

    built = build_candidate(seed_raw, Config(), Folders.of(tmp_path / "clean"))
    assert built.state_saved() is not None
    state = built.workspace.state
    assert state.index is None and not (state.contents or state.stamps or state.verdicts)
    saved = RunState.load(built.workspace.state_dir)
    assert saved.index is not None and len(saved.contents) == len(saved.stamps) == 5
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    (_, sources), stats = _run(seed_raw, tmp_path / "clean")
    assert stats["cache"]["files not read (stat unchanged)"] == 5 and len(sources) == 6


def test_files_hashed_to_be_identified_are_read_again_by_processing_past_the_bytes_a_run_holds(
        seed_raw: Path, tmp_path: Path) -> None:
    # An update hashes every new file before any is processed: past texts_held_mb their bytes are
    # let go (a million new files held 5 GB), with their hashes, and processing reads them again,
    # to the same result.
    from commclean.ingest.discover import discover
    from commclean.pipeline.batches import identify_files
    from commclean.pipeline.workspace import open_workspace
    from commclean.store import Folders

    for name, config in (("held", Config(texts_held_mb=1_024)), ("read again", Config(texts_held_mb=0))):
        raw, clean = tmp_path / name / "raw", tmp_path / name / "clean"
        shutil.copytree(seed_raw, raw)
        run_pipeline(raw, clean, config)
        for gold in GOLD[:3]:
            shutil.copy(gold, raw / f"new {gold.name}")
            (raw / f"cut {gold.name}").write_text(truncate(gold.read_text(encoding="utf-8"), 0.6), encoding="utf-8")
        workspace = open_workspace(Folders.of(clean), config)
        found = [f for f in discover(raw).files if "new " in f.path or "cut " in f.path]
        kept = [item for batch in identify_files(found, config, workspace) for item in batch.items]
        assert len(kept) == 6 and all((item.data is None) == (name == "read again") for item in kept)
        # Let go of, a file is kept as a first build keeps it: by path, without the hash read.
        assert all((item.raw is None) == (name == "read again") for item in kept)
        run_pipeline(raw, clean, config)
    assert _published(tmp_path / "read again" / "clean") == _published(tmp_path / "held" / "clean")
