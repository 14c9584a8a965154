"""Every snapshot carries report.html: one page, no script, no network, whose charts all draw in
a browser and whose tables say what the run changed, set aside and quarantined."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from commclean.config import Config, ValidationConfig
from commclean.pipeline import run_pipeline
from commclean.read import read_published
from commclean.report import run_report_markdown
from commclean.schema import Tables
from commclean.store.publish import published_doc_ids
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


def test_the_runs_markdown_lists_only_documents_new_to_readers_and_every_quarantined_file(
        seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert len(published_doc_ids(clean)) == 0  # nothing published yet: every document is new
    run_pipeline(seed_raw, clean, Config())
    before = published_doc_ids(clean)
    (seed_raw / "empty.txt").write_bytes(b"")
    gold = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))[0]
    shutil.copy(gold, seed_raw / "new.txt")
    summary = run_pipeline(seed_raw, clean, Config())
    corpus, sources = read_published(clean)
    markdown = run_report_markdown(summary, Tables(corpus, sources, corpus.slice(0, 0)), before)
    assert len(before) == 4 and corpus.num_rows == 5
    assert "## New documents (1)" in markdown
    (listed,) = [line for line in markdown.splitlines() if line.startswith("- `") and "(new.txt)" in line]
    assert listed.split("`")[1] not in before.to_pylist()
    assert "## Quarantined files (1)" in markdown and "- `empty.txt`: empty file" in markdown
    assert not any(path in markdown for path in ("(000_", "(001_", "(002_", "(004_"))  # the seeds' documents are not new


def test_the_report_shows_a_cut_off_copy_where_it_stops_and_each_repair_before_and_after(
        seed_raw: Path, tmp_path: Path) -> None:
    from rapidfuzz import fuzz

    clean = tmp_path / "clean"
    summary = run_pipeline(seed_raw, clean, Config())
    corpus, _ = read_published(clean)
    rows = zip(corpus.column("source_paths").to_pylist(), corpus.column("text").to_pylist())
    canonical_text = next(text for paths, text in rows if paths[0].startswith("001_"))
    (cut,) = summary.examples["duplicates"]["truncated copy"]
    assert cut["path"].startswith("003_") and cut["beside"].startswith("001_")
    # Seed 003 stops where the example says: its last words are the example's lead, and the
    # canonical goes on with what the example shows.
    copy_end = (seed_raw / cut["path"]).read_text(encoding="utf-8").rstrip()[-80:]
    assert fuzz.partial_ratio(cut["lead"], copy_end) > 90
    assert cut["lead"] + cut["before"][:80] in canonical_text
    repairs = summary.examples["repair"]
    assert set(repairs) <= set(summary.stats["repair"]) and len(repairs["rejoin_page_breaks"]) == 3
    wrapper = repairs["strip_release_wrapper"][0]
    assert "MEDIA NOTE" in wrapper["before"] and wrapper["after"] == ""
    manifest = (clean / "manifest.json").read_text(encoding="utf-8")
    assert '"strip_release_wrapper"' in manifest  # the manifest keeps them; the report shows them
    text = visible_text((clean / "report.html").read_text(encoding="utf-8"))
    assert f"truncated copy {cut['path']} {cut['beside']}" in text and "⟂ the copy ends here" in text
    assert all(f"{name} {e['path']}" in text for name, kept in repairs.items() for e in kept)


def test_a_difference_is_shown_at_its_first_place_with_the_words_around_it() -> None:
    from commclean.examples import first_difference, where_copy_ends

    assert first_difference("a.txt", "same", "same") is None
    shown = first_difference("a.txt", "The Ministers met in Rnme today.", "The Ministers met in Rome today.")
    assert (shown.lead, shown.before, shown.after, shown.trail) == ("The Ministers met in R", "n", "o", "me today.")
    # A removed wrapper is one change, though its letters recur in the text after it.
    body = "Over five years of military and civilian engagement, the Coalition has liberated the region. " * 4
    wrapper = "MEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON\n\nThe following is the text of a statement.\n\n"
    removed = first_difference("b.txt", "Title\n\n" + wrapper + body, "Title\n\n" + body)
    assert (removed.lead, removed.before, removed.after) == ("Title\n\n", wrapper, "")
    canonical = "First sentence here. Second sentence follows it. Third one ends the text."
    ends = where_copy_ends("copy.txt", canonical, "First sentence here. Second sentence follows", "main.txt")
    assert ends.lead.endswith("Second sentence follows") and ends.before == " it. Third one ends the text."
    assert where_copy_ends("copy.txt", canonical, "Nothing like the canonical at all", "main.txt") is None
