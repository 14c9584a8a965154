"""Find the raw files a run must account for, and the ones it deliberately skips."""

from __future__ import annotations

import errno
import itertools
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISBLK, S_ISCHR, S_ISFIFO, S_ISREG, S_ISSOCK
from typing import NamedTuple

import pyarrow as pa

from commclean import store
from commclean.records import FoundFile, SkippedFile

# Files still being written by a browser or downloader, and editor backups: never documents.
PARTIAL_DOWNLOAD_SUFFIXES = (".part", ".crdownload", "~", ".tmp", ".partial", ".download")


# A folder's listing is trusted on a later run only if the folder had not changed for this long
# when it was read: its mtime ticks with a coarse clock, so a file added in the same tick as
# an earlier change would leave it as it was (git's "racy" entries, the same precaution).
UNTRUSTED_WITHIN_NS = 2_000_000_000
FolderStamp = tuple[int, int, int]  # mtime_ns, ctime_ns, inode


class FolderListing(NamedTuple):
    """What a folder held when it was read, and its stamp then. A folder's stamp changes when an
    entry is added, removed or renamed in it (not when a file in it is rewritten: every file is
    still stat'ed), so with the same stamp the same listing holds without reading the folder."""

    stamp: FolderStamp
    files: tuple[str, ...]  # names of regular files (no links: a folder holding one is always read)
    folders: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (name, reason), a folder's name ending in "/"


Listings = dict[str, FolderListing]  # folder relative to raw/ ("" for raw/ itself, else ending "/")


@dataclass(frozen=True)
class Discovery:
    files: tuple[FoundFile, ...]
    skipped: tuple[SkippedFile, ...]
    listings: Listings = field(default_factory=dict)  # those a later run may trust
    folders_read: int = 0  # how many folders were read rather than known from `listings`
    listings_changed: bool = True  # whether `listings` differ from those the walk was given


class FolderClash(ValueError):
    """The clean folder lies inside the raw folder (or is it): the corpus would read itself."""


def check_folders(raw_dir: str | Path, folders: store.Folders) -> None:
    """Refuse a clean or state folder inside raw/ (the next run would take its own manifest,
    Parquet files and cache for documents), and raw/ inside either (a run tidies both)."""
    raw = Path(raw_dir).resolve()
    for kind, given in (("clean", folders.clean), ("state", folders.state)):
        folder = Path(given).resolve()
        if folder == raw or folder.is_relative_to(raw):
            raise FolderClash(f"{kind} folder {given} lies inside the raw folder {raw_dir}: choose one outside it")
        if raw.is_relative_to(folder):
            raise FolderClash(f"raw folder {raw_dir} lies inside the {kind} folder {given}: choose one outside it")


def skip_reason(name: str) -> str | None:
    if name.startswith("."):
        return "hidden file"
    if name.endswith(PARTIAL_DOWNLOAD_SUFFIXES):
        return "partial download or temporary file"
    return None


def discover(raw_dir: str | Path, known: Listings | None = None) -> Discovery:
    """Every regular file under raw_dir, sorted by relative path so runs are deterministic, with
    its stat stamp. A folder whose stamp is what `known` (the previous run's listings) says is
    not read again: only stat'ed, as each of its files is. Reading 73k folders costs seconds
    once the kernel has let their blocks go, as it does during a long full build."""
    root = Path(raw_dir).resolve()
    started = time.time_ns()
    files: list[FoundFile] = []
    skipped: list[SkippedFile] = []
    listings: Listings = {}
    read = 0
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            stamp = _stamp_of(os.stat(folder))
            listing = known.get(prefix) if known else None
            found = _as_listed(folder, prefix, listing, sys.intern(str(root))) if listing is not None and listing.stamp == stamp else None
            if found is None:
                found, listing = _read_folder(folder, prefix, root, stamp)
                read += 1
        except FileNotFoundError:
            if not prefix:
                raise
            continue  # removed while this run walked raw/: it holds nothing to account for now
        except OSError as error:
            if not prefix:
                raise
            skipped.append(SkippedFile(ledger_path(prefix), f"unreadable folder ({_why(error)})"))
            continue
        folder_files, subfolders, folder_skipped = found
        files.extend(folder_files)
        skipped.extend(folder_skipped)
        folders.extend(subfolders)
        # A change leaves the stamp as it was only if it came in the tick of the mtime seen.
        if listing is not None and stamp[0] < started - UNTRUSTED_WITHIN_NS:
            listings[prefix] = listing
    files, skipped = _unique_ledger_paths(files, skipped, root)
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    # Nothing read, and every listing given still trusted: the same listings (none can be added).
    changed = read > 0 or len(listings) != len(known or {})
    return Discovery(tuple(files), tuple(skipped), listings, read, changed)


