"""Statements saved as whole web pages: the statement comes out, the page's menus, scripts, banners
and related links do not, and the date is the one the page's markup states (never one its text
merely mentions)."""

from __future__ import annotations

import datetime as dt
import random
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import GOLD

from commclean.config import Config, DecodeConfig, MetadataConfig, RepairConfig
from commclean.ingest.decode import NO_MAIN_TEXT, decode_bytes
from commclean.ingest.page import is_web_page, page_text
from commclean.pipeline import build_candidate, run_pipeline
from commclean.records import RawFile
from commclean.repair.steps import repair_text
from commclean.schema import corpus_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from web_pages import CHROME_MARKERS, LAYOUTS, MARKUP_DATED, RENDER, STEP, Statement  # noqa: E402

RAW = RawFile("page.html", "/nonexistent/page.html", 0, "")
PUBLISHED = dt.date(2022, 5, 4)


def statements() -> list[Statement]:
    found = []
    for path in GOLD:
        title, *paragraphs = path.read_text(encoding="utf-8").strip().split("\n\n")
        found.append(Statement(path.name, title, tuple(paragraphs), PUBLISHED))
    return found


def rendered(layout: str, statement: Statement, seed: int = 3) -> str:
    others = [s for s in statements() if s.name != statement.name]
    return RENDER[layout](statement, random.Random(seed), others)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_saved_page_decodes_to_its_statement_and_names_the_step(layout: str) -> None:
    for statement in statements()[:4]:
        decoded = decode_bytes(RAW, rendered(layout, statement).encode("utf-8"), DecodeConfig())
        assert decoded.quarantine_reason is None
        assert STEP[layout] in decoded.decode_repairs
        text = repair_text(decoded.text or "", RepairConfig()).text
        assert text == statement.text, statement.name
        assert not [marker for marker in CHROME_MARKERS if marker in text]


@pytest.mark.parametrize("words", [10, 25])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_page_saved_cut_short_gives_the_cut_statement_without_the_pages_header(layout: str, words: int) -> None:
    # A page whose main text is short (a truncated save) must not fall back to the whole page's
    # text in one block (kind label, byline, share buttons, tags): that copy would match none of
    # the statement's other copies.
    for statement in statements()[:4]:
        cut = replace(statement, paragraphs=(" ".join(statement.paragraphs[0].split()[:words]),))
        assert len(cut.paragraphs[0]) < 250  # trafilatura's own threshold for "too short"
        decoded = decode_bytes(RAW, rendered(layout, cut).encode("utf-8"), DecodeConfig())
        text = repair_text(decoded.text or "", RepairConfig()).text
        assert text == cut.text, statement.name
        assert not [marker for marker in CHROME_MARKERS if marker in text]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_date_is_the_markups_and_a_page_without_one_has_none(layout: str) -> None:
    # Every layout lists related articles with dates of their own, and the statements mention
    # dates: neither is the page's date.
    statement = statements()[0]
    decoded = decode_bytes(RAW, rendered(layout, statement).encode("utf-8"), DecodeConfig())
    assert decoded.stated_date == (PUBLISHED if layout in MARKUP_DATED else None)


def test_a_page_date_counts_whatever_the_day_the_page_is_read() -> None:
    # htmldate's default upper bound is today: the same raw/ would then give another corpus tomorrow.
    late = Statement("late.txt", "A Statement", (("The ministers met and agreed on the plan. " * 8).strip(),), dt.date(2099, 1, 1))
    page = RENDER["agency"](late, random.Random(1), statements())
    assert page_text(page, DecodeConfig()).stated_date == dt.date(2099, 1, 1)  # type: ignore[union-attr]


def test_the_page_encoding_is_decoded_before_the_markup_is_read() -> None:
    statement = Statement("s.txt", "Déclaration commune sur la coopération",
                          (("Les ministres se sont réunis à Genève et ont salué l’accord conclu. " * 5).strip(),), PUBLISHED)
    page = RENDER["briefing"](statement, random.Random(2), statements())
    decoded = decode_bytes(RAW, page.encode("cp1252"), DecodeConfig())
    assert decoded.encoding == "cp1252"
    assert repair_text(decoded.text or "", RepairConfig()).text == statement.text


