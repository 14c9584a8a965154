"""Word documents in raw/: the statement's paragraphs and table rows come out in order, one to a
paragraph; a damaged one, an empty one and a zip bomb are quarantined, each with its reason, and
a zip that holds no Word document stays a compressed file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

from commclean.config import Config, DecodeConfig, RepairConfig
from commclean.ingest.decode import decode_bytes
from commclean.pipeline import build_candidate
from commclean.records import RawFile
from commclean.repair.steps import repair_text
from commclean.schema import corpus_rows

from conftest import GOLD

RAW = RawFile("x.docx", "/nonexistent/x.docx", 0, "")


def word_file(title: str, paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table):
            for cell, value in zip(row.cells, cells):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def gold() -> tuple[str, str, list[str]]:
    text = GOLD[0].read_text(encoding="utf-8").strip()
    title, *paragraphs = text.split("\n\n")
    return text, title, paragraphs


def test_a_word_document_reads_back_as_its_statement() -> None:
    text, title, paragraphs = gold()
    decoded = decode_bytes(RAW, word_file(title, paragraphs), DecodeConfig())
    assert (decoded.encoding, decoded.decode_repairs) == ("docx", ("extract_docx_text",))
    assert repair_text(decoded.text or "", RepairConfig()).text == text


def test_a_table_comes_out_a_row_to_a_paragraph_where_it_stands() -> None:
    _, title, paragraphs = gold()
    decoded = decode_bytes(RAW, word_file(title, paragraphs[:1], [["Country", "Pledge"], ["Japan", "$2 billion"]]),
                           DecodeConfig())
    assert (decoded.text or "").endswith(f"{paragraphs[0]}\n\nCountry | Pledge\n\nJapan | $2 billion")


def test_a_word_document_and_a_text_copy_make_one_document(tmp_path: Path) -> None:
    text, title, paragraphs = gold()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "statement.docx").write_bytes(word_file(title, paragraphs))
    (raw / "copy.txt").write_text(text, encoding="utf-8")
    [row] = corpus_rows(build_candidate(raw, Config()).candidate.built)
    assert sorted(row.source_paths) == ["copy.txt", "statement.docx"] and row.text == text


def test_bad_word_documents_are_quarantined_with_their_reasons() -> None:
    _, title, paragraphs = gold()
    whole = word_file(title, paragraphs)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(damaged, "w") as copy:
        for item in source.infolist():
            body = source.read(item)
            copy.writestr(item, body[: len(body) // 2] if item.filename == "word/document.xml" else body)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("word/document.xml", b" " * 30_000_000)  # 30 MB of nothing, 30 KB packed
    empty = word_file("", [])
    reasons = {name: decode_bytes(RAW, data, DecodeConfig()).quarantine_reason
               for name, data in {"damaged": damaged.getvalue(), "bomb": bomb.getvalue(), "empty": empty}.items()}
    assert reasons == {"damaged": "Word document that cannot be read (damaged)",
                       "bomb": "Word document too large when unpacked (over 20000000 bytes)",
                       "empty": "Word document with (next to) no text"}


def test_a_zip_without_a_word_document_stays_a_compressed_file() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("statement.txt", gold()[0])
    assert decode_bytes(RAW, archive.getvalue(), DecodeConfig()).quarantine_reason == "compressed (zip)"
