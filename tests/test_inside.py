"""Opening a raw file never reads outside raw/, whether the path holds links or not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from commclean.ingest.inside import OutsideRaw, open_inside


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path.resolve() / "raw"  # as discovery gives it: resolved
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "statement.txt").write_bytes(b"inside")
    (tmp_path / "secret.txt").write_bytes(b"outside")
    return folder


def _read(raw: Path, path: Path) -> bytes:
    with open_inside(str(raw), str(path)) as handle:
        return handle.read()


def test_a_plain_path_under_raw_opens(raw: Path) -> None:
    assert _read(raw, raw / "sub" / "statement.txt") == b"inside"


def test_links_that_stay_inside_raw_are_followed(raw: Path) -> None:
    os.symlink(raw / "sub", raw / "folder-link")
    os.symlink(raw / "sub" / "statement.txt", raw / "file-link.txt")
    assert _read(raw, raw / "folder-link" / "statement.txt") == b"inside"
    assert _read(raw, raw / "file-link.txt") == b"inside"


@pytest.mark.parametrize("make", ["file link", "folder link", "dot-dot"])
def test_nothing_outside_raw_is_ever_opened(raw: Path, make: str) -> None:
    if make == "file link":
        os.symlink(raw.parent / "secret.txt", raw / "sub" / "alias.txt")
        path = raw / "sub" / "alias.txt"
    elif make == "folder link":
        os.symlink(raw.parent, raw / "up")
        path = raw / "up" / "secret.txt"
    else:
        path = Path(f"{raw}/sub/../../secret.txt")
    with pytest.raises(OutsideRaw):
        _read(raw, path)


def test_what_is_no_regular_file_or_is_gone_is_refused(raw: Path) -> None:
    os.mkfifo(raw / "pipe.txt")
    with pytest.raises(OutsideRaw, match="no longer a regular file"):
        _read(raw, raw / "pipe.txt")
    with pytest.raises(FileNotFoundError):
        _read(raw, raw / "sub" / "gone.txt")
