"""Find the raw files a run must account for, and the ones it deliberately skips."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from commclean.records import FoundFile, SkippedFile

# Files still being written by a browser or downloader, and editor backups: never documents.
PARTIAL_DOWNLOAD_SUFFIXES = (".part", ".crdownload", "~", ".tmp", ".partial", ".download")


@dataclass(frozen=True)
class Discovery:
    files: tuple[FoundFile, ...]
    skipped: tuple[SkippedFile, ...]


def skip_reason(name: str) -> str | None:
    if name.startswith("."):
        return "hidden file"
    if name.endswith(PARTIAL_DOWNLOAD_SUFFIXES):
        return "partial download or temporary file"
    return None


def discover(raw_dir: str | Path) -> Discovery:
    """Every regular file under raw_dir, sorted by relative path so runs are deterministic, with
    its stat stamp (one stat a file: a scheduled run walks the whole folder every time)."""
    root = Path(raw_dir).resolve()
    files: list[FoundFile] = []
    skipped: list[SkippedFile] = []
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    reason = "hidden folder" if entry.name.startswith(".") else None
                    if reason:
                        skipped.append(SkippedFile(rel + "/", reason))
                    else:
                        folders.append((entry.path, rel + "/"))
                    continue
                reason = skip_reason(entry.name) or _link_reason(entry, root)
                if reason:
                    skipped.append(SkippedFile(rel + ("/" if entry.is_dir() else ""), reason))
                    continue
                stat = entry.stat()  # follows a link (to a file inside raw/, checked above)
                files.append(FoundFile(rel, entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino))
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    return Discovery(tuple(files), tuple(skipped))


def _link_reason(entry: os.DirEntry[str], root: Path) -> str | None:
    """Links are followed only to regular files inside raw/; anything else is skipped with a reason."""
    if not entry.is_symlink():
        return None if entry.is_file(follow_symlinks=False) else "not a regular file"
    if entry.is_dir():
        return "symbolic link to a folder (not followed)"
    try:
        target = Path(entry.path).resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken symbolic link"
    if not target.is_relative_to(root):
        return "symbolic link outside the raw folder"
    return None if target.is_file() else "not a regular file"
