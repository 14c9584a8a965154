"""PDFs in raw/: a printed statement reads back as its text (the print's headers, footers and page
breaks repaired), a scanned one is quarantined saying to OCR it, a damaged one saying so."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from commclean.config import Config, DecodeConfig, RepairConfig
from commclean.ingest.decode import decode_bytes
from commclean.ingest.pdf import NO_TEXT_LAYER, UNREADABLE
from commclean.pipeline import build_candidate
from commclean.records import RawFile
from commclean.repair.steps import repair_text
from commclean.schema import corpus_rows

from conftest import GOLD, chromium

RAW = RawFile("x.pdf", "/nonexistent/x.pdf", 0, "")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, bytes]]:
    """Gold statements printed to PDF by Chromium, with its header (date, title) and footer (the
    address, "page 1/2") on every page, as a browser's "Save as PDF" gives them."""
    work = tmp_path_factory.mktemp("pdf")
    found = {}
    for path in [*GOLD[:3], *(g for g in GOLD if g.name.startswith("156_"))]:  # 156: a title over two lines
        gold = path.read_text(encoding="utf-8").strip()
        title, *paragraphs = gold.split("\n\n")
        page = work / f"{path.stem}.html"
        page.write_text(f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
                        f"<body style='font-family:serif;font-size:13px;margin:40px'><h2>{html.escape(title)}</h2>"
                        + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) + "</body></html>", encoding="utf-8")
        pdf = work / f"{path.stem}.pdf"
        chromium(page, work / "profile", f"--print-to-pdf={pdf}")
        found[path.stem] = (gold, pdf.read_bytes())
    return found


def test_a_printed_statement_reads_back_as_its_text(printed: dict[str, tuple[str, bytes]]) -> None:
    pages = 0
    for name, (gold, pdf) in printed.items():
        decoded = decode_bytes(RAW, pdf, DecodeConfig())
        assert (decoded.encoding, decoded.decode_repairs) == ("pdf", ("extract_pdf_text",))
        pages += (decoded.text or "").count("\f") + 1
        text = repair_text(decoded.text or "", RepairConfig()).text
        assert text.split() == gold.split(), name  # headers, footers and hyphens gone, every word back
        assert _paragraphs_or_their_sentences(text, gold), name
    assert pages > len(printed)  # a page break was repaired too


def _paragraphs_or_their_sentences(text: str, gold: str) -> bool:
    """Each paragraph read back is one of the statement's, or a run of a paragraph's sentences: a
    page break that falls between two sentences cannot be told from a paragraph's end (where
    Chromium breaks its pages depends on its version), one that falls inside a sentence can."""
    paragraphs = gold.split("\n\n")
    for paragraph in text.split("\n\n"):
        if paragraph in paragraphs:
            continue
        holder = next((p for p in paragraphs if paragraph in p), None)
        if holder is None or not (paragraph.endswith((".", ":", ";")) or holder.endswith(paragraph)):
            return False
    return True


def test_a_pdf_and_a_text_copy_of_one_statement_make_one_document(
        printed: dict[str, tuple[str, bytes]], tmp_path: Path) -> None:
    gold, pdf = next(iter(printed.values()))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "printed.pdf").write_bytes(pdf)
    (raw / "copy.txt").write_text(gold, encoding="utf-8")
    candidate = build_candidate(raw, Config()).candidate
    [row] = corpus_rows(candidate.built)
    assert sorted(row.source_paths) == ["copy.txt", "printed.pdf"] and row.text == gold
    assert {s.path: s.encoding for s in candidate.sources} == {"copy.txt": "utf-8", "printed.pdf": "pdf"}


def test_a_scanned_pdf_is_quarantined_saying_to_ocr_it_first() -> None:
    document = pdfium.PdfDocument.new()
    for _ in range(2):
        document.new_page(612, 792)  # pages with no text on them, as an image-only scan has
    buffer = io.BytesIO()
    document.save(buffer)
    decoded = decode_bytes(RAW, buffer.getvalue(), DecodeConfig())
    assert decoded.text is None
    assert decoded.quarantine_reason == NO_TEXT_LAYER == "PDF without a text layer (scanned pages): OCR it first"


def test_a_damaged_pdf_is_quarantined_as_one(printed: dict[str, tuple[str, bytes]]) -> None:
    _, pdf = next(iter(printed.values()))
    for damaged in (b"%PDF-1.4\n" + bytes(range(256)) * 4, pdf[: len(pdf) // 3].replace(b"obj", b"jbo")):
        decoded = decode_bytes(RAW, damaged, DecodeConfig())
        assert decoded.quarantine_reason in (UNREADABLE, NO_TEXT_LAYER)
    assert decode_bytes(RAW, b"%PDF-1.4\n" + bytes(range(256)) * 4, DecodeConfig()).quarantine_reason == UNREADABLE


def test_a_title_printed_over_two_lines_comes_out_as_one(printed: dict[str, tuple[str, bytes]]) -> None:
    # Set larger than the body, the title's lines are its heading whatever their words: pdftotext's
    # text leaves them two lines, which the repairs can read as a title and a first paragraph.
    [(gold, pdf)] = [value for name, value in printed.items() if name.startswith("156_")]
    title = gold.split("\n\n")[0]
    decoded = decode_bytes(RAW, pdf, DecodeConfig())
    assert (decoded.text or "").split("\n\n")[0] == title
    assert repair_text(decoded.text or "", RepairConfig()).text == gold
