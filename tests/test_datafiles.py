"""Scrapers' data files under raw/: a JSON record (or a table's one row) holding a statement gives that
statement (its title first, its date from the record); a JSON, CSV or XML file holding no statement
(a sidecar of metadata, an export of many records, an index, a sitemap, a feed saved whole) is
quarantined with a reason that says so, never published as a document; any other text that merely
opens like JSON or holds commas in its first line is read as the text it is."""

from __future__ import annotations

import datetime as dt
import csv
import io
import json
import os
import quopri
from pathlib import Path

import pytest
from conftest import GOLD
from typer.testing import CliRunner

from commclean.cli import app
from commclean.config import Config, DecodeConfig, RepairConfig
from commclean.ingest.decode import decode_bytes
from commclean.pipeline import build_candidate
from commclean.records import RawFile
from commclean.repair.steps import repair_text
from commclean.schema import corpus_rows

RAW = RawFile("record.json", "/nonexistent/record.json", 0, "")
SIDECAR = {"url": "https://www.state.gov/joint-statement", "title": "Joint Statement", "status": 200,
           "scraped_at": "2022-05-05T10:22:01Z", "headers": {"server": "nginx"},
           "links": ["https://www.state.gov/", "https://www.state.gov/press-releases/"]}
SITEMAP = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           '<url><loc>https://www.state.gov/a</loc><lastmod>2022-05-05</lastmod></url>'
           '<url><loc>https://www.state.gov/b</loc></url></urlset>')


def gold(path: Path) -> tuple[str, list[str]]:
    title, *paragraphs = path.read_text(encoding="utf-8").strip().split("\n\n")
    return title, paragraphs


def decoded(data: object) -> tuple[str | None, str, tuple[str, ...], dt.date | None]:
    """What decoding gives a file of `data` (JSON-encoded unless a string): its quarantine reason,
    its text once repaired, its decoding steps and the date it states."""
    raw = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    result = decode_bytes(RAW, raw.encode("utf-8"), DecodeConfig())
    text = repair_text(result.text, RepairConfig()).text if result.text else ""
    return result.quarantine_reason, text, result.decode_repairs, result.stated_date


@pytest.mark.parametrize("path", GOLD[:4], ids=lambda p: p.name[:12])
@pytest.mark.parametrize("shape", ["text field", "paragraph list", "nested item"])
def test_a_record_holding_a_statement_gives_the_statement_title_first_and_the_records_date(path: Path,
                                                                                          shape: str) -> None:
    title, paragraphs = gold(path)
    body: object = "\n\n".join(paragraphs) if shape != "paragraph list" else paragraphs
    record = {"url": "https://www.state.gov/x", "title": title, "date": "2022-05-04T09:00:00-04:00",
              "scraped_at": "2026-01-01T00:00:00Z", "content": body, "tags": ["Europe", "Belarus"]}
    reason, text, steps, stated = decoded(record if shape != "nested item" else {"status": "ok", "item": record})
    assert reason is None
    assert text == "\n\n".join([title, *paragraphs])
    assert "read_json_record" in steps
    assert stated == dt.date(2022, 5, 4)  # the record's date, never when it was scraped


