"""RTF documents in raw/: their text, not their control words; escapes in the code page the
document declares."""

from __future__ import annotations

from pathlib import Path

from commclean.config import Config, DecodeConfig, RepairConfig
from commclean.ingest.decode import decode_bytes
from commclean.pipeline import build_candidate
from commclean.records import RawFile
from commclean.repair.steps import repair_text
from commclean.schema import corpus_rows

from conftest import GOLD

RAW = RawFile("x.rtf", "/nonexistent/x.rtf", 0, "")


def rtf_of(text: str) -> bytes:
    """As a word processor writes it: a font table, \\par between paragraphs, \\uN? for what is
    not ASCII, the title in bold."""
    def escaped(part: str) -> str:
        part = part.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
        return "".join(c if ord(c) < 128 else f"\\u{ord(c) if ord(c) < 32768 else ord(c) - 65536}?" for c in part)

    title, *paragraphs = text.split("\n\n")
    body = "\\par\n\\par\n".join(escaped(p) for p in paragraphs)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}\n\\f0\\fs24 "
            f"{{\\b {escaped(title)}}}\\par\n\\par\n{body}\\par\n}}").encode("ascii")


def test_an_rtf_document_reads_back_as_its_statement() -> None:
    for path in GOLD[:4]:
        gold = path.read_text(encoding="utf-8").strip()
        decoded = decode_bytes(RAW, rtf_of(gold), DecodeConfig())
        assert (decoded.encoding, decoded.decode_repairs) == ("rtf", ("extract_rtf_text",))
        assert repair_text(decoded.text or "", RepairConfig()).text == gold, path.name


def test_eight_bit_escapes_are_read_in_the_declared_code_page() -> None:
    body = "The Ministers met in Kyiv and agreed to cooperate on energy, trade and reconstruction. " * 3
    data = ("{\\rtf1\\ansi\\ansicpg1251 \\'c7\\'e0\\'ff\\'e2\\'e0 \\par\\par " + body + "}").encode("ascii")
    assert (decode_bytes(RAW, data, DecodeConfig()).text or "").startswith("Заява")


def test_an_rtf_document_and_its_text_copy_make_one_document(tmp_path: Path) -> None:
    gold = GOLD[1].read_text(encoding="utf-8").strip()
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "statement.rtf").write_bytes(rtf_of(gold))
    (raw / "copy.txt").write_text(gold, encoding="utf-8")
    [row] = corpus_rows(build_candidate(raw, Config()).candidate.built)
    assert sorted(row.source_paths) == ["copy.txt", "statement.rtf"] and row.text == gold