def test_a_page_with_no_main_text_is_quarantined_with_that_reason() -> None:
    page = ("<!DOCTYPE html><html><head><title>Home</title><script>var a = 1;</script></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
            "<footer><a href='/privacy'>Privacy Policy</a></footer></body></html>")
    decoded = decode_bytes(RAW, page.encode(), DecodeConfig())
    assert decoded.text is None
    assert decoded.quarantine_reason == NO_MAIN_TEXT == "web page (HTML) in which no main text was found"


@pytest.mark.parametrize("text", [
    "Joint Statement\n\n<p>The ministers met in Rome.</p>\n\n<p>They agreed.</p>",
    "Joint Statement\n\nThe <html> element of the ministry's site was hacked, the ministers said.",
    "Statement on <body> armour exports\n\nThe ministers agreed on new rules for body armour.",
])
def test_a_text_with_stray_tags_is_no_page(text: str) -> None:
    assert not is_web_page(text)
    decoded = decode_bytes(RAW, text.encode(), DecodeConfig())
    assert "extract_page_text" not in decoded.decode_repairs


def test_a_page_and_a_text_copy_of_one_statement_make_one_document_dated_by_the_page(tmp_path: Path) -> None:
    statement = statements()[1]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "saved.html").write_text(rendered("agency", statement), encoding="utf-8")
    (raw / "copy.txt").write_text(statement.text + "\n", encoding="utf-8")
    candidate = build_candidate(raw, Config()).candidate
    [row] = corpus_rows(candidate.built)
    assert sorted(row.source_paths) == ["copy.txt", "saved.html"]
    assert row.text == statement.text
    assert row.metadata.title == statement.title
    # The plain copy is the canonical one (fewer repairs), the date the page's
    assert (row.metadata.date, row.metadata.date_source) == (PUBLISHED, "page markup (fused from saved.html)")
    assert sorted(str(source.status) for source in candidate.sources) == ["canonical", "duplicate"]


def test_a_new_analysis_reads_the_page_date_again_from_the_cache(tmp_path: Path) -> None:
    # The decoded record is not cached, the text metadata is read from is: the date rides on it.
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    raw.mkdir()
    (raw / "saved.html").write_text(rendered("briefing", statements()[2]), encoding="utf-8")
    run_pipeline(raw, clean, Config())
    changed = Config(metadata=replace(MetadataConfig(), min_event_date_score=4.6))
    summary = run_pipeline(raw, clean, changed)
    assert summary.stats["cache"]["texts analysed again (analysis code or settings changed)"] == 1
    [row] = pq.read_table(clean / "corpus.parquet").to_pylist()
    assert (row["date"], row["date_source"]) == (PUBLISHED, "page markup")


BODY = "The Ministers met in Lima and agreed to deepen their cooperation on trade and climate. " * 3


@pytest.mark.parametrize("text", [
    f"---\n\n{BODY}\n\n---\n\nMore text follows the rule.",  # horizontal rules, no mapping between
    f"---\nNote: the text below was corrected.\n---\n\n{BODY}",  # a mapping that states no title or date
    f"---\ntitle: [unclosed\n---\n\n{BODY}",  # no YAML at all
    f"Joint Statement\n\n---\ntitle: \"Quoted\"\n---\n\n{BODY}",  # not at the opening
])
def test_a_text_that_only_looks_like_front_matter_is_left_as_it_is(text: str) -> None:
    decoded = decode_bytes(RAW, text.encode(), DecodeConfig())
    assert decoded.text == text and "read_front_matter" not in decoded.decode_repairs


def test_front_matter_without_a_date_gives_the_title_and_leaves_the_date_to_the_text() -> None:
    text = f'---\ntitle: "Joint Statement on Trade"\ndate: "sometime in spring"\n---\n\n{BODY.strip()}\n'
    decoded = decode_bytes(RAW, text.encode(), DecodeConfig())
    assert decoded.text == f"Joint Statement on Trade\n\n{BODY.strip()}"
    assert decoded.stated_date is None


TEMPLATED = Path(__file__).parent / "fixtures" / "templated"


