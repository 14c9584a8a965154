"""Word documents (.docx): their paragraphs and table rows in order, one to a paragraph, by python-docx."""

from __future__ import annotations

import io
import zipfile

ZIP_MAGIC = b"PK\x03\x04"
_BODY = "word/document.xml"


def docx_body_size(data: bytes) -> int | None:
    """What a Word document's body unpacks to, as its zip declares it (a zip bomb is refused
    before it is read); None when the bytes are no Word document (whatever the file's name)."""
    if not data.startswith(ZIP_MAGIC):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data)).getinfo(_BODY).file_size
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return None


def docx_text(data: bytes) -> str | None:
    """The document's text, or None when python-docx cannot read it. (Its properties' title is
    left alone: Word fills it with a template's or an old file's name as often as not.)"""
    import docx  # loaded by the first Word document a process meets
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any damage to the package: the file is quarantined as unreadable
        return None
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            blocks += [" | ".join(_one_line(cell.text) for cell in row.cells) for row in block.rows]
        else:
            blocks.append(_one_line(block.text))
    return "\n\n".join(b for b in blocks if b.strip(" |"))


def _one_line(text: str) -> str:
    return " ".join(text.split())
