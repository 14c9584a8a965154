"""Discovery finds every document file and says why it skipped the others."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from commclean.ingest.discover import discover


def test_files_are_found_recursively_with_any_name(tmp_path: Path) -> None:
    (tmp_path / "2021" / "June").mkdir(parents=True)
    for name in ("a.txt", "2021/June/Rome communiqué.txt", "2021/with space.md"):
        (tmp_path / name).write_text("text")
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["2021/June/Rome communiqué.txt", "2021/with space.md", "a.txt"]
    assert found.skipped == ()


def test_hidden_files_and_partial_downloads_are_skipped_and_reported(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    for name in (".DS_Store", "statement.txt.part", "page.crdownload", "notes.txt~", "x.tmp", "keep.txt"):
        (tmp_path / name).write_text("x")
    found = discover(tmp_path)
    assert [f.path for f in found.files] == ["keep.txt"]
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons[".git/"] == "hidden folder"
    assert reasons[".DS_Store"] == "hidden file"
    for name in ("statement.txt.part", "page.crdownload", "notes.txt~", "x.tmp"):
        assert reasons[name] == "partial download or temporary file"


def test_symbolic_links_outside_raw_are_not_followed(tmp_path: Path) -> None:
    raw, outside = tmp_path / "raw", tmp_path / "secret.txt"
    raw.mkdir()
    outside.write_text("not ours")
    (raw / "inside.txt").write_text("ours")
    os.symlink(outside, raw / "leak.txt")
    os.symlink(raw / "inside.txt", raw / "alias.txt")
    os.symlink(tmp_path / "missing", raw / "broken.txt")
    os.symlink(tmp_path, raw / "up")
    (raw / "folder").mkdir()
    os.symlink(raw / "folder", raw / "sideways")
    found = discover(raw)
    assert [f.path for f in found.files] == ["alias.txt", "inside.txt"]
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons == {
        "leak.txt": "symbolic link outside the raw folder",
        "broken.txt": "broken symbolic link",
        "up/": "symbolic link outside the raw folder",
        "sideways/": "symbolic link to a folder (not followed)",
    }


def _aged(raw: Path) -> None:
    """Every folder last changed a minute ago: its listing is trusted by the next discovery."""
    minute_ago = time.time_ns() - 60 * 10**9
    for folder in [raw, *(p for p in raw.rglob("*") if p.is_dir() and not p.is_symlink())]:
        os.utime(folder, ns=(minute_ago, minute_ago))


def _tree(raw: Path) -> None:
    for name in ("a/one.txt", "a/b/two.txt", "c/three.txt", "c/.hidden", "c/x.part", "top.txt"):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(name)
    _aged(raw)


CHANGES = {
    "a file added to a folder": lambda raw: (raw / "a" / "new.txt").write_text("new"),
    "a file removed": lambda raw: (raw / "a" / "b" / "two.txt").unlink(),
    "a file renamed": lambda raw: (raw / "c" / "three.txt").rename(raw / "c" / "3.txt"),
    "a file rewritten in place": lambda raw: (raw / "a" / "one.txt").write_text("a longer text than before"),
    "a folder added": lambda raw: (raw / "a" / "b" / "d").mkdir() or (raw / "a" / "b" / "d" / "f.txt").write_text("f"),
    "a folder removed": lambda raw: shutil.rmtree(raw / "a" / "b"),
    "a partial download finished": lambda raw: (raw / "c" / "x.part").rename(raw / "c" / "x.txt"),
    "a file turned into a folder": lambda raw: (raw / "top.txt").unlink() or (raw / "top.txt").mkdir(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_what_the_last_run_listed_gives_what_reading_every_folder_gives(tmp_path: Path, change: str) -> None:
    _tree(tmp_path)
    known = discover(tmp_path).listings
    assert set(known) == {"", "a/", "a/b/", "c/"}
    CHANGES[change](tmp_path)
    listed, read = discover(tmp_path, known), discover(tmp_path)
    assert (listed.files, listed.skipped) == (read.files, read.skipped)


def test_unchanged_folders_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    known = discover(tmp_path).listings
    (tmp_path / "a" / "new.txt").write_text("new")
    scanned: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: scanned.append(str(path)) or real_scandir(path))
    found = discover(tmp_path, known)
    assert scanned == [str(tmp_path / "a")] and found.folders_read == 1
    assert "a/new.txt" in [f.path for f in found.files]


def test_a_folder_changed_moments_before_it_was_read_is_read_again_next_time(tmp_path: Path) -> None:
    # Its mtime ticks with a coarse clock: a file added in the same tick would not move it.
    _tree(tmp_path)
    (tmp_path / "a" / "new.txt").write_text("new")
    known = discover(tmp_path).listings
    assert "a/" not in known and "c/" in known


def test_a_folder_holding_a_link_is_always_read(tmp_path: Path) -> None:
    _tree(tmp_path)
    os.symlink(tmp_path / "top.txt", tmp_path / "c" / "alias.txt")
    _aged(tmp_path)
    known = discover(tmp_path).listings
    assert "c/" not in known  # the link's target can change while the folder does not
    (tmp_path / "top.txt").write_text("a different text")
    assert discover(tmp_path, known).files == discover(tmp_path).files


def test_a_folder_gone_while_the_walk_runs_is_passed_over(tmp_path: Path) -> None:
    _tree(tmp_path)
    known = discover(tmp_path).listings
    root = known[""]
    # As if "ghost" had been listed, then removed between the folder's stat and its turn.
    known[""] = root._replace(folders=(*root.folders, "ghost"))
    assert discover(tmp_path, known).files == discover(tmp_path).files


class _Stopped(Exception):
    pass


def test_a_run_keeps_its_listings_once_raw_is_walked_and_holds_none_through_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listings say what raw/ held when it was walked, right whatever becomes of the run: a run
    stopped before deduplication has kept them, and its later stages hold none of them (an
    object per folder: a third of a GB at a million folders)."""
    from commclean.config import Config
    from commclean.pipeline import run_pipeline, sequence
    from commclean.store import Folders

    raw, clean = tmp_path / "raw", tmp_path / "clean"
    _tree(raw)
    walked: list = []
    real_walk = sequence.discover_and_open

    def stop(*_: object) -> None:
        raise _Stopped

    monkeypatch.setattr(sequence, "discover_and_open", lambda *args: walked.append(real_walk(*args)) or walked[-1])
    monkeypatch.setattr(sequence, "deduplicate_files", stop)
    with pytest.raises(_Stopped):
        run_pipeline(raw, clean, Config())
    assert walked[0][0].folders_read == 4 and walked[0][0].listings == {}

    scanned: list[str] = []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: scanned.append(str(path)) or real_scandir(path))
    again, _ = real_walk(raw, Folders.of(clean), Config(), False)
    assert [path for path in scanned if path.startswith(str(raw))] == [] and again.folders_read == 0
    assert [f.path for f in again.files] == ["a/b/two.txt", "a/one.txt", "c/three.txt", "top.txt"]


