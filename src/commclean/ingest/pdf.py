"""PDFs with a text layer: their text page by page, as pdftotext gives it (form feeds between pages;
the repairs take the printed pages' headers and footers off and rejoin what a page break split)."""

from __future__ import annotations

import threading

PDF_MAGIC = b"%PDF"
UNREADABLE = "PDF that cannot be opened (damaged or encrypted)"
NO_TEXT_LAYER = "PDF without a text layer (scanned pages): OCR it first"
# PDFium is not thread-safe, and a run may decode batches in threads of one process.
_PDFIUM = threading.Lock()


def pdf_text(data: bytes) -> str | None:
    """The text of every page, or None when PDFium cannot open the file. A scanned PDF gives
    (next to) no text: the caller judges that by the text's length."""
    import pypdfium2 as pdfium  # loaded by the first PDF a process meets, not by every run

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            pages = [_page_text(document[n]) for n in range(len(document))]
        except pdfium.PdfiumError:
            return None
        finally:
            document.close()
    return "\f".join(pages)


def _page_text(page: object) -> str:
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
        page.close()  # type: ignore[attr-defined]
    # PDFium joins a line that ends in a hyphen to the next and marks the join with U+FFFE: the
    # line break goes back, hyphen and all, and dehyphenate_line_ends judges it as it judges
    # pdftotext's ("long-" "suppressed" keeps its hyphen, "commit-" "ment" does not).
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")
