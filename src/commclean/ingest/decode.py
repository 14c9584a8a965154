"""Turn a raw file's bytes into text, or into a specific reason it cannot be a document."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, replace
from datetime import date

import charset_normalizer

from commclean.config import DecodeConfig
from commclean.ingest.datafiles import (
    code_without_statement,
    opens_like_json,
    read_json_record,
    read_table_row,
    xml_without_statement,
)
from commclean.ingest.docx import docx_body_size, docx_text
from commclean.ingest.frontmatter import opens_with_front_matter, read_front_matter
from commclean.ingest.inside import open_inside
from commclean.ingest.mail import in_mailbox, is_mail, read_mail
from commclean.ingest.page import is_web_page, page_text
from commclean.ingest.pdf import NO_TEXT_LAYER, PDF_MAGIC, UNREADABLE, pdf_text
from commclean.ingest.rtf import RTF_MAGIC, rtf_text
from commclean.records import Decoded, FoundFile, RawFile
from commclean.runtime.isolated import Failed, call_isolated
from commclean.runtime.stats import Stats

# Magic numbers of containers we never open blindly: a document inside one is not a document yet.
COMPRESSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"Rar!\x1a\x07", "rar"),
)
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"RIFF", "media"),
    (b"\xd0\xcf\x11\xe0", "office document"),
    (b"\x7fELF", "executable"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 controls other than tab, newline, vertical tab, form feed and carriage return: binary, not text.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_STRAY_HANDLER = "commclean-stray-cp1252"
NO_MAIN_TEXT = "web page (HTML) in which no main text was found"
# The readers as quarantine reasons name them ("PDF reader (PDFium) crashed on it").
PDF_READER = "PDF reader (PDFium)"
PAGE_READER = "web page reader (trafilatura)"
DOCX_READER = "Word reader (python-docx)"
RTF_READER = "RTF reader (striprtf)"
MARKDOWN_READER = "markdown reader (markdown-it-py)"
MAIL_READER = "email reader (Python's email package)"
MAIL_HEADER = "email header"  # where a saved email's date came from (its Date field)


def read_raw(found: FoundFile, config: DecodeConfig) -> tuple[RawFile, bytes | None]:
    """Hash every file; load its bytes only when it is small enough to be a document."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    keep = found.size_bytes <= config.max_file_bytes
    root = found.root or os.path.dirname(os.path.abspath(found.abs_path))
    with open_inside(root, found.abs_path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            if keep:
                chunks.append(chunk)
    size = sum(map(len, chunks)) if keep else found.size_bytes
    raw = RawFile.of(found, digest.hexdigest(), size)
    return raw, (b"".join(chunks) if keep else None)


def decode_file(found: FoundFile, config: DecodeConfig, stats: Stats) -> Decoded:
    """Read and decode one file; unreadable or non-text files come back with a quarantine reason."""
    try:
        raw, data = read_raw(found, config)
    except OSError as error:
        raw = RawFile.of(found)
        decoded = Decoded(raw, None, None, f"unreadable ({error.strerror or type(error).__name__})")
        stats.update("quarantine", decoded.quarantine_reason or "")
        return decoded
    return decode_raw(raw, data, config, stats)


def decode_raw(raw: RawFile, data: bytes | None, config: DecodeConfig, stats: Stats) -> Decoded:
    """Decode bytes already read; None stands for a file too large (or unreadable) to read."""
    if data is None:
        reason = f"too large (over {config.max_file_bytes} bytes)" if raw.sha256 else "unreadable"
        decoded = Decoded(raw, None, None, reason)
    else:
        decoded = decode_bytes(raw, data, config)
    if decoded.quarantine_reason:
        stats.update("quarantine", decoded.quarantine_reason)
    else:
        stats.update("decode", f"encoding:{decoded.encoding}")
    for repair in decoded.decode_repairs:
        stats.update("decode", f"repair:{repair}")
    return decoded


@dataclass(frozen=True)
class _Text:
    text: str
    encoding: str
    repairs: tuple[str, ...] = ()
    stated_date: date | None = None  # what a page's markup or an export's front matter says
    stated_by: str = ""


def decode_bytes(raw: RawFile, data: bytes, config: DecodeConfig) -> Decoded:
    """Pure decode of bytes: a PDF's or a Word document's text; else BOM, then cheap UTF-8 check,
    then UTF-16 shape, then limited detection; then a saved page's main text or an export's body."""
    if not data:
        return Decoded(raw, None, None, "empty file")
    if data.startswith(PDF_MAGIC):
        result = _pdf(data, config)
    elif (body_size := docx_body_size(data)) is not None:
        result = _docx(data, body_size, config)
    elif data.startswith(RTF_MAGIC):
        result = _rtf(data, config)
    else:
        result = _container_kind(data) or _decode_text(data, config)
    if isinstance(result, str):
        return Decoded(raw, None, None, result)
    encoding = result.encoding
    result = _unwrapped(result, config)
    if isinstance(result, str):
        return Decoded(raw, None, encoding, result)
    reason = _text_quarantine_reason(result.text, config)
    if reason:
        return Decoded(raw, None, encoding, reason)
    return Decoded(raw, result.text, encoding, None, result.repairs, result.stated_date, result.stated_by)


def _unwrapped(decoded: _Text, config: DecodeConfig) -> _Text | str:
    """A saved web page's main text, the body of a saved email (or of a page saved as one file),
    the statement of a scraper's JSON record or table row, or a markdown export's body without its
    front matter, with the date each states of the file; why a scraper's data, export, feed or
    code is no statement; any other text as it is."""
    if is_web_page(decoded.text):
        return _main_text(decoded.text, decoded, config)
    if is_mail(decoded.text):
        return _mail_text(decoded, config)
    if (mailbox := in_mailbox(decoded.text)) is not None:
        messages, first = mailbox
        if messages > 1:
            return f"mailbox holding {messages} messages (one statement a file: `commclean unpack` writes each as one)"
        return _mail_text(replace(decoded, text=first), config)
    record = (read_json_record(decoded.text, config.min_document_chars) if opens_like_json(decoded.text)
              else read_table_row(decoded.text, config.min_document_chars))
    if isinstance(record, str):
        return record
    if record is None and (data_only := xml_without_statement(decoded.text, config.min_document_chars)):
        return data_only
    if record is not None:
        return _body_text(record.text, record.markup, replace(decoded, repairs=(*decoded.repairs, record.step)),
                          record.stated_date, record.source, config)
    # A markdown export's body is read in the helper, as a page is: a file made of marks (a run of
    # "![") costs the parser more than its size allows, and must cost a run no more than reader_seconds.
    front = (call_isolated(read_front_matter, decoded.text, seconds=config.reader_seconds, what=MARKDOWN_READER)
             if opens_with_front_matter(decoded.text) else None)
    if isinstance(front, Failed):
        return front.reason
    if front:
        repairs = (*decoded.repairs, "read_front_matter")
        return _Text(front.text, decoded.encoding, repairs, front.stated_date, "front matter")
    return code_without_statement(decoded.text) or decoded


def _mail_text(decoded: _Text, config: DecodeConfig) -> _Text | str:
    """A saved email's body (its HTML read as a page is), dated the day it was sent."""
    mail = call_isolated(read_mail, decoded.text, seconds=config.reader_seconds, what=MAIL_READER)
    if isinstance(mail, Failed):
        return mail.reason
    if mail is None:
        return "email with no text body"
    read = replace(decoded, repairs=(*decoded.repairs, "read_mail"))
    return _body_text(mail.text, mail.markup, read, mail.sent, MAIL_HEADER, config)


def _body_text(body: str, markup: bool, read: _Text, stated: date | None, stated_by: str,
               config: DecodeConfig) -> _Text | str:
    """The statement a record or a message kept: its text, or its HTML (a page whole, or a body
    without its page) read as the page is. The date the record or message states, where it
    states one, is the date; else the page markup's."""
    if not markup:
        return _Text(body, read.encoding, read.repairs, stated, stated_by)
    page = _main_text(body if is_web_page(body) else f"<html><body>{body}</body></html>", read, config)
    if isinstance(page, str) or stated is None:
        return page
    return replace(page, stated_date=stated, stated_by=stated_by)


def _main_text(markup: str, decoded: _Text, config: DecodeConfig) -> _Text | str:
    """A page's main text (trafilatura, in the helper), or why it has none."""
    page = call_isolated(page_text, markup, config, seconds=config.reader_seconds, what=PAGE_READER)
    if isinstance(page, Failed):
        return page.reason
    if isinstance(page, str):
        return page
    if page is None or _text_quarantine_reason(page.text, config):
        return NO_MAIN_TEXT
    return _Text(page.text, decoded.encoding, (*decoded.repairs, "extract_page_text"), page.stated_date, "page markup")


def _pdf(data: bytes, config: DecodeConfig) -> _Text | str:
    text = call_isolated(pdf_text, data, config.pdf_heading_size_ratio, seconds=config.reader_seconds,
                         what=PDF_READER)
    return _read_text(text, config, "pdf", "extract_pdf_text", UNREADABLE, NO_TEXT_LAYER)


def _docx(data: bytes, body_size: int, config: DecodeConfig) -> _Text | str:
    if body_size > config.max_file_bytes:
        return f"Word document too large when unpacked (over {config.max_file_bytes} bytes)"
    text = call_isolated(docx_text, data, seconds=config.reader_seconds, what=DOCX_READER)
    return _read_text(text, config, "docx", "extract_docx_text", "Word document that cannot be read (damaged)",
                      "Word document with (next to) no text")


def _read_text(text: str | None | Failed, config: DecodeConfig, encoding: str, repair: str, unreadable: str,
               empty: str) -> _Text | str:
    """What a document reader gave: its text, or why there is none (the reader failed on the
    file, could not open it, or found (next to) no text in it)."""
    if isinstance(text, Failed):
        return text.reason
    if text is None:
        return unreadable
    if too_few_visible_chars(text, min(config.min_copy_chars, config.min_document_chars)):
        return empty
    return _Text(text, encoding, (repair,))


def _rtf(data: bytes, config: DecodeConfig) -> _Text | str:
    text = call_isolated(rtf_text, data, seconds=config.reader_seconds, what=RTF_READER)
    if isinstance(text, Failed):
        return text.reason
    return _Text(text, "rtf", ("extract_rtf_text",))


def _container_kind(data: bytes) -> str | None:
    for magic, name in COMPRESSED_MAGIC:
        if data.startswith(magic):
            return f"compressed ({name})"
    if data[257:262] == b"ustar":
        return "compressed (tar)"
    for magic, name in BINARY_MAGIC:
        if data.startswith(magic):
            return f"not text ({name})"
    return None


def _decode_text(data: bytes, config: DecodeConfig) -> _Text | str:
    """The text and its encoding, or why the bytes are not text."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data, encoding)
    if b"\x00" in data:
        return _decode_bomless_utf16(data) or "not text (NUL bytes)"
    utf8 = _decode_utf8(data)
    if utf8:
        return utf8
    if "utf_8" in config.candidate_encodings and _mostly_utf8(data):
        return _Text(data.decode("utf-8", errors=_STRAY_HANDLER), "utf-8", ("decode_stray_cp1252_bytes",))
    return _detect_single_byte(data, config.candidate_encodings) or "undecodable bytes"


def _decode_with_bom(data: bytes, encoding: str) -> _Text | str:
    """A BOM names the encoding; a copy cut mid-character loses only that last character."""
    unit = 4 if encoding == "utf-32" else 2 if encoding == "utf-16" else 1
    whole = len(data) - len(data) % unit
    try:
        text = data[:whole].decode(encoding)
    except UnicodeDecodeError:
        return "undecodable bytes"
    return _Text(text, encoding, ("drop_incomplete_final_character",) if whole < len(data) else ())


def _decode_utf8(data: bytes) -> _Text | None:
    """Strict UTF-8, allowing only a multi-byte character cut off at the very end of the file."""
    try:
        return _Text(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        if error.reason != "unexpected end of data" or error.start < len(data) - 3:
            return None
        cut = error.start
    try:
        return _Text(data[:cut].decode("utf-8"), "utf-8", ("drop_incomplete_final_character",))
    except UnicodeDecodeError:
        return None


def _decode_bomless_utf16(data: bytes) -> _Text | None:
    """UTF-16 text without a BOM: NULs in most of one byte parity (the high bytes of Latin text),
    far fewer in the other, and it decodes strictly to text without control characters."""
    if len(data) % 2:
        return None
    half = len(data) / 2
    even_nuls, odd_nuls = data[0::2].count(0) / half, data[1::2].count(0) / half
    encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    high, low = max(even_nuls, odd_nuls), min(even_nuls, odd_nuls)
    if high < 0.3 or low > 0.5 * high:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if len(_CONTROL_CHARS.findall(text)) > 0.01 * len(text):
        return None
    return _Text(text, encoding)


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 sequences outnumber the stray bytes: a UTF-8 file with a few cp1252 bytes."""
    kept = data.decode("utf-8", errors="ignore")
    strays = data.decode("utf-8", errors="replace").count("\ufffd") - kept.count("\ufffd")
    multibyte = len(kept) - len(kept.encode("ascii", errors="ignore"))
    return multibyte > strays


def _stray_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(_byte_as_cp1252(byte) for byte in bad), error.end


def _byte_as_cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # the five bytes cp1252 leaves undefined keep their latin-1 meaning


codecs.register_error(_STRAY_HANDLER, _stray_cp1252)


def _detect_single_byte(data: bytes, candidates: tuple[str, ...]) -> _Text | None:
    single_byte = [c for c in candidates if not c.startswith(("utf_8", "utf_16", "utf_32"))]
    if not single_byte:
        return None
    best = charset_normalizer.from_bytes(data, cp_isolation=single_byte).best()
    if best is not None:
        return _Text(str(best), _display_name(best.encoding))
    for encoding in single_byte:
        try:
            return _Text(data.decode(encoding), _display_name(encoding))
        except UnicodeDecodeError:
            continue
    return None


def _display_name(encoding: str) -> str:
    """charset-normalizer's codec names ("latin_1") in the spelling the ledger uses ("latin-1")."""
    return encoding.lower().replace("_", "-")


def _text_quarantine_reason(text: str, config: DecodeConfig) -> str | None:
    stripped = text.strip()
    if not stripped:
        return "whitespace only"
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > config.max_control_char_ratio * len(text):
        return "not text (control characters)"
    if too_few_visible_chars(stripped, min(config.min_copy_chars, config.min_document_chars)):
        return "too short to be a document"
    return None


# ASCII bytes that are no letters (spaces among them). A byte of a character past ASCII counts as
# a letter: statements hold few others (dashes, quotes), and the share asked for is low.
_ASCII_NON_LETTERS = bytes(byte for byte in range(128) if not chr(byte).isalpha())
_SPACE_BYTES = b" \t\n\r\x0b\x0c"


def letter_share(text: str) -> float:
    """About the share of letters among the text's visible characters (its UTF-8 bytes, in C)."""
    data = text.encode("utf-8", errors="surrogatepass")
    visible = len(data) - sum(map(data.count, _SPACE_BYTES))
    return len(data.translate(None, _ASCII_NON_LETTERS)) / visible if visible else 1.0


def too_few_visible_chars(text: str, minimum: int) -> bool:
    """Fewer than `minimum` characters other than whitespace. A prefix that holds as many
    settles it: only a short or mostly blank text is counted whole."""
    if len("".join(text[: 4 * minimum].split())) >= minimum:
        return False
    return len("".join(text.split())) < minimum