def test_listings_are_written_again_only_when_the_walk_changed_them(tmp_path: Path) -> None:
    """Rewriting the listings of 731k folders took 11 s of an incremental run at a million files."""
    from commclean.config import Config
    from commclean.pipeline.workspace import discover_and_open
    from commclean.store import LISTINGS_FILE, Folders
    from commclean.store.cache import state_path

    raw, folders = tmp_path / "raw", Folders.of(tmp_path / "clean")
    _tree(raw)
    saved = state_path(folders.state, Config()) / LISTINGS_FILE

    def walked() -> tuple[int, int]:
        discover_and_open(raw, folders, Config(), False)
        return saved.stat().st_ino, saved.stat().st_mtime_ns  # written atomically: a new inode each time

    first = walked()
    assert walked() == first  # nothing changed: the file as it was
    (raw / "a" / "new.txt").write_text("new")  # as many folders as before, one of them read again
    _aged(raw)
    second = walked()
    assert second != first
    again, _ = discover_and_open(raw, folders, Config(), False)
    assert again.folders_read == 0 and "a/new.txt" in [f.path for f in again.files]


def test_the_prefetch_helper_stats_what_the_last_run_listed_and_nothing_outside_raw(tmp_path: Path) -> None:
    """It warms the inode cache for the walk: every listed folder and file under raw/, and no
    path of a listings file edited to point elsewhere."""
    from commclean.ingest.discover import FolderListing, save_listings
    from commclean.ingest.prefetch import prefetch

    raw, listings = tmp_path / "raw", tmp_path / "folders.arrow"
    _tree(raw)
    known = discover(raw).listings
    save_listings(listings, known)
    listed_files = sum(len(listing.files) for listing in known.values())
    assert prefetch(str(raw), str(listings), 2, stop_if_warm=False) == len(known) + listed_files == 4 + 4

    (tmp_path / "outside.txt").write_text("not in raw/")
    stamp = known[""].stamp
    edited = {**known, "": FolderListing(stamp, ("top.txt", "../outside.txt", ".."), (), ()),
              "../": FolderListing(stamp, ("outside.txt",), (), ()), "a/../../": FolderListing(stamp, (), (), ())}
    save_listings(listings, edited)
    assert prefetch(str(raw), str(listings), 2, stop_if_warm=False) == 4 + 4  # none of the five outside raw/


