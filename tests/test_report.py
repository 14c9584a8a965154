"""Every snapshot carries report.html: one page, no script, no network, whose charts all draw in
a browser and whose tables say what the run changed, set aside and quarantined."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from commclean.config import Config, ValidationConfig
from commclean.pipeline import run_pipeline
from conftest import MISDATED, PROJECT, chromium, chromium_dom, visible_text

CHARTS = ("Documents by year of issue", "Documents by type", "Top issuers", "Metadata found (% of documents)",
          "Duplicates by kind", "Repairs applied to the corpus", "Quarantined files by reason")


def test_the_report_says_what_the_snapshot_holds_and_what_changed(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    config = Config(validation=ValidationConfig(max_rejected_share=0.5))
    run_pipeline(seed_raw, clean, config)
    (seed_raw / "misdated.txt").write_text(MISDATED, encoding="utf-8")
    (seed_raw / "empty.txt").write_bytes(b"")
    shutil.copy(sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))[0], seed_raw / "new.txt")
    summary = run_pipeline(seed_raw, clean, config)
    page = clean / "snapshots" / "v2" / "report.html"
    assert summary.report == str(page) and page.is_file()
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<script|(src|href)=[\"']https?://", html)  # it renders offline, as it is
    text = visible_text(html)
    assert "What changed since v1" in text and "Documents: 1 added, 0 removed, 0 changed" in text
    assert "empty.txt empty file" in text and "misdated.txt failed expectation: date within a plausible range" in text
    assert "date within a plausible range 1" in text  # the validation's set-aside table

    shown = chromium(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0",
                     f"--screenshot={tmp_path / 'report.png'}", "--window-size=1300,2400")
    assert not re.search(r"CONSOLE|Uncaught", shown.stderr), shown.stderr[-2000:]
    assert (tmp_path / "report.png").stat().st_size > 20_000  # a page with charts, not a blank one
    dom = chromium_dom(page, tmp_path / "profile")
    figures = re.findall(r"<figure>.*?</figure>", dom, flags=re.S)
    assert [re.search(r"<figcaption>(.*?)</figcaption>", f).group(1) for f in figures] == [
        c.replace("&", "&amp;") for c in CHARTS]
    for figure in figures:  # each chart drew its bars (or says, in words, that it has none)
        assert figure.count("<path") >= 3 or "none" in visible_text(figure), figure[:300]
    assert sum("<svg" in f for f in figures) >= 6
