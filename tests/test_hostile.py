"""Hostile entries under raw/ are normal input: each gets exactly one ledger row with a reason, the
run goes on and publishes, and nothing outside raw/ is ever read."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pyarrow.parquet as pq
import pytest

from commclean.config import Config
from commclean.pipeline import LocalRunner, build_candidate, run_pipeline
from commclean.pipeline import workspace as workspace_module
from commclean.schema import corpus_rows
from commclean.store import Folders

from conftest import GOLD

T = TypeVar("T")
SECRET = "A private letter that lives outside the raw folder and must never be published. " * 6


def _ledger(clean: Path) -> dict[str, tuple[str, str | None]]:
    rows = pq.read_table(clean / "sources.parquet").to_pylist()
    assert len({row["path"] for row in rows}) == len(rows), "one row per entry"
    return {row["path"]: (row["status"], row["reason"]) for row in rows}


def _texts(clean: Path) -> str:
    return "\n".join(pq.read_table(clean / "corpus.parquet").column("text").to_pylist())


def _runs_and_rebuilds(raw: Path, clean: Path, tmp_path: Path) -> None:
    """A first run, an incremental one and a --full one all publish the same ledger."""
    assert run_pipeline(raw, clean, Config()).published
    first = _ledger(clean)
    assert run_pipeline(raw, clean, Config()).published
    assert _ledger(clean) == first
    assert run_pipeline(raw, tmp_path / "full", Config(), full=True).published
    assert _ledger(tmp_path / "full") == first


def test_a_name_that_is_not_utf8_is_kept_escaped_and_read(seed_raw: Path, tmp_path: Path) -> None:
    folder = os.fsencode(seed_raw) + b"/caf\xe9 notes"
    os.mkdir(folder)
    with open(folder + b"/st\xe9tement.txt", "wb") as out:
        out.write(GOLD[0].read_bytes())
    clean = tmp_path / "clean"
    _runs_and_rebuilds(seed_raw, clean, tmp_path)
    assert _ledger(clean)["caf\\xe9 notes/st\\xe9tement.txt"][0] in {"canonical", "duplicate"}


def test_links_that_loop_or_lead_nowhere_are_quarantined_with_the_reason(seed_raw: Path, tmp_path: Path) -> None:
    os.symlink("self.txt", seed_raw / "self.txt")
    os.symlink("b.txt", seed_raw / "a.txt")
    os.symlink("a.txt", seed_raw / "b.txt")
    os.symlink(tmp_path / "nowhere", seed_raw / "gone.txt")
    clean = tmp_path / "clean"
    _runs_and_rebuilds(seed_raw, clean, tmp_path)
    ledger = _ledger(clean)
    for name in ("self.txt", "a.txt", "b.txt"):
        assert ledger[name] == ("quarantined", "symbolic link loop")
    assert ledger["gone.txt"] == ("quarantined", "broken symbolic link")


def test_pipes_and_sockets_are_in_the_ledger_and_never_block_the_run(seed_raw: Path, tmp_path: Path) -> None:
    os.mkfifo(seed_raw / "pipe.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(seed_raw / "socket.txt"))
    try:
        clean = tmp_path / "clean"
        _runs_and_rebuilds(seed_raw, clean, tmp_path)
    finally:
        listener.close()
    ledger = _ledger(clean)
    assert ledger["pipe.txt"] == ("quarantined", "not a regular file (a named pipe)")
    assert ledger["socket.txt"] == ("quarantined", "not a regular file (a socket)")


def test_every_entry_gets_exactly_one_ledger_row(seed_raw: Path, tmp_path: Path) -> None:
    (seed_raw / ".hidden.txt").write_text("hidden")
    (seed_raw / "download.txt.part").write_text("half")
    (seed_raw / ".git").mkdir()
    (seed_raw / ".git" / "HEAD").write_text("ref")
    os.symlink(tmp_path, seed_raw / "up")
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    entries = {p.name + ("/" if p.is_dir() else "") for p in seed_raw.iterdir()}
    assert set(_ledger(clean)) == entries
    assert _ledger(clean)[".git/"] == ("quarantined", "hidden folder")


def test_an_unreadable_folder_or_file_is_quarantined_not_the_end_of_the_run(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Permissions do not bind root, who runs CI: the refusals are made where the OS would make them.
    from commclean.ingest import decode, discover

    (seed_raw / "locked").mkdir()
    (seed_raw / "locked" / "inside.txt").write_text("never seen")
    shutil.copy(GOLD[0], seed_raw / "secret.txt")
    real_scandir, real_open = discover.os.scandir, decode.open_inside

    def scandir(path: Any) -> Any:
        if str(path).endswith("/locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def open_inside(root: str, path: str) -> Any:
        if path.endswith("secret.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(root, path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    monkeypatch.setattr(decode, "open_inside", open_inside)
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    ledger = _ledger(clean)
    assert ledger["locked/"] == ("quarantined", "unreadable folder (Permission denied)")
    assert ledger["secret.txt"] == ("quarantined", "unreadable (Permission denied)")


class _RepointingRunner(LocalRunner):
    """Runs the steps, and right after the step named `after` points raw/alias.txt elsewhere."""

    def __init__(self, link: Path, target: Path, after: str) -> None:
        super().__init__()
        self.link, self.target, self.after = link, target, after

    def step(self, name: str, function: Callable[..., T], *args: Any) -> T:
        result = function(*args)
        if name == self.after:
            self.link.unlink()
            os.symlink(self.target, self.link)
        return result


STEPS = ["discover raw files (and read the run state)", "identify files (read only what changed)",
         "decode, repair, analyse and save new results", "deduplicate", "choose canonical texts and fuse metadata"]


@pytest.mark.parametrize("after", STEPS)
def test_a_link_repointed_outside_raw_after_any_step_never_reads_outside(
        seed_raw: Path, tmp_path: Path, after: str) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("Joint Statement\n\n" + SECRET)
    shutil.copy(GOLD[0], seed_raw / "inside.txt")
    os.symlink(seed_raw / "inside.txt", seed_raw / "alias.txt")
    clean = tmp_path / "clean"
    runner = _RepointingRunner(seed_raw / "alias.txt", secret, after)
    built = build_candidate(seed_raw, Config(), Folders.of(clean), runner=runner)
    assert all("private letter" not in row.text for row in corpus_rows(built.candidate.built))
    # The next run sees the link as it now is: outside raw/, so in the ledger and never read.
    assert run_pipeline(seed_raw, clean, Config()).published
    assert "private letter" not in _texts(clean)
    assert _ledger(clean)["alias.txt"] == ("quarantined", "symbolic link outside the raw folder")


def test_a_link_repointed_between_discovery_and_reading_is_refused_when_read(
        seed_raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("Joint Statement\n\n" + SECRET)
    shutil.copy(GOLD[0], seed_raw / "inside.txt")
    os.symlink(seed_raw / "inside.txt", seed_raw / "alias.txt")
    real_discover = workspace_module.discover

    def discover_then_repoint(*args: Any) -> Any:
        found = real_discover(*args)
        (seed_raw / "alias.txt").unlink()
        os.symlink(secret, seed_raw / "alias.txt")
        return found

    monkeypatch.setattr(workspace_module, "discover", discover_then_repoint)
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    assert "private letter" not in _texts(clean)
    assert _ledger(clean)["alias.txt"] == ("quarantined", "symbolic link leads outside the raw folder")


def test_an_escaped_name_that_reads_like_another_entrys_name_never_doubles_a_ledger_row(
        seed_raw: Path, tmp_path: Path) -> None:
    (seed_raw / "caf\\xe9.txt").write_bytes(GOLD[1].read_bytes())  # a valid name: backslash, x, e, 9
    with open(os.fsencode(seed_raw) + b"/caf\xe9.txt", "wb") as out:  # one byte that is not UTF-8
        out.write(GOLD[2].read_bytes())
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    ledger = _ledger(clean)
    assert ledger["caf\\xe9.txt"][0] == "canonical"
    assert ledger["caf\\xe9.txt [name bytes 636166e92e747874]"] == (
        "quarantined", "name not valid UTF-8, and its escaped form is another entry's name")


def test_a_markdown_export_that_keeps_its_reader_busy_is_quarantined_and_the_run_goes_on(
        seed_raw: Path, tmp_path: Path) -> None:
    # A body of marks ("![" hundreds of thousands of times) takes the markdown parser seconds; read
    # in the helper, as pages are, it costs the run reader_seconds and no more.
    (seed_raw / "marks.md").write_text("---\ntitle: Marks\ndate: 2024-05-01\n---\n\n" + "![" * 150_000, encoding="utf-8")
    shutil.copy(GOLD[0], seed_raw / "export.md")  # a plain statement beside it, read as before
    config = Config(decode=replace(Config().decode, reader_seconds=1.0))
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, config).published
    ledger = _ledger(clean)
    assert ledger["marks.md"] == ("quarantined", "markdown reader (markdown-it-py) took over 1 s")
    assert ledger["export.md"][0] in {"canonical", "duplicate"}


def test_a_file_of_marks_or_figures_with_no_prose_is_quarantined_as_such(seed_raw: Path, tmp_path: Path) -> None:
    # A body of marks (a markdown export of "![" read as written, as the run read one) or of bare
    # figures is no statement: real ones are two-thirds letters and more.
    (seed_raw / "marks.md").write_text("---\ntitle: Marks\ndate: 2024-05-01\n---\n\n" + "![" * 5_000, encoding="utf-8")
    (seed_raw / "figures.txt").write_text("Table 4\n\n" + "12.5, 33.1; 47 (2023) | " * 400, encoding="utf-8")
    clean = tmp_path / "clean"
    assert run_pipeline(seed_raw, clean, Config()).published
    ledger = _ledger(clean)
    reason = "no prose (under 25% of its characters are letters)"
    assert ledger["marks.md"] == ("quarantined", reason)
    assert ledger["figures.txt"] == ("quarantined", reason)
    assert all(status != "quarantined" for path, (status, _) in ledger.items() if path not in ("marks.md", "figures.txt"))
