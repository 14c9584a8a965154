"""Statements received by email and saved as messages (.eml): the body comes out as the statement, its
subject (without a client's "Fwd:" or a list's "[tag]") as the title, and the day it was sent as the
date; a text that only opens like a header is read as the text it is."""

from __future__ import annotations

import datetime as dt
import mailbox
import quopri
import random
import sys
import textwrap
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from web_pages import LAYOUTS, RENDER, Statement  # noqa: E402

RAW = RawFile("message.eml", "/nonexistent/message.eml", 0, "")
SENT = dt.datetime(2021, 6, 21, 21, 2, tzinfo=dt.timezone(dt.timedelta(hours=-4)))  # 22 June in UTC


def gold(path: Path) -> tuple[str, list[str]]:
    title, *paragraphs = path.read_text(encoding="utf-8").strip().split("\n\n")
    return title, paragraphs


def message(path: Path, body: str, subject: str = "[Press Releases] {title}") -> bytes:
    """The statement as a mailing list sends it: quoted-printable plain text, an HTML alternative,
    HTML alone, or plain text wrapped at 72 columns."""
    title, paragraphs = gold(path)
    mail = EmailMessage()
    mail["From"] = '"U.S. Department of State" <press@state.example>'
    mail["To"] = "desk@example.org"
    mail["Subject"] = subject.format(title=title)
    mail["Date"] = format_datetime(SENT)
    html = "<html><body>" + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs) + "</body></html>"
    if body == "html":
        mail.set_content(html, subtype="html")
    else:
        wrap = body == "wrapped"
        mail.set_content("\n\n".join(textwrap.fill(p, 72) if wrap else p for p in paragraphs), cte="quoted-printable")
        if body == "alternative":
            mail.add_alternative(html, subtype="html")
    return mail.as_bytes()


def decoded(data: bytes) -> tuple[str | None, str, tuple[str, ...], dt.date | None]:
    result = decode_bytes(RAW, data, DecodeConfig())
    text = repair_text(result.text, RepairConfig()).text if result.text else ""
    return result.quarantine_reason, text, result.decode_repairs, result.stated_date


@pytest.mark.parametrize("path", GOLD[:5], ids=lambda p: p.name[:12])
@pytest.mark.parametrize("body", ["plain", "alternative", "html", "wrapped"])
def test_a_saved_message_gives_its_statement_titled_by_its_subject_and_dated_the_day_it_was_sent(
        path: Path, body: str) -> None:
    title, paragraphs = gold(path)
    reason, text, steps, stated = decoded(message(path, body))
    assert reason is None
    assert text == "\n\n".join([title, *paragraphs])
    assert "read_mail" in steps
    assert stated == dt.date(2021, 6, 21)  # the day as the sender dated it


@pytest.mark.parametrize("subject", ["Fwd: {title}", "RE: [Press] {title}", "{title}"])
def test_a_forwarded_or_listed_subject_loses_its_marks(subject: str) -> None:
    title, _ = gold(GOLD[0])
    _, text, _, _ = decoded(message(GOLD[0], "plain", subject))
    assert text.split("\n\n", 1)[0] == title


def test_a_message_with_no_text_body_is_quarantined_as_such() -> None:
    mail = EmailMessage()
    mail["From"], mail["Subject"], mail["Date"] = "press@state.example", "Joint Statement", format_datetime(SENT)
    mail["Message-ID"] = "<1@state.example>"
    mail.add_attachment(b"%PDF-1.7 ...", maintype="application", subtype="pdf", filename="statement.pdf")
    reason, text, _, _ = decoded(mail.as_bytes())
    assert reason == "email with no text body" and text == ""


@pytest.mark.parametrize("opening", [
    "From: the Office of the Spokesperson\n\n",  # a sender, but no subject: a statement's own line
    "Subject: Joint Statement on Belarus\nAttribution: Office of the Spokesperson\n\n",
    "Note: the following statement was released in Washington\nFrom: the Office of the Spokesperson\n"
    "Washington, DC\n\n",
    "FROM: The Secretary of State\nTO: The Under Secretary for Management\nDATE: June 21, 2021\n"
    "SUBJECT: Delegation of Authority\n\n",  # a memorandum's header: no field only mail has
])
def test_a_statement_that_only_opens_like_a_header_is_read_as_it_is(opening: str) -> None:
    title, paragraphs = gold(GOLD[1])
    text = opening + "\n\n".join([title, *paragraphs])
    result = decode_bytes(RAW, text.encode("utf-8"), DecodeConfig())
    assert result.quarantine_reason is None and "read_mail" not in result.decode_repairs
    assert result.text == text


def test_a_run_publishes_a_saved_message_with_its_date_from_the_header(seed_raw: Path) -> None:
    title, paragraphs = gold(GOLD[2])
    (seed_raw / "inbox").mkdir()
    (seed_raw / "inbox" / "joint-statement.eml").write_bytes(message(GOLD[2], "alternative"))
    candidate = build_candidate(seed_raw, Config()).candidate
    rows = {row.source_paths[0]: row for row in corpus_rows(candidate.built)}
    row = rows["inbox/joint-statement.eml"]
    assert row.text == "\n\n".join([title, *paragraphs])
    assert row.metadata.title == title
    assert row.metadata.date == dt.date(2021, 6, 21) and row.metadata.date_source == "email header"
    assert "read_mail" in row.repairs


