"""PDFs with a text layer: their text page by page, as pdftotext gives it (form feeds between pages;
the repairs take the printed pages' headers and footers off and rejoin what a page break split)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

PDF_MAGIC = b"%PDF"
UNREADABLE = "PDF that cannot be opened (damaged or encrypted)"
NO_TEXT_LAYER = "PDF without a text layer (scanned pages): OCR it first"
# PDFium is not thread-safe, and a run may decode batches in threads of one process.
_PDFIUM = threading.Lock()


def pdf_text(data: bytes, heading_size_ratio: float) -> str | None:
    """The text of every page, or None when PDFium cannot open the file. A scanned PDF gives
    (next to) no text: the caller judges that by the text's length."""
    import pypdfium2 as pdfium  # loaded by the first PDF a process meets, not by every run

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            pages = [_page_text(document[n], heading_size_ratio if n == 0 else None) for n in range(len(document))]
        except pdfium.PdfiumError:
            return None
        finally:
            document.close()
    return "\f".join(pages)


def _page_text(page: Any, heading_size_ratio: float | None) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = textpage.count_chars()
        if heading_size_ratio and len(text) == count:  # (a character beyond the BMP would shift the sizes)
            text = _heading_apart(text, _font_sizes(textpage, count), heading_size_ratio)
    finally:
        textpage.close()
        page.close()
    # PDFium joins a line that ends in a hyphen to the next and marks the join with U+FFFE: the
    # line break goes back, hyphen and all, and dehyphenate_line_ends judges it as it judges
    # pdftotext's ("long-" "suppressed" keeps its hyphen, "commit-" "ment" does not).
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")


def _font_sizes(textpage: Any, count: int) -> list[float]:
    """Each character's font size (PDFium counts the line breaks it writes as characters too)."""
    import pypdfium2.raw as pdfium_c

    return [pdfium_c.FPDFText_GetFontSize(textpage.raw, n) for n in range(count)]


def _heading_apart(text: str, sizes: list[float], ratio: float) -> str:
    """The first page's opening lines set larger than its body are its heading: one paragraph,
    however many lines the title took. A title's first line that ends on "U.S." or looks as full
    as a body line is no end of the title in print, whatever the words say."""
    lines = text.split("\r\n")
    spans, start = [], 0
    for line in lines:
        spans.append(sizes[start : start + len(line)])
        start += len(line) + 2
    weights = Counter(round(size, 1) for span in spans for size in span if size > 0)
    if not weights:
        return text
    body = weights.most_common(1)[0][0]
    heading = 0
    while heading < len(lines) - 1 and spans[heading] and min(spans[heading]) >= ratio * body:
        heading += 1
    if heading < 2:
        return text
    return " ".join(line.strip() for line in lines[:heading]) + "\r\n\r\n" + "\r\n".join(lines[heading:])