def _unique_ledger_paths(files: list[FoundFile], skipped: list[SkippedFile],
                         root: Path) -> tuple[list[FoundFile], list[SkippedFile]]:
    """An escaped name can read like another entry's real name ("caf\\xe9" is a valid name too):
    such an entry is quarantined under its escaped path plus its name's bytes in hex, never two
    ledger rows under one path."""
    taken = [f.path for f in files] + [s.path for s in skipped]
    if len(set(taken)) == len(taken):
        return files, skipped
    clashing = {path for path, count in Counter(taken).items() if count > 1}
    kept = [f for f in files if f.path not in clashing or f.abs_path == str(root / f.path)]
    for found in files:
        if found not in kept:
            original = os.fsencode(found.abs_path[len(str(root)) + 1:]).hex()
            skipped.append(SkippedFile(f"{found.path} [name bytes {original}]",
                                       "name not valid UTF-8, and its escaped form is another entry's name"))
    return kept, skipped


Found = tuple[list[FoundFile], list[tuple[str, str]], list[SkippedFile]]  # files, subfolders, skipped


def _as_listed(folder: str, prefix: str, listing: FolderListing, root: str) -> Found | None:
    """The folder as its listing says, each file stat'ed; None if a file is no longer a regular
    file (the folder is then read)."""
    files = []
    for name in listing.files:
        path = f"{folder}/{name}"
        try:
            stat = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        files.append(FoundFile(prefix + name, path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                               root))
    subfolders = [(f"{folder}/{name}", f"{prefix}{name}/") for name in listing.folders]
    return files, subfolders, [SkippedFile(prefix + name, reason) for name, reason in listing.skipped]


