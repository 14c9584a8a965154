"""What a run keeps under clean/ is data, never code: a crafted file in the state folder cannot run
anything, and each reader takes only the format it expects."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from commclean import store
from commclean.config import Config
from commclean.pipeline import run_pipeline

from conftest import GOLD



class _Payload:
    """Unpickling this creates the file `marker`: proof that code from the state folder ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (str(self.marker), "w"))  # noqa: SIM115 - the point is that it runs at all


def _published(clean: Path) -> list[list[dict]]:
    return [pq.read_table(clean / name).to_pylist() for name in ("corpus.parquet", "sources.parquet")]


def _kept_files(clean: Path) -> list[Path]:
    return sorted(p.relative_to(clean) for p in (clean / store.STATE_DIR / store.CACHE_DIR).rglob("*")
                  if p.is_file() and not p.name.endswith(("-wal", "-shm")))


def test_a_pickle_planted_in_any_state_file_never_runs(seed_raw: Path, tmp_path: Path) -> None:
    clean, pristine, marker = tmp_path / "clean", tmp_path / "pristine", tmp_path / "code-ran"
    assert run_pipeline(seed_raw, clean, Config()).published
    shutil.copytree(clean, pristine, symlinks=True)
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    assert run_pipeline(seed_raw, tmp_path / "fresh", Config(), full=True).published
    expected = _published(tmp_path / "fresh")
    crafted = pickle.dumps(_Payload(marker))
    kept = _kept_files(clean)
    assert len(kept) >= 5
    # Each kept file in turn, and the names earlier versions kept pickles under, hold the payload.
    state = next((clean / store.STATE_DIR / store.CACHE_DIR).glob("state-*")).relative_to(clean)
    for name in [*kept, state / "index.pickle", state / "folders.pickle"]:
        shutil.rmtree(clean)
        shutil.copytree(pristine, clean, symlinks=True)
        (clean / name).write_bytes(crafted)
        assert run_pipeline(seed_raw, clean, Config()).published
        assert not marker.exists(), f"code in {name} ran"
        assert _published(clean) == expected, name


def test_a_pickle_in_a_column_of_the_result_cache_is_never_unpickled(seed_raw: Path, tmp_path: Path) -> None:
    clean, marker = tmp_path / "clean", tmp_path / "code-ran"
    assert run_pipeline(seed_raw, clean, Config()).published
    expected = _published(clean)
    (cache,) = (clean / store.STATE_DIR / store.CACHE_DIR).glob("results-*.sqlite")
    with sqlite3.connect(cache) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(results)") if row[1] != "sha256"]
        db.execute(f"UPDATE results SET {', '.join(f'{c} = ?' for c in columns)}",
                   [pickle.dumps(_Payload(marker))] * len(columns))
    (seed_raw / "new statement.txt").write_bytes(GOLD[0].read_bytes())  # a run that must look texts up
    os.utime(next(p for p in seed_raw.iterdir() if p.name != "new statement.txt"))
    assert run_pipeline(seed_raw, clean, Config()).published
    assert not marker.exists()
    assert run_pipeline(seed_raw, tmp_path / "fresh", Config(), full=True).published
    assert _published(clean) == _published(tmp_path / "fresh") != expected