def saved_page(path: Path) -> bytes:
    """The statement's page as Chromium saves a page as a single file (MHTML): quoted-printable
    HTML under a header naming the page, the moment it was saved and no sender but the browser."""
    title, paragraphs = gold(path)
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - United States Department of '
            'State</title><meta property="article:published_time" content="2021-06-15T12:00:00+00:00"></head>'
            '<body><nav><a href="/">Home</a> <a href="/press">Press Releases</a></nav><main><article>'
            f"<h1>{title}</h1>" + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs) +
            "</article></main><footer>Share this page</footer></body></html>")
    part = quopri.encodestring(html.encode("utf-8")).decode("ascii")
    return ("From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.state.gov/statement/\r\n"
            f"Subject: {Header(title + ' - United States Department of State', 'utf-8').encode()}\r\n"
            "Date: Sat, 5 Dec 2026 03:20:00 -0000\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n'
            '\tboundary="----MultipartBoundary--x----"\r\n\r\n\r\n------MultipartBoundary--x----\r\n'
            "Content-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://www.state.gov/statement/\r\n\r\n"
            f"{part}\r\n------MultipartBoundary--x------\r\n").encode("ascii")


@pytest.mark.parametrize("path", GOLD[:4], ids=lambda p: p.name[:12])
def test_a_page_saved_as_one_file_is_read_as_its_page_dated_by_its_markup_not_the_day_it_was_saved(
        path: Path) -> None:
    title, paragraphs = gold(path)
    reason, text, steps, stated = decoded(saved_page(path))
    assert reason is None
    assert text == "\n\n".join([title, *paragraphs])
    assert {"read_mail", "extract_page_text"} <= set(steps)
    assert stated == dt.date(2021, 6, 15)


SAVED_PAGES = Path(__file__).parent / "fixtures" / "saved-pages"


@pytest.mark.parametrize("layout", ["agency", "briefing", "legacy", "printer"])
def test_a_page_chromium_saved_as_one_file_reads_as_the_same_page_saved_whole(layout: str) -> None:
    statements = [Statement(path.name, title, tuple(paragraphs), dt.date(2022, 5, 4))
                  for path, (title, paragraphs) in zip(GOLD, map(gold, GOLD))]
    index = LAYOUTS.index(layout)
    page = RENDER[layout](statements[index], random.Random(3), [s for s in statements if s is not statements[index]])
    whole = decode_bytes(RAW, page.encode("utf-8"), DecodeConfig())
    saved = decode_bytes(RAW, (SAVED_PAGES / f"{layout}.mhtml").read_bytes(), DecodeConfig())
    assert saved.quarantine_reason is None and "read_mail" in saved.decode_repairs
    assert repair_text(saved.text, RepairConfig()).text == repair_text(whole.text, RepairConfig()).text
    assert saved.stated_date == whole.stated_date


def mailbox_of(paths: list[Path], folder: Path) -> Path:
    """The statements as a mail client keeps a folder of messages: one mbox file."""
    box_path = folder / "press.mbox"
    box = mailbox.mbox(box_path)
    for path in paths:
        box.add(message(path, "plain"))
    box.flush()
    return box_path


def test_a_mailbox_of_one_message_is_that_message_and_of_several_an_export_to_unpack(tmp_path: Path) -> None:
    title, paragraphs = gold(GOLD[0])
    (tmp_path / "one").mkdir()
    one = tmp_path / "one" / "statement.txt"
    one.write_text("\n\n".join([title, "From the start, the ministers met every month.", *paragraphs]))
    reason, text, steps, stated = decoded(mailbox_of([one], tmp_path).read_bytes())
    assert reason is None and "read_mail" in steps and stated == dt.date(2021, 6, 21)
    assert text == one.read_text()  # the line the mailbox wrote as ">From the start" as it was
    raw = tmp_path / "raw"
    raw.mkdir()
    several = mailbox_of(GOLD[:3], raw)
    reason, text, _, _ = decoded(several.read_bytes())
    assert reason is not None and reason.startswith("mailbox holding 3 messages") and text == ""
    result = CliRunner().invoke(app, ["unpack", str(several)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (raw / "press-mbox").iterdir()) == ["0001.eml", "0002.eml", "0003.eml"]
    rows = sorted(corpus_rows(build_candidate(raw, Config()).candidate.built), key=lambda row: row.source_paths[0])
    assert [row.text for row in rows] == ["\n\n".join([t, *body]) for t, body in map(gold, GOLD[:3])]


def test_a_statement_opening_with_from_is_no_mailbox() -> None:
    title, paragraphs = gold(GOLD[1])
    text = "From the start of 2021, the ministers met every month.\n\n" + "\n\n".join([title, *paragraphs])
    result = decode_bytes(RAW, text.encode("utf-8"), DecodeConfig())
    assert result.quarantine_reason is None and result.text == text