def test_a_markdown_export_wrapped_at_72_columns_reads_as_its_statement() -> None:
    # As the White House scraper saves a release: the title in the front matter (one long line), the
    # body wrapped by pandoc at 72 columns wherever a word ends, and a link whose address is long on
    # a line of its own. In markdown a line break inside a paragraph is a space: "… will begin in" /
    # "September 2024." is one sentence, and the link's words ("roared" of "[roared](https://…)")
    # are the text's, not an address in a page's footer.
    title, *paragraphs = (TEMPLATED / "internship-fall-2024.txt").read_text(encoding="utf-8").strip().split("\n\n")
    linked = [paragraphs[0].replace("application period", "[application\nperiod](https://www.whitehouse.gov/"
                                    "get-involved/internships/white-house-internship-program/apply-now/)", 1),
              *paragraphs[1:]]
    body = "\n\n".join(textwrap.fill(p, 72, break_long_words=False, break_on_hyphens=False) for p in linked)
    export = f'---\ntitle: "{title}"\ndate: 2024-03-05\ntags: statements-releases\n---\n\n{body}\n'
    lines = body.split("\n")
    assert len(lines) > 2 * len(paragraphs) and max(map(len, lines)) > 72  # wrapped, and the address on its own line
    decoded = decode_bytes(RAW, export.encode(), DecodeConfig())
    assert decoded.stated_date == dt.date(2024, 3, 5)
    assert repair_text(decoded.text or "", RepairConfig()).text == "\n\n".join([title, *paragraphs])


def test_a_markdown_exports_numbered_items_keep_their_numbers_and_its_bullets_go() -> None:
    # Communiqués number their paragraphs ("1. We have convened …"), which readers cite; a bullet
    # is the page's, not the statement's.
    export = ('---\ntitle: "Joint Statement"\n---\n\nThe Ministers:\n\n1. Reaffirmed their commitment to the\n'
              '   partnership.\n2. Welcomed the *new* plan.\n\n- Trade\n- Energy\n')
    decoded = decode_bytes(RAW, export.encode(), DecodeConfig())
    assert decoded.text == ("Joint Statement\n\nThe Ministers:\n\n1. Reaffirmed their commitment to the partnership."
                            "\n\n2. Welcomed the new plan.\n\nTrade\n\nEnergy")


def test_an_embedded_post_in_a_markdown_export_keeps_its_paragraphs_and_a_table_its_rows_together() -> None:
    # Raw HTML in the body (a quoted post, a table) is the page's markup: its paragraphs and line
    # breaks are paragraphs, as the page shows them; a table stays one block, its cells apart.
    export = ('---\ntitle: "Mythbuster"\n---\n\nThe claim is wrong.\n\n<blockquote>\n<p>"I\'ve heard there\'s '
              '\'pork\' in the Bill."<br />\n<br />\nYou heard wrong, said <a\nhref="https://x.com/s">@StephenM</a>.'
              '</p>\n</blockquote>\n\n<table><tr><td>Alaska</td><td>10</td></tr><tr><td>Ohio</td><td>12</td></tr>'
              '</table>\n')
    decoded = decode_bytes(RAW, export.encode(), DecodeConfig())
    assert decoded.text == ("Mythbuster\n\nThe claim is wrong.\n\n\"I've heard there's 'pork' in the Bill.\"\n\n"
                            "You heard wrong, said @StephenM.\n\nAlaska 10 Ohio 12")


@pytest.mark.parametrize("nested", [
    "> " * 50_000 + BODY,  # quotes nested past the parser's depth
    "".join("  " * depth + f"- {BODY[:40]}\n" for depth in range(300)),  # a list as deep
])
def test_a_markdown_body_nested_past_the_parsers_depth_keeps_its_words(nested: str) -> None:
    # markdown-it drops what lies deeper than 20 blocks; the body is then read as written.
    export = f'---\ntitle: "Joint Statement"\ndate: 2024-01-01\n---\n\n{nested}\n'
    decoded = decode_bytes(RAW, export.encode(), DecodeConfig())
    assert decoded.quarantine_reason is None
    assert decoded.text.count("Ministers met in Lima") == nested.count("Ministers met in Lima")


BODY_HTML = "<p>The ministers met in Rome and agreed on a plan to cooperate on energy and trade.</p>" * 5


@pytest.mark.parametrize("page, reason", [
    ("<!DOCTYPE html><html><body>" + "<span>x</span>" * 60_000 + BODY_HTML + "</body></html>",
     "web page (HTML) too large to read (over 50000 elements)"),
    ("<!DOCTYPE html><html><body>" + "<div>" * 100_000 + "</div>" * 100_000 + "</body></html>", NO_MAIN_TEXT),
])
def test_a_hostile_page_is_quarantined_with_its_reason(page: str, reason: str) -> None:
    # Past the bound the page is not handed to trafilatura at all (it took 14 s on 300,000 elements).
    assert decode_bytes(RAW, page.encode(), DecodeConfig()).quarantine_reason == reason
