"""Find the raw files a run must account for, and the ones it deliberately skips."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from commclean.records import FoundFile, SkippedFile

# Files still being written by a browser or downloader, and editor backups: never documents.
PARTIAL_DOWNLOAD_PATTERNS = ("*.part", "*.crdownload", "*~", "*.tmp", "*.partial", "*.download")


@dataclass(frozen=True)
class Discovery:
    files: tuple[FoundFile, ...]
    skipped: tuple[SkippedFile, ...]


def skip_reason(name: str) -> str | None:
    if name.startswith("."):
        return "hidden file"
    if any(fnmatch.fnmatch(name, pattern) for pattern in PARTIAL_DOWNLOAD_PATTERNS):
        return "partial download or temporary file"
    return None


def discover(raw_dir: str | Path) -> Discovery:
    """Every regular file under raw_dir, sorted by relative path so runs are deterministic."""
    root = Path(raw_dir).resolve()
    files: list[FoundFile] = []
    skipped: list[SkippedFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames):
            reason = "hidden folder" if name.startswith(".") else None
            if Path(dirpath, name).is_symlink():
                reason = "symbolic link to a folder (not followed)"
            if reason:
                dirnames.remove(name)
                skipped.append(SkippedFile(_relative(Path(dirpath, name), root) + "/", reason))
        for name in filenames:
            full = Path(dirpath, name)
            rel = _relative(full, root)
            reason = skip_reason(name) or _link_reason(full, root)
            if reason:
                skipped.append(SkippedFile(rel, reason))
                continue
            stat = full.stat()
            files.append(FoundFile(path=rel, abs_path=str(full), size_bytes=stat.st_size))
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    return Discovery(tuple(files), tuple(skipped))


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _link_reason(path: Path, root: Path) -> str | None:
    """Links are followed only to regular files inside raw/; anything else is skipped with a reason."""
    if not path.is_symlink():
        return None if path.is_file() else "not a regular file"
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken symbolic link"
    if not target.is_relative_to(root):
        return "symbolic link outside the raw folder"
    return None if target.is_file() else "not a regular file"
