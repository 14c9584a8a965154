"""The run state survives save and load, writes only what a run added, and stays compact."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from commclean.dedup.candidates import SampleIndex
from commclean.config import DedupConfig
from commclean.records import ContentEntry
from commclean.store.state import RunState


def _entry(n: int) -> ContentEntry:
    return ContentEntry(f"{n:064x}", "utf_8", None, f"doc-{n}", f"key-{n}", n % 2 == 0, n % 3, n, 100 * n,
                        n * 7919, np.arange(n, n + 5, dtype=np.uint64))


def _save(state: RunState, folder: Path, numbers: range, moved: int = 0) -> None:
    files = [(f"f{n}.txt", (100 * n, n + moved, n, n), f"{n:064x}") for n in numbers]
    state.verdicts = {**state.verdicts, **{(f"key-{n}", f"key-{n + 1}"): None for n in numbers}}
    entries = [_entry(n) for n in numbers]
    state.index = SampleIndex.build({e.exact_key: e.samples for e in entries}, DedupConfig())
    state.save(folder, files, entries)


def test_what_is_saved_loads_back_the_same_and_samples_only_in_the_index(tmp_path: Path) -> None:
    _save(RunState(), tmp_path, range(1, 6))
    loaded = RunState.load(tmp_path)
    assert loaded.contents == {e.sha256: e for e in map(_entry, range(1, 6))}
    assert all(e.samples is None for e in loaded.contents.values())
    assert loaded.index is not None and sorted(loaded.index.keys) == [f"key-{n}" for n in range(1, 6)]
    assert loaded.known_sha256("f3.txt", (300, 3, 3, 3)) == f"{3:064x}"
    assert loaded.known_sha256("f3.txt", (300, 3, 4, 3)) is None  # ctime moved: read it again


def test_a_run_writes_only_what_it_added_and_stale_rows_are_merged_away(tmp_path: Path) -> None:
    state = RunState()
    _save(state, tmp_path, range(1, 101))
    state = RunState.load(tmp_path)
    _save(state, tmp_path, range(1, 103))
    for part in ("files", "contents", "verdicts"):
        assert len(list(tmp_path.glob(f"{part}-*.arrow"))) == 2, part
    loaded = RunState.load(tmp_path)
    assert len(loaded.contents) == 102 and len(loaded.stamps) == 102
    assert ("key-101", "key-102") in loaded.verdicts and ("key-102", "key-103") not in loaded.verdicts
    _save(loaded, tmp_path, range(1, 103), moved=1)  # every file touched: its new stamp replaces the old
    assert RunState.load(tmp_path).known_sha256("f7.txt", (700, 8, 7, 7)) == f"{7:064x}"
    assert RunState.load(tmp_path).known_sha256("f7.txt", (700, 7, 7, 7)) is None
    state = RunState.load(tmp_path)
    _save(state, tmp_path, range(60, 103))  # most files gone: one compact segment each again
    for part in ("files", "contents", "verdicts"):
        assert len(list(tmp_path.glob(f"{part}-*.arrow"))) == 1, part
    loaded = RunState.load(tmp_path)
    assert set(loaded.contents) == {f"{n:064x}" for n in range(60, 103)}
    assert set(loaded.stamps) == {f"f{n}.txt" for n in range(60, 103)}
    assert loaded.verdicts and all(int(a.split("-")[1]) >= 60 for a, _ in loaded.verdicts)


def test_an_unreadable_state_is_an_empty_one(tmp_path: Path) -> None:
    _save(RunState(), tmp_path, range(1, 4))
    (tmp_path / "files-0.arrow").write_bytes(b"not arrow")
    assert RunState.load(tmp_path).contents == {}


def test_entries_without_their_index_are_no_state(tmp_path: Path) -> None:
    _save(RunState(), tmp_path, range(1, 4))
    (tmp_path / "index.arrow").unlink()
    assert RunState.load(tmp_path).contents == {}


def test_an_entry_without_its_samples_keeps_every_other_field() -> None:
    import dataclasses

    # Every field set apart from its default, so that a field added later and not carried over fails here.
    values = {f.name: (f"{f.name}-value" if f.type in ("str", "str | None") else
                       True if f.type == "bool" else 7 if f.type == "int" else np.arange(3, dtype=np.uint64))
              for f in dataclasses.fields(ContentEntry)}
    entry = ContentEntry(**values)
    lean = entry.without_samples()
    assert lean.samples is None
    assert all(getattr(lean, f.name) == getattr(entry, f.name) for f in dataclasses.fields(ContentEntry)
               if f.name != "samples")


def test_saving_lets_go_of_the_sample_index_before_writing_the_rest(tmp_path: Path, monkeypatch) -> None:
    """The index is the state's bulk (2 KB a file): a run saves its state beside assembly, and an
    index held until the files, contents and verdicts are written too adds to assembly's peak."""
    held_while_writing = []
    write_stamps = RunState._save_stamps
    monkeypatch.setattr(RunState, "_save_stamps", lambda state, *args: held_while_writing.append(state.index)
                        or write_stamps(state, *args))
    state = RunState()
    _save(state, tmp_path, range(1, 6))
    assert held_while_writing == [None]
    assert state.index is None and not (state.contents or state.stamps or state.verdicts)
    assert sorted(RunState.load(tmp_path).index.keys) == [f"key-{n}" for n in range(1, 6)]
