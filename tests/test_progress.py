"""A run reports its progress: a live display on a terminal, a line per step for a log, and
nothing at all on a stream that is no terminal."""

from __future__ import annotations

import io
from pathlib import Path

from commclean.config import Config
from commclean.pipeline import run_pipeline
from commclean.pipeline.sequence import UNCHANGED_STEP
from commclean.runtime.progress import LoggedProgress, TerminalProgress, on_terminal

STEPS = ("discover raw files (and read the run state)", "identify files (read only what changed)",
         "decode, repair, analyse and save new results", "deduplicate", "choose canonical texts and fuse metadata",
         "build the output tables", "validate with Great Expectations (and stage the snapshot meanwhile)", "publish")


def test_each_step_logs_one_line_with_what_it_handled(seed_raw: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    run_pipeline(seed_raw, tmp_path / "clean", Config(), progress=LoggedProgress(lines.append))
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    said = dict(line.split(": ", 1) for line in lines)
    assert said["discover raw files (and read the run state)"].startswith("5 entries in ")
    assert said["decode, repair, analyse and save new results"].startswith("5 files in ")
    assert said["choose canonical texts and fuse metadata"].startswith("4 documents in ")
    assert said["validate with Great Expectations (and stage the snapshot meanwhile)"].startswith("17 expectations")
    rewritten = sorted(seed_raw.iterdir())[0]
    rewritten.write_bytes(rewritten.read_bytes())  # the same bytes: read again, nothing new
    again: list[str] = []
    run_pipeline(seed_raw, tmp_path / "clean", Config(), progress=LoggedProgress(again.append))
    assert any(line.startswith("identify files (read only what changed): 0 new files") for line in again)
    idle: list[str] = []
    run_pipeline(seed_raw, tmp_path / "clean", Config(), progress=LoggedProgress(idle.append))
    assert [line.split(":")[0] for line in idle] == [STEPS[0], UNCHANGED_STEP]
    assert idle[1].startswith(f"{UNCHANGED_STEP}: 4 documents in ")


def test_a_terminal_sees_every_step_and_its_counts(seed_raw: Path, tmp_path: Path) -> None:
    screen = io.StringIO()
    with TerminalProgress(screen, force_terminal=True) as progress:
        run_pipeline(seed_raw, tmp_path / "clean", Config(), progress=progress)
    shown = screen.getvalue()
    for step in STEPS:
        assert step in shown
    assert "5 files in" in shown and "4 documents in" in shown


def test_nothing_is_drawn_on_a_stream_that_is_no_terminal(seed_raw: Path, tmp_path: Path) -> None:
    piped = io.StringIO()  # isatty() is False, as for a pipe, a file or a scheduled run's log
    with on_terminal(piped) as progress:
        run_pipeline(seed_raw, tmp_path / "clean", Config(), progress=progress)
    assert piped.getvalue() == ""
