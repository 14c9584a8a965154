"""Turn a raw file's bytes into text, or into a specific reason it cannot be a document."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import charset_normalizer

from commclean.config import DecodeConfig
from commclean.records import Decoded, FoundFile, RawFile
from commclean.stats import Stats

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
    (b"%PDF", "PDF"),
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
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_STRAY_HANDLER = "commclean-stray-cp1252"


def read_raw(found: FoundFile, config: DecodeConfig) -> tuple[RawFile, bytes | None]:
    """Hash every file; load its bytes only when it is small enough to be a document."""
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    keep = found.size_bytes <= config.max_file_bytes
    with Path(found.abs_path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            if keep:
                chunks.append(chunk)
    size = sum(map(len, chunks)) if keep else found.size_bytes
    raw = RawFile(found.path, found.abs_path, size, digest.hexdigest())
    return raw, (b"".join(chunks) if keep else None)


def decode_file(found: FoundFile, config: DecodeConfig, stats: Stats) -> Decoded:
    """Read and decode one file; unreadable or non-text files come back with a quarantine reason."""
    try:
        raw, data = read_raw(found, config)
    except OSError as error:
        raw = RawFile(found.path, found.abs_path, found.size_bytes, "")
        return _quarantine(raw, f"unreadable ({error.strerror or error})", None, stats)
    if data is None:
        return _quarantine(raw, f"too large (over {config.max_file_bytes} bytes)", None, stats)
    decoded = decode_bytes(raw, data, config)
    if decoded.quarantine_reason:
        stats.update("quarantine", decoded.quarantine_reason)
    else:
        stats.update("decode", f"encoding:{decoded.encoding}")
    for repair in decoded.decode_repairs:
        stats.update("decode", f"repair:{repair}")
    return decoded


def decode_bytes(raw: RawFile, data: bytes, config: DecodeConfig) -> Decoded:
    """Pure decode of bytes: BOM, then cheap UTF-8 check, then UTF-16 shape, then limited detection."""
    if not data:
        return Decoded(raw, None, None, "empty file")
    kind = _container_kind(data)
    if kind:
        return Decoded(raw, None, None, kind)
    text, encoding, repairs = _decode_text(data, config)
    if text is None:
        return Decoded(raw, None, None, "undecodable bytes")
    reason = _text_quarantine_reason(text, config)
    return Decoded(raw, None if reason else text, encoding, reason, repairs)


def _quarantine(raw: RawFile, reason: str, encoding: str | None, stats: Stats) -> Decoded:
    stats.update("quarantine", reason.split(" (")[0])
    return Decoded(raw, None, encoding, reason)


def _container_kind(data: bytes) -> str | None:
    for magic, name in COMPRESSED_MAGIC:
        if data.startswith(magic):
            return f"compressed ({name})"
    for magic, name in BINARY_MAGIC:
        if data.startswith(magic):
            return f"not text ({name})"
    return None


def _decode_text(data: bytes, config: DecodeConfig) -> tuple[str | None, str | None, tuple[str, ...]]:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, ()
            except UnicodeDecodeError:
                return None, None, ()
    if b"\x00" in data:
        utf16 = _decode_bomless_utf16(data)
        return (utf16[0], utf16[1], ()) if utf16 else (None, None, ())
    try:
        return data.decode("utf-8"), "utf-8", ()
    except UnicodeDecodeError:
        pass
    if "utf_8" in config.candidate_encodings and _mostly_utf8(data):
        return data.decode("utf-8", errors=_STRAY_HANDLER), "utf-8", ("decode_stray_cp1252_bytes",)
    single = _detect_single_byte(data, config.candidate_encodings)
    return (single[0], single[1], ()) if single else (None, None, ())


def _decode_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM has NULs in every other byte; random binary does not."""
    if len(data) % 2:
        return None
    even_nuls = data[0::2].count(0) / (len(data) / 2)
    odd_nuls = data[1::2].count(0) / (len(data) / 2)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        encoding = "utf-16-le"
    elif even_nuls > 0.3 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 sequences outnumber the stray bytes: a UTF-8 file with a few cp1252 bytes."""
    kept = data.decode("utf-8", errors="ignore")
    strays = data.decode("utf-8", errors="replace").count("\ufffd") - kept.count("\ufffd")
    multibyte = sum(1 for ch in kept if ord(ch) > 0x7F)
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


def _detect_single_byte(data: bytes, candidates: tuple[str, ...]) -> tuple[str, str] | None:
    single_byte = [c for c in candidates if not c.startswith(("utf_8", "utf_16", "utf_32"))]
    if not single_byte:
        return None
    best = charset_normalizer.from_bytes(data, cp_isolation=single_byte).best()
    if best is not None:
        return str(best), _display_name(best.encoding)
    for encoding in single_byte:
        try:
            return data.decode(encoding), _display_name(encoding)
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
    controls = sum(1 for ch in text if ch < " " and ch not in _ALLOWED_CONTROLS)
    if controls / len(text) > config.max_control_char_ratio:
        return "not text (control characters)"
    if len("".join(stripped.split())) < config.min_document_chars:
        return "too short to be a document"
    return None