def test_with_no_listings_the_helper_walks_raw_in_threads_and_never_leaves_it(tmp_path: Path) -> None:
    """A first run's helper reads every folder under raw/ and stats each entry: links themselves,
    never what they point to, and no hidden folder, as discovery leaves those."""
    from commclean.ingest.prefetch import walk

    raw, outside = tmp_path / "raw", tmp_path / "outside"
    _tree(raw)  # 4 folders (raw/ included), 5 files and .hidden's file
    (raw / ".git").mkdir()
    (raw / ".git" / "config").write_text("x")
    for number in range(300):  # more folders than one thread takes at a time
        (raw / "many" / f"f{number}").mkdir(parents=True)
        (raw / "many" / f"f{number}" / "doc.txt").write_text("d")
    outside.mkdir()
    (outside / "secret.txt").write_text("not ours")
    os.symlink(outside, raw / "up")
    os.symlink(outside / "secret.txt", raw / "leak.txt")
    inside = 4 + 6 + 1 + 300 * 2 + 2  # the two links as links: "up"'s folder and file would add 2
    assert walk(str(raw), 4, stop_if_warm=False) == inside
    assert walk(str(raw), 1, stop_if_warm=False) == inside


def test_the_prefetch_helper_ends_after_one_share_when_the_inodes_are_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first share read quickly means the kernel has the inodes cached: the helper's threads
    would only take the second core from discovery's walk. (How quick that is depends on the
    machine: here any share counts as quick, or none.)"""
    from commclean.ingest import prefetch as helper
    from commclean.ingest.discover import save_listings

    raw, listings = tmp_path / "raw", tmp_path / "folders.arrow"
    for number in range(1000):
        (raw / f"f{number}").mkdir(parents=True)
        (raw / f"f{number}" / "doc.txt").write_text("d")
    _aged(raw)  # folders changed just now are read again, never listed
    save_listings(listings, discover(raw).listings)
    everything = 1 + 1000 * 2
    monkeypatch.setattr(helper, "_WARM_SECONDS_A_FOLDER", 0.0)
    assert helper.walk(str(raw), 4) == helper.prefetch(str(raw), str(listings), 4) == everything
    monkeypatch.setattr(helper, "_WARM_SECONDS_A_FOLDER", 60.0)
    assert helper.walk(str(raw), 4) < everything / 4  # the root and one share of its folders
    assert helper.prefetch(str(raw), str(listings), 4) < everything  # one share of the listings
    assert helper.walk(str(raw), 4, stop_if_warm=False) == everything


def test_a_run_starts_the_prefetch_helper_on_its_listings_and_leaves_none_running(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from commclean.config import Config
    from commclean.pipeline import run_pipeline, workspace

    raw, clean = tmp_path / "raw", tmp_path / "clean"
    _tree(raw)
    helpers: list = []
    real_start = workspace.start_prefetch
    monkeypatch.setattr(workspace, "start_prefetch", lambda *args: helpers.append(real_start(*args)) or helpers[-1])
    run_pipeline(raw, clean, Config())
    first = helpers[-1]  # no listings yet: it walks raw/ itself
    assert first is not None and first.args[-2] == "-" and first.returncode is not None  # and was stopped
    (raw / "a" / "new.txt").write_text("new")
    run_pipeline(raw, clean, Config())
    assert helpers[-1] is not None and helpers[-1].returncode is not None  # started, and stopped
    assert helpers[-1].args[-2].endswith(".arrow")  # on the listings the first run kept
    run_pipeline(raw, clean, Config(prefetch_threads=0), full=False)
    assert helpers[-1] is None