def table(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def statement_row(path: Path) -> dict[str, str]:
    title, paragraphs = gold(path)
    return {"publish_time": "2021-06-21 10:00:00", "type": "Press Statement", "title": title,
            "content": "\n\n".join(paragraphs), "source_url": "https://www.state.gov/x"}


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_tables_one_row_gives_its_statement_and_a_table_of_several_is_set_aside(delimiter: str) -> None:
    title, paragraphs = gold(GOLD[3])
    reason, text, steps, stated = decoded(table([statement_row(GOLD[3])], delimiter))
    assert reason is None
    assert text == "\n\n".join([title, *paragraphs])
    assert "read_table_row" in steps and stated == dt.date(2021, 6, 21)
    reason, text, _, _ = decoded(table([statement_row(path) for path in GOLD[:5]], delimiter))
    assert reason is not None and reason.startswith("CSV holding 5 records") and text == ""
    index = table([{"url": f"https://www.state.gov/{n}", "title": gold(path)[0], "date": "2022-05-04"}
                   for n, path in enumerate(GOLD)], delimiter)
    reason, _, _, _ = decoded(index)
    assert reason is not None and reason.startswith("CSV data holding no statement text")


@pytest.mark.parametrize("code", [
    "body { font-family: Arial, sans-serif; margin: 0 auto; }\n.menu a { color: #333; }\n" * 20,
    "function init() { var menu = document.getElementById('menu'); menu.onclick = toggle; }\n" * 10,
])
def test_a_sites_stylesheet_or_script_is_set_aside_as_code(code: str) -> None:
    reason, text, _, _ = decoded(code)
    assert reason is not None and reason.startswith("source code or a stylesheet") and text == ""


def test_a_statement_with_a_few_braces_or_an_equation_is_no_code() -> None:
    title, paragraphs = gold(GOLD[4])
    text = "\n\n".join([f"\\textbf{{{title}}}", *paragraphs, "Funding {total} = $4 million {est.}"])
    reason, _, steps, _ = decoded(text)
    assert reason is None and not steps


def test_a_quoted_printable_body_saved_without_its_header_is_no_code() -> None:
    title, paragraphs = gold(GOLD[4])
    body = quopri.encodestring("\n\n".join([title, *paragraphs]).replace("'", "’").encode()).decode("ascii")
    assert body.count("=") > 0.01 * len(body)  # soft line breaks and escaped quotes throughout
    reason, _, _, _ = decoded(body)
    assert reason is None


def test_a_statement_whose_first_line_holds_commas_is_no_table() -> None:
    text = ("Joint Statement by the United States, Japan, and the Republic of Korea\n\n"
            + "The leaders met today, reaffirmed their alliance, and agreed to meet again next year. " * 4)
    reason, repaired, steps, _ = decoded(text)
    assert reason is None and "read_table_row" not in steps
    assert repaired == text.strip()


def test_a_records_body_kept_as_markup_is_read_as_its_page_would_be() -> None:
    title, paragraphs = gold(GOLD[0])
    record = {"headline": title, "datePublished": "2021-05-23",
              "body_html": "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs)}
    reason, text, steps, stated = decoded(record)
    assert reason is None
    assert text == "\n\n".join([title, *paragraphs])
    assert {"read_json_record", "extract_page_text"} <= set(steps)
    assert stated == dt.date(2021, 5, 23)


@pytest.mark.parametrize(("data", "why"), [
    (SIDECAR, "JSON data holding no statement text"),
    ({"title": "A photo", "image": "data:image/png;base64," + "iVBORw0KGgo" * 80},
     "JSON data holding no statement text"),
    ([{"title": "One", "content": "The ministers met in Lima today. " * 10},
      {"title": "Two", "content": "The leaders spoke by phone today. " * 10}], "JSON holding 2 records"),
    ("\n".join(json.dumps({"title": f"Statement {n}", "content": "The ministers met in Lima today. " * 10})
               for n in range(3)), "JSON holding 3 records"),  # JSON Lines, as feed exports write them
    ({"tune": [path.name for path in GOLD], "test": [path.stem for path in GOLD]},
     "JSON data holding no statement text"),  # names are no paragraphs
    ("\n".join(json.dumps({"file": path.name, "title": gold(path)[0] * 3, "published": "2022-05-04"}) for path in GOLD),
     "JSON data holding no statement text"),  # an index of titles, however long, holds no statement
    (SITEMAP, "XML data holding no statement text"),
])
def test_data_holding_no_single_statement_is_quarantined_with_what_it_is(data: object, why: str) -> None:
    reason, text, _, _ = decoded(data)
    assert reason is not None and reason.startswith(why)
    assert text == ""


@pytest.mark.parametrize("text", [
    "[Embargoed until 10 a.m.] " + "The ministers met in Lima and agreed to deepen their cooperation. " * 4,
    "{Draft} " + "The ministers met in Lima and agreed to deepen their cooperation. " * 4,
    '{"title": "cut off mid-record", "content": "The ministers met in Lima and agreed to deepen their ' * 4,
    "[" * 200_000,  # nested past any parser's depth: read as the text it is, never a crash
])
def test_a_text_that_only_opens_like_json_is_read_as_the_text_it_is(text: str) -> None:
    result = decode_bytes(RAW, text.encode("utf-8"), DecodeConfig())
    assert "read_json_record" not in result.decode_repairs
    assert result.text == text or result.quarantine_reason == "too short to be a document"


def feed(paths: list[Path]) -> str:
    """An RSS feed of the statements, each item's text as the feed's HTML, as a site serves it."""
    items = "".join(f"<item><title>{title}</title><content:encoded><![CDATA[{''.join(f'<p>{p}</p>' for p in body)}]]>"
                    "</content:encoded></item>" for title, body in map(gold, paths))
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Press Releases</title>'
            f"<link>https://www.state.gov/rss-feed/press-releases/feed/</link>{items}</channel></rss>")


def test_a_feed_of_one_items_text_is_read_and_a_feed_saved_whole_is_set_aside() -> None:
    reason, text, _, _ = decoded(feed(GOLD[1:2]))
    assert reason is None
    assert gold(GOLD[1])[1][0][:60] in text
    reason, text, _, _ = decoded(feed(GOLD[1:4]))
    assert reason is not None and reason.startswith("XML feed holding 3 items")
    assert text == ""


def test_a_scrape_with_sidecars_publishes_the_statements_and_sets_the_data_aside(seed_raw: Path) -> None:
    title, paragraphs = gold(GOLD[2])
    (seed_raw / "scrape").mkdir()
    (seed_raw / "scrape" / "statement.json").write_text(
        json.dumps({"title": title, "published": "2021-09-24", "text": "\n\n".join(paragraphs)}), encoding="utf-8")
    (seed_raw / "scrape" / "statement.meta.json").write_text(json.dumps(SIDECAR), encoding="utf-8")
    (seed_raw / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    candidate = build_candidate(seed_raw, Config()).candidate
    status = {source.path: (source.status, source.reason) for source in candidate.sources}
    assert status["scrape/statement.meta.json"][0] == "quarantined"
    assert status["scrape/statement.meta.json"][1].startswith("JSON data holding no statement text")
    assert status["sitemap.xml"][0] == "quarantined"
    assert status["scrape/statement.json"][0] == "canonical"
    rows = {row.source_paths[0]: row for row in corpus_rows(candidate.built)}
    record = rows["scrape/statement.json"]
    assert record.text == "\n\n".join([title, *paragraphs])
    assert record.metadata.title == title and record.metadata.date == dt.date(2021, 9, 24)
    assert "read_json_record" in record.repairs
    seeds = [path for path in status if path.endswith(".txt")]
    assert len(seeds) == 5 and all(status[path][0] != "quarantined" for path in seeds)


@pytest.mark.parametrize("export", ["jsonl", "csv", "rss"])
def test_unpack_writes_each_statement_of_an_export_as_a_file_a_run_reads_as_that_statement(tmp_path: Path,
                                                                                          export: str) -> None:
    paths = GOLD[:3]
    made = {"jsonl": lambda: "\n".join(json.dumps(statement_row(path)) for path in paths),
            "csv": lambda: table([statement_row(path) for path in paths]),
            "rss": lambda: feed(paths).replace("</title><content", "</title><pubDate>Mon, 21 Jun 2021 10:00:00 -0400"
                                               "</pubDate><content")}[export]()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / f"export.{export}").write_text(made, encoding="utf-8")
    result = CliRunner().invoke(app, ["unpack", str(raw / f"export.{export}")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (raw / f"export-{export}").iterdir()) == ["0001.json", "0002.json", "0003.json"]
    candidate = build_candidate(raw, Config()).candidate
    status = {source.path: (source.status, source.reason or "") for source in candidate.sources}
    assert status[f"export.{export}"][0] == "quarantined"
    assert "commclean unpack" in status[f"export.{export}"][1]
    rows = sorted(corpus_rows(candidate.built), key=lambda row: row.source_paths[0])
    assert [row.text for row in rows] == ["\n\n".join([title, *body]) for title, body in map(gold, paths)]
    assert {row.metadata.date for row in rows} == {dt.date(2021, 6, 21)}
    again = CliRunner().invoke(app, ["unpack", str(raw / f"export.{export}")])  # never over what is there
    assert again.exit_code == 2 and "not empty" in again.output


def test_unpack_stopped_half_way_leaves_nothing_and_can_be_run_again(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "export.jsonl").write_text("\n".join(json.dumps(statement_row(path)) for path in GOLD[:3]), encoding="utf-8")
    real_write, written = Path.write_bytes, []

    def full_disk_at_the_third(path: Path, data: bytes) -> int:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(path)
        return real_write(path, data)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_bytes", full_disk_at_the_third)
        stopped = CliRunner().invoke(app, ["unpack", str(raw / "export.jsonl")])
    assert stopped.exit_code != 0 and len(written) == 2
    assert sorted(p.name for p in raw.iterdir()) == ["export.jsonl"]  # no half export for a run to read
    result = CliRunner().invoke(app, ["unpack", str(raw / "export.jsonl")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (raw / "export-jsonl").iterdir()) == ["0001.json", "0002.json", "0003.json"]
    assert oct((raw / "export-jsonl").stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_unpack_refuses_a_file_holding_no_statements(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    result = CliRunner().invoke(app, ["unpack", str(tmp_path / "sitemap.xml")])
    assert result.exit_code == 2 and "holds no records" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sitemap.xml"]


@pytest.mark.parametrize(("written", "date"), [
    ("2021-06-21T10:00:00Z", dt.date(2021, 6, 21)),
    ("Mon, 21 Jun 2021 10:00:00 -0400", dt.date(2021, 6, 21)),  # as a feed writes it
    ("06/07/2021", None),  # June or July: not read, never guessed
])
def test_a_records_date_is_read_only_in_forms_whose_day_and_month_are_certain(written: str,
                                                                               date: dt.date | None) -> None:
    title, paragraphs = gold(GOLD[0])
    _, _, _, stated = decoded({"title": title, "pubDate": written, "content": "\n\n".join(paragraphs)})
    assert stated == date
