"""Whatever lands in raw/ is accounted for: one file of each kind through `commclean run`."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import random
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from commclean.cli import app

from conftest import PROJECT

GOLD = PROJECT / "tests" / "fixtures" / "gold"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def gold(prefix: str) -> str:
    (path,) = GOLD.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def good_files() -> dict[str, tuple[bytes, str, str]]:
    """path -> (bytes, expected corpus text, expected encoding)"""
    latin = gold("141").replace("’", "'").replace("–", "-")  # keeps its é and ó
    stray = gold("174").encode("utf-8").replace("’".encode("utf-8"), b"\x92", 2)
    return {
        "nested/dir with space/Ryanair – déclaration.txt": (gold("003").encode("utf-8"), gold("003"), "utf-8"),
        "bom.txt": (codecs.BOM_UTF8 + gold("018").encode("utf-8"), gold("018"), "utf-8-sig"),
        "utf16le.txt": (gold("069").encode("utf-16"), gold("069"), "utf-16"),
        "utf16be.txt": (codecs.BOM_UTF16_BE + gold("096").encode("utf-16-be"), gold("096"), "utf-16"),
        "utf16-nobom.txt": (gold("129").encode("utf-16-le"), gold("129"), "utf-16-le"),
        "windows.txt": (gold("156").encode("cp1252"), gold("156"), "cp1252"),
        "latin1.txt": (latin.encode("latin-1"), latin, "cp1252"),
        "stray-bytes.txt": (stray, gold("174"), "utf-8"),
        "crlf.txt": (gold("057").replace("\n", "\r\n").encode("utf-8"), gold("057"), "utf-8"),
    }


def bad_files() -> dict[str, tuple[bytes, str]]:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("statement.txt", gold("039"))
    return {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b" \n\n\t \r\n", "whitespace only"),
        "photo.txt": (b"\x89PNG\r\n\x1a\n" + bytes(1000), "not text (image)"),
        "scan.pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 4, "PDF that cannot be opened (damaged or encrypted)"),
        "statement.txt.gz": (gzip.compress(gold("039").encode()), "compressed (gzip)"),
        "statement.txt": (archive.getvalue(), "compressed (zip)"),
        "noise.bin": (random.Random(3).randbytes(5000).replace(b"\x00", b"\x01"), "not text (control characters)"),
        "nuls.txt": (b"\x00" * 3000, "not text (NUL bytes)"),
        "short.txt": (b"Joint Statement. Read more.", "too short to be a document"),
    }


def test_every_kind_of_file_ends_in_the_ledger_with_its_reason(tmp_path: Path) -> None:
    raw, clean = tmp_path / "raw", tmp_path / "clean"
    for name, (data, *_) in {**good_files(), **bad_files()}.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(data)
    for skipped in (".hidden.txt", "partial.txt.part", "page.crdownload", "notes.txt~", "upload.tmp"):
        (raw / skipped).write_text(gold("003"))
    (tmp_path / "outside.txt").write_text(gold("039"))
    os.symlink(tmp_path / "outside.txt", raw / "link-outside.txt")

    result = CliRunner().invoke(app, ["run", "--raw", str(raw), "--clean", str(clean)])
    assert result.exit_code == 0, result.output
    assert "skipped:      6" in result.output and "link-outside.txt (symbolic link outside" in result.output

    sources = {row["path"]: row for row in pq.read_table(clean / "sources.parquet").to_pylist()}
    corpus = {row["doc_id"]: row for row in pq.read_table(clean / "corpus.parquet").to_pylist()}
    skipped = {".hidden.txt": "hidden file", "partial.txt.part": "partial download or temporary file",
               "page.crdownload": "partial download or temporary file", "notes.txt~": "partial download or temporary file",
               "upload.tmp": "partial download or temporary file", "link-outside.txt": "symbolic link outside the raw folder"}
    assert sorted(sources) == sorted([*good_files(), *bad_files(), *skipped])
    for path, reason in skipped.items():  # not read, and still accounted for
        assert (sources[path]["status"], sources[path]["reason"], sources[path]["sha256"]) == ("quarantined", reason, "")
    for path, (_, text, encoding) in good_files().items():
        row = sources[path]
        assert (row["status"], row["encoding"]) == ("canonical", encoding), path
        assert corpus[row["doc_id"]]["text"] == text.strip(), path
    for path, (_, reason) in bad_files().items():
        assert (sources[path]["status"], sources[path]["reason"], sources[path]["doc_id"]) == ("quarantined", reason, None)
    assert "decode_stray_cp1252_bytes" in corpus[sources["stray-bytes.txt"]["doc_id"]]["repairs"]
