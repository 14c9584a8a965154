"""Decoding real bytes: each encoding a scraped corpus has comes out as the original text."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import tarfile
import zipfile
from pathlib import Path

import pytest

from commclean.config import DecodeConfig
from commclean.ingest.decode import decode_bytes, decode_file
from commclean.records import FoundFile, RawFile
from commclean.runtime.stats import Stats

from conftest import RAW_SEEDS

TEXT = (
    "Joint Statement on the Ministerial Meeting – “Café diplomacy” in São Paulo\n\n"
    "The Ministers met today in Zürich and reaffirmed their commitment to the region’s "
    "stability, noting the €20 million pledge… and the Coalition’s resolve to continue.\n"
)
RAW = RawFile("x.txt", "/nonexistent/x.txt", 0, "")


def decode(data: bytes, **overrides):
    return decode_bytes(RAW, data, DecodeConfig(**overrides))


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM", "utf-16-le no BOM", "utf-16-be no BOM", "cp1252"],
)
def test_each_encoding_decodes_to_the_original_text(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.quarantine_reason is None
    assert decoded.text == TEXT
    assert decoded.encoding == encoding


def test_latin1_text_decodes_to_the_original() -> None:
    text = "Déclaration conjointe des ministres réunis à Genève sur la coopération régionale. " * 4
    decoded = decode(text.encode("latin-1"))
    assert decoded.text == text
    assert decoded.encoding in {"latin-1", "cp1252", "iso8859-1"}


def test_short_cp1252_file_with_one_curly_quote_is_not_big5_or_mac_latin2() -> None:
    text = "The Ministers reaffirmed the Coalition’s commitment to the enduring defeat of the group "
    text += "and to the stability of the region after the meeting."
    data = text.encode("cp1252")
    assert 140 <= len(data) <= 160
    decoded = decode(data, min_document_chars=50)
    assert decoded.text == text
    assert decoded.encoding == "cp1252"


def test_utf8_with_a_few_stray_cp1252_bytes_keeps_the_rest_and_records_the_repair() -> None:
    data = TEXT.encode("utf-8") + "It’s the partners’ view.".encode("cp1252")
    decoded = decode(data)
    assert decoded.text == TEXT + "It’s the partners’ view."
    assert decoded.encoding == "utf-8"
    assert decoded.decode_repairs == ("decode_stray_cp1252_bytes",)
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "whitespace only"),
        (b"Too short.", "too short to be a document"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not text (image)"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF that cannot be opened (damaged or encrypted)"),
        (gzip.compress(TEXT.encode() * 5), "compressed (gzip)"),
        (b"\x00" * 4096, "not text (NUL bytes)"),
        (bytes(range(256)) * 8, "not text (NUL bytes)"),
        (random.Random(7).randbytes(4096).replace(b"\x00", b"\x01"), "not text (control characters)"),
        (TEXT.encode("utf-8") + b"\x00\x00\x00\x00" + TEXT.encode("utf-8"), "not text (NUL bytes)"),
    ],
    ids=["empty", "whitespace", "too short", "png", "pdf", "gzip", "NUL run", "all bytes", "random bytes",
         "text with NUL run"],
)
def test_bad_files_are_quarantined_with_a_specific_reason(data: bytes, reason: str) -> None:
    decoded = decode(data)
    assert decoded.text is None
    assert decoded.quarantine_reason == reason


def test_zip_archive_is_quarantined_as_compressed_whatever_its_name() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("statement.txt", TEXT * 5)
    assert decode(buffer.getvalue()).quarantine_reason == "compressed (zip)"


def test_every_seed_decodes_as_utf8() -> None:
    for path in sorted(RAW_SEEDS.iterdir()):
        decoded = decode(path.read_bytes())
        assert decoded.encoding == "utf-8", path.name
        assert decoded.text == path.read_text(encoding="utf-8")


def test_tar_archive_is_quarantined_as_compressed() -> None:
    buffer = io.BytesIO()
    payload = (TEXT * 5).encode()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("statement.txt")
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    assert decode(buffer.getvalue()).quarantine_reason == "compressed (tar)"


def test_utf32_with_bom() -> None:
    decoded = decode(TEXT.encode("utf-32"))
    assert (decoded.text, decoded.encoding) == (TEXT, "utf-32")


@pytest.mark.parametrize("encoding, cut", [("utf-8", 2), ("utf-16", 1)])
def test_a_copy_cut_inside_its_last_character_loses_only_that_character(encoding: str, cut: int) -> None:
    text = TEXT + "The final word is “done”"
    data = text.encode(encoding)[:-cut]
    decoded = decode(data)
    assert decoded.text == text[:-1]
    assert decoded.decode_repairs == ("drop_incomplete_final_character",)


def test_files_over_the_size_cap_are_quarantined_without_being_decoded(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(TEXT * 200, encoding="utf-8")
    found = FoundFile("huge.txt", str(path), path.stat().st_size)
    stats = Stats()
    decoded = decode_file(found, DecodeConfig(max_file_bytes=10_000), stats)
    assert decoded.quarantine_reason == "too large (over 10000 bytes)"
    assert len(decoded.raw.sha256) == 64
    assert stats.counts["quarantine"]["too large (over 10000 bytes)"] == 1


def test_the_candidate_list_limits_detection(tmp_path: Path) -> None:
    data = TEXT.encode("cp1252")
    assert decode(data, candidate_encodings=("utf_8",)).quarantine_reason == "undecodable bytes"
    assert decode(data, candidate_encodings=("utf_8", "latin_1")).encoding == "latin-1"
