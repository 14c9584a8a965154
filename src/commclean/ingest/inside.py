"""Open a raw file so that what is read lies inside raw/, whatever links do between discovery and reading."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

_WALK = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a file swapped for a named pipe must not block the run waiting for a writer.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class OutsideRaw(OSError):
    """The entry no longer leads to a regular file inside raw/ (re-pointed, or swapped for
    something else, after discovery)."""


def open_inside(root: str, path: str) -> BinaryIO:
    """Open `path` (absolute, under `root`) for reading. A link is resolved now, not trusted from
    discovery; the resolved path is then opened one component at a time from `root`, none of
    them followed if it is a link, so a link swapped in meanwhile fails rather than leads out."""
    try:
        # Most paths hold no link: opened as they stand, component by component and none
        # followed, they are inside raw/ without resolving each component first (a third of
        # reading a file). Any failure (a link on the way, among others) takes the full route.
        descriptor = _opened_from(root, _parts_under(root, path))
    except OSError:
        target = os.path.realpath(path)
        if os.path.commonpath([root, target]) != root or target == root:
            raise OutsideRaw(0, "symbolic link leads outside the raw folder") from None
        descriptor = _opened_from(root, Path(target).relative_to(root).parts)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OutsideRaw(0, "no longer a regular file")
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def _parts_under(root: str, path: str) -> list[str]:
    """The components of `path` below `root` as written; an error for anything but plain names."""
    parts = path[len(root) + 1 :].split(os.sep) if path.startswith(root + os.sep) else []
    if not parts or any(part in ("", ".", "..") for part in parts):
        raise OSError(0, "not a plain path under the raw folder")
    return parts


def _opened_from(root: str, parts: Sequence[str]) -> int:
    """A descriptor for root/parts, reached one component at a time, following no link."""
    folder = os.open(root, _WALK)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _WALK, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], _FILE, dir_fd=folder)
    finally:
        os.close(folder)
