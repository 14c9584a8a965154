"""Discovery finds every document file and says why it skipped the others."""

from __future__ import annotations

import os
from pathlib import Path

from commclean.discover import discover


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
    found = discover(raw)
    assert [f.path for f in found.files] == ["alias.txt", "inside.txt"]
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons == {
        "leak.txt": "symbolic link outside the raw folder",
        "broken.txt": "broken symbolic link",
        "up/": "symbolic link to a folder (not followed)",
    }