def ledger_path(path: str) -> str:
    """A path as the ledger can hold it: a name that is not valid UTF-8 (the file system allows
    any bytes) keeps its other characters and shows each undecodable byte as \\xNN."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _read_folder(folder: str, prefix: str, root: Path, stamp: FolderStamp) -> tuple[Found, FolderListing | None]:
    """The folder as it is, and its listing (None if it holds a link, whose target can change
    without the folder changing, or a name the listing cannot keep). An entry that cannot be
    examined is skipped with the reason, never the end of the walk."""
    files: list[FoundFile] = []
    subfolders: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    listable = ledger_path(prefix) == prefix
    with os.scandir(folder) as entries:
        for entry in entries:
            listable = listable and not entry.is_symlink() and ledger_path(entry.name) == entry.name
            try:
                _sort_entry(entry, prefix, root, files, subfolders, skipped)
            except OSError as error:
                skipped.append((entry.name, f"unreadable entry ({_why(error)})"))
    listing = FolderListing(
        stamp, tuple(f.path[len(prefix):] for f in files), tuple(rel[len(prefix):-1] for _, rel in subfolders),
        tuple(skipped)) if listable else None
    return (files, subfolders, [SkippedFile(ledger_path(prefix + name), reason) for name, reason in skipped]), listing


def _sort_entry(entry: os.DirEntry[str], prefix: str, root: Path, files: list[FoundFile],
                subfolders: list[tuple[str, str]], skipped: list[tuple[str, str]]) -> None:
    if entry.is_dir(follow_symlinks=False):
        if entry.name.startswith("."):
            skipped.append((entry.name + "/", "hidden folder"))
        else:
            subfolders.append((entry.path, f"{prefix}{entry.name}/"))
        return
    reason = skip_reason(entry.name) or _link_reason(entry, root)
    if reason:
        skipped.append((entry.name + ("/" if _is_folder(entry) else ""), reason))
        return
    stat = entry.stat()  # follows a link (to a file inside raw/, checked above)
    files.append(FoundFile(ledger_path(prefix + entry.name), entry.path, stat.st_size, stat.st_mtime_ns,
                           stat.st_ctime_ns, stat.st_ino, sys.intern(str(root))))


def _stamp_of(stat: os.stat_result) -> FolderStamp:
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


_LISTINGS = pa.schema([
    ("folder", pa.string()), ("mtime_ns", pa.int64()), ("ctime_ns", pa.int64()), ("inode", pa.int64()),
    ("files", pa.list_(pa.string())), ("folders", pa.list_(pa.string())),
    ("skipped_names", pa.list_(pa.string())), ("skipped_reasons", pa.list_(pa.string())),
])


def save_listings(path: Path, listings: Listings) -> None:
    # Each list column built from one flat list and its offsets: a Python list per folder, at
    # 731k folders, took most of the 11 s this file cost to write.
    rows = sorted(listings.items())
    stamps = list(zip(*(listing.stamp for _, listing in rows))) or [(), (), ()]
    skipped = [listing.skipped for _, listing in rows]
    store.write_arrow(path, pa.Table.from_arrays([
        pa.array([folder for folder, _ in rows], pa.string()),
        *(pa.array(column, pa.int64()) for column in stamps),
        _list_column([listing.files for _, listing in rows]),
        _list_column([listing.folders for _, listing in rows]),
        _list_column([tuple(name for name, _ in entries) for entries in skipped]),
        _list_column([tuple(reason for _, reason in entries) for entries in skipped]),
    ], schema=_LISTINGS))


def _list_column(lists: Sequence[Sequence[str]]) -> pa.Array:
    offsets = pa.array(itertools.accumulate(map(len, lists), initial=0), pa.int32())
    return pa.ListArray.from_arrays(offsets, pa.array(itertools.chain.from_iterable(lists), pa.string()))


def load_listings(path: Path) -> Listings:
    """The listings a run kept, or none (it is only a cache)."""
    try:
        table = store.read_arrow(path, _LISTINGS)
    except (OSError, store.StateDamaged):
        return {}
    folders = table.column("folder").to_pylist()
    stamps = zip(*(table.column(name).to_numpy().tolist() for name in ("mtime_ns", "ctime_ns", "inode")))
    files, subfolders, names, reasons = (_tuples(table.column(name)) for name in
                                         ("files", "folders", "skipped_names", "skipped_reasons"))
    return {
        folder: FolderListing(stamp, *lists, tuple(zip(skipped_names, skipped_reasons)))
        for folder, stamp, *lists, skipped_names, skipped_reasons in zip(folders, stamps, files, subfolders, names, reasons)
    }


def _tuples(column: pa.ChunkedArray) -> Iterator[tuple[str, ...]]:
    """A list column as a tuple per row, from one flat list of its values."""
    for chunk in column.chunks:
        values, offsets = chunk.values.to_pylist(), chunk.offsets.to_numpy().tolist()
        yield from (tuple(values[start:end]) for start, end in zip(offsets, offsets[1:]))


def _link_reason(entry: os.DirEntry[str], root: Path) -> str | None:
    """Links are followed only to regular files inside raw/; anything else is skipped with a reason."""
    if not entry.is_symlink():
        return _kind_reason(entry.stat(follow_symlinks=False).st_mode)
    try:
        target = Path(entry.path).resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop"
    except OSError as error:
        return "symbolic link loop" if error.errno == errno.ELOOP else "broken symbolic link"
    if not target.is_relative_to(root):
        return "symbolic link outside the raw folder"
    if target.is_dir():
        return "symbolic link to a folder (not followed)"
    return _kind_reason(target.stat().st_mode)


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _kind_reason(mode: int) -> str | None:
    """None for a regular file; else what it is, for the ledger."""
    if S_ISREG(mode):
        return None
    if S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if S_ISSOCK(mode):
        return "not a regular file (a socket)"
    if S_ISCHR(mode) or S_ISBLK(mode):
        return "not a regular file (a device)"
    return "not a regular file"