def test_object_arrays_are_neither_written_nor_read(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        store.write_npy(tmp_path / "a.npy", np.array([{"a": 1}], dtype=object))
    np.save(tmp_path / "b.npy", np.array([_Payload(tmp_path / "ran")], dtype=object), allow_pickle=True)
    with pytest.raises(store.StateDamaged):
        store.read_npy(tmp_path / "b.npy", np.uint64)
    assert not (tmp_path / "ran").exists()


def test_an_arrow_file_of_another_shape_is_damage_not_data(tmp_path: Path) -> None:
    expected = pa.schema([("a", pa.int64())])
    store.write_arrow(tmp_path / "t.arrow", pa.table({"b": [1]}))
    with pytest.raises(store.StateDamaged, match="unexpected schema"):
        store.read_arrow(tmp_path / "t.arrow", expected)
    (tmp_path / "t.arrow").write_bytes(b"ARROW1 but not really")
    with pytest.raises(store.StateDamaged):
        store.read_arrow(tmp_path / "t.arrow", expected)


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "kept.bin"
    store.write_bytes(path, b"old")

    def fail_half_way(out: object) -> None:
        out.write(b"new, half")  # type: ignore[attr-defined]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.write_atomically(path, fail_half_way)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.bin"]


def test_state_made_by_other_code_or_settings_is_removed_not_kept_forever(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    kept_by_runs = clean / store.STATE_DIR / store.CACHE_DIR
    old_cache, old_state = kept_by_runs / "results-0.2.0-f2-0123456789abcdef.sqlite", kept_by_runs / "state-0.2.0-x"
    old_state.mkdir(parents=True)
    (old_state / "index.pickle").write_bytes(b"kept by an earlier version")
    old_cache.write_bytes(b"kept by an earlier version")
    assert run_pipeline(seed_raw, clean, Config()).published
    assert not old_cache.exists() and not old_state.exists()
    kept = {p.name for p in kept_by_runs.iterdir()}
    assert len([name for name in kept if name.startswith("state-")]) == 1
    assert run_pipeline(seed_raw, clean, Config()).stats["cache"]["files not read (stat unchanged)"] == 5


def test_what_a_killed_run_left_in_its_scratch_folder_goes_when_the_next_run_starts(seed_raw: Path,
                                                                                     tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    left = clean / store.STATE_DIR / store.CACHE_DIR / store.SCRATCH_DIR / "commclean-validate-killed"
    left.mkdir(parents=True)
    (left / "corpus.arrow").write_bytes(b"a copy of the tables, 400 MB at 100k documents")
    assert run_pipeline(seed_raw, clean, Config()).published
    assert not left.exists()
    assert (clean / store.STATE_DIR / store.CACHE_DIR / store.SCRATCH_DIR).is_dir()


def test_a_table_of_many_small_chunks_is_kept_in_batches_of_the_rows_asked_for(tmp_path: Path) -> None:
    pieces = [pa.table({"doc_id": [f"doc-{i}"], "text": ["word " * i]}) for i in range(25)]
    table = pa.concat_tables(pieces)  # as assembly and merged segments leave it: one chunk a row
    store.write_arrow(tmp_path / "rows.arrow", table, batch_rows=10)
    with pa.memory_map(str(tmp_path / "rows.arrow")) as source:
        reader = pa.ipc.open_file(source)
        assert [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)] == [10, 10, 5]
    assert store.read_arrow(tmp_path / "rows.arrow", table.schema).equals(table)
    store.write_arrow(tmp_path / "empty.arrow", table.slice(0, 0), batch_rows=10)
    assert store.read_arrow(tmp_path / "empty.arrow", table.schema).num_rows == 0


def test_a_spilled_table_reads_back_whole_from_its_file_not_from_memory(tmp_path: Path) -> None:
    chunks = [pa.table({"doc_id": [f"doc-{i}-{j}" for j in range(50)], "text": ["word " * 2_000] * 50})
              for i in range(4)]
    spilled = store.SpilledTable(store.built_rows_path(tmp_path), chunks[0].schema)
    for chunk in chunks:
        spilled.add(chunk)
    before = pa.total_allocated_bytes()
    table = spilled.table()
    assert table.equals(pa.concat_tables(chunks))
    # 2 MB of text, mapped from the file: Arrow's memory pool holds none of it.
    assert pa.total_allocated_bytes() - before < 100_000
    empty = store.SpilledTable(store.built_rows_path(tmp_path), chunks[0].schema).table()
    assert empty.num_rows == 0 and empty.schema.equals(chunks[0].schema)
    assert not list(tmp_path.iterdir())  # mapped, the files need no names: none is left behind
    assert table.equals(pa.concat_tables(chunks))  # and the table still reads


def test_a_run_spills_the_rows_it_builds_and_leaves_no_file_behind(seed_raw: Path, tmp_path: Path) -> None:
    clean, added = tmp_path / "clean", []
    real_add = store.SpilledTable.add

    def add(spilled: store.SpilledTable, table: pa.Table) -> None:
        added.append(table.num_rows)
        real_add(spilled, table)

    with mock.patch.object(store.SpilledTable, "add", add):
        assert run_pipeline(seed_raw, clean, Config()).published
    assert sum(added) == pq.read_metadata(clean / "corpus.parquet").num_rows > 0
    assert not list((clean / store.STATE_DIR / store.CACHE_DIR / store.SCRATCH_DIR).iterdir())


def _file_pages_resident_mb() -> float:
    """This process's resident pages that a file backs (mapped files), in MB."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("RssFile:"))) / 1024


def test_a_mapped_table_read_through_leaves_the_process_with_only_the_pages_in_hand(tmp_path: Path) -> None:
    rows = 2_000
    table = pa.table({"doc_id": [f"doc-{i}" for i in range(rows)], "text": [f"{i} " + "x" * 40_000 for i in range(rows)]})
    path = tmp_path / "rows.arrow"
    store.write_arrow(path, table)  # 80 MB of text
    plain = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    mapped = store.read_arrow(path, table.schema, memory_map=True)
    before = _file_pages_resident_mb()
    assert pc.sum(pc.count_substring(plain.column("text"), "x")).as_py() == rows * 40_000  # every page read
    after_plain = _file_pages_resident_mb()
    assert pc.sum(pc.count_substring(mapped.column("text"), "x")).as_py() == rows * 40_000
    time.sleep(1.5)
    after_mapped = _file_pages_resident_mb()
    assert after_plain - before > 60  # a plain mapping keeps the 80 MB it read resident...
    assert after_mapped - after_plain < 10  # ...this one gives them back
    assert mapped.equals(table)  # and it still reads, from the page cache
