"""Rich Text Format documents (.rtf): their text by striprtf, a paragraph mark to a line break."""

from __future__ import annotations

import re

RTF_MAGIC = b"{\\rtf"
# The code page the document declares for its 8-bit escapes (\'e9); RTF's own default is 1252.
_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def rtf_text(data: bytes) -> str:
    """The document's text. RTF is 7-bit: the bytes are read as latin-1, and the escapes are
    decoded in the code page the document declares."""
    from striprtf.striprtf import rtf_to_text  # loaded by the first RTF document a process meets

    declared = _CODE_PAGE.search(data[:4096])
    encoding = f"cp{int(declared.group(1))}" if declared else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    return rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
