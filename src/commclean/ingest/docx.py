"""Word documents (.docx): their paragraphs and table rows in order, one to a paragraph, by python-docx."""

from __future__ import annotations

import io
import zipfile

ZIP_MAGIC = b"PK\x03\x04"
_BODY = "word/document.xml"


def is_docx(data: bytes) -> bool:
    """A zip holding a Word document's body (whatever the file's name)."""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        return _BODY in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def unpacked_size(data: bytes) -> int:
    """What the body unpacks to, as the zip declares it: a zip bomb is refused before it is read."""
    return zipfile.ZipFile(io.BytesIO(data)).getinfo(_BODY).file_size


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
