"""The run state survives save and load, writes only what a run added, and stays compact."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from commclean.candidates import SampleIndex
from commclean.config import DedupConfig
from commclean.records import ContentEntry, RawFile
from commclean.state import RunState


def _entry(n: int) -> ContentEntry:
    return ContentEntry(f"{n:064x}", "utf_8", None, f"doc-{n}", f"key-{n}", n % 2 == 0, n % 3, n, 100 * n,
                        np.arange(n, n + 5, dtype=np.uint64))


def _save(state: RunState, folder: Path, numbers: range) -> None:
    files = [(RawFile(f"f{n}.txt", f"/raw/f{n}.txt", 100 * n, f"{n:064x}"), (100 * n, n, n, n)) for n in numbers]
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


def test_a_run_writes_only_its_new_entries_and_stale_ones_are_merged_away(tmp_path: Path) -> None:
    state = RunState()
    _save(state, tmp_path, range(1, 101))
    state = RunState.load(tmp_path)
    _save(state, tmp_path, range(1, 103))
    assert len(list(tmp_path.glob("contents-*.arrow"))) == 2
    assert len(RunState.load(tmp_path).contents) == 102
    state = RunState.load(tmp_path)
    _save(state, tmp_path, range(60, 103))  # most files gone: one compact segment again
    assert len(list(tmp_path.glob("contents-*.arrow"))) == 1
    assert set(RunState.load(tmp_path).contents) == {f"{n:064x}" for n in range(60, 103)}


def test_an_unreadable_state_is_an_empty_one(tmp_path: Path) -> None:
    _save(RunState(), tmp_path, range(1, 4))
    (tmp_path / "files.arrow").write_bytes(b"not arrow")
    assert RunState.load(tmp_path).contents == {}


def test_entries_without_their_index_are_no_state(tmp_path: Path) -> None:
    _save(RunState(), tmp_path, range(1, 4))
    (tmp_path / "index.pickle").unlink()
    assert RunState.load(tmp_path).contents == {}
