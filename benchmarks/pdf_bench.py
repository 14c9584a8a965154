"""PDFs in raw/: statements printed to PDF by Chromium (its header and footer on every page, as a
browser's "Save as PDF" gives them), read back by commclean against pdftotext's text of the same
PDFs through the same pipeline.

    python benchmarks/pdf_bench.py [--gold DIR] [--split FILE:PART] [--limit N] [--work DIR]

With --work, the PDFs are kept there and a later run with the same folder reads them again
instead of printing (two codes compared on the very same PDFs).

Needs Debian's chromium and poppler-utils (pdftotext). Reports, for each reader: texts equal to
the statement, CER, titles exact, and milliseconds a file through the whole candidate build.
"""

from __future__ import annotations

import argparse
import html
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_pages import SHARED, Statement, load_statements, split_part  # noqa: E402

from commclean.config import Config  # noqa: E402
from commclean.pipeline import build_candidate  # noqa: E402
from commclean.schema import corpus_rows  # noqa: E402


def print_pdf(statement: Statement, folder: Path, profile: Path) -> Path:
    page = folder / f"{Path(statement.name).stem}.html"
    if page.with_suffix(".pdf").exists():
        return page.with_suffix(".pdf")
    page.write_text(f"<html><head><meta charset='utf-8'><title>{html.escape(statement.title)}</title></head>"
                    f"<body style='font-family:serif;font-size:13px;margin:40px'><h2>{html.escape(statement.title)}</h2>"
                    + "".join(f"<p>{html.escape(p)}</p>" for p in statement.paragraphs) + "</body></html>",
                    encoding="utf-8")
    pdf = page.with_suffix(".pdf")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True, timeout=120)
    page.unlink()
    return pdf


def judge(raw: Path, by_name: dict[str, Statement], misses: list[str]) -> tuple[int, int, int, int, float]:
    started = time.perf_counter()
    candidate = build_candidate(raw, Config()).candidate
    seconds = time.perf_counter() - started
    rows = {path: row for row in corpus_rows(candidate.built) for path in row.source_paths}
    equal = edits = chars = titles = 0
    for name, statement in by_name.items():
        row = rows.get(name)
        text = row.text if row else ""
        equal += text == statement.text
        edits += Levenshtein.distance(text, statement.text)
        chars += len(statement.text)
        titles += bool(row) and row.metadata.title == statement.title
        if row and row.metadata.title != statement.title:
            misses.append(f"{name}: title {statement.title!r} read {row.metadata.title!r}")
    return equal, edits, chars, titles, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-dev")
    parser.add_argument("--split", default=None, help="FILE:PART: only that part's statements")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--misses", action="store_true", help="list the titles not read exactly")
    parser.add_argument("--work", type=Path, default=None, help="keep (and reuse) the printed PDFs here")
    args = parser.parse_args()
    assert shutil.which("chromium") and shutil.which("pdftotext"), "needs chromium and poppler-utils"
    statements = load_statements(args.gold, split_part(args.split))[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        pdfs, texts = work / "pdf" / "raw", work / "pdftotext" / "raw"
        pdfs.mkdir(parents=True, exist_ok=True)
        texts.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(2) as pool:
            printed = list(pool.map(lambda n_s: print_pdf(n_s[1], pdfs, work / f"profile{n_s[0] % 2}"),
                                    enumerate(statements)))
        for pdf in printed:
            text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True).stdout
            (texts / f"{pdf.stem}.txt").write_bytes(text)
        pages = sum(pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages") for pdf in printed)
        print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(statements)} statements from "
              f"{args.gold.name}{' (' + args.split + ')' if args.split else ''}, printed by Chromium ({pages} pages)\n")
        build_candidate(texts, Config())  # word lists and the like loaded before anything is timed
        print("| reader | files | text equal | CER | titles exact | ms a file (whole build) |")
        print("|---|---|---|---|---|---|")
        for label, raw, suffix in (("commclean on the PDF (PDFium)", pdfs, ".pdf"),
                                   ("commclean on pdftotext's text", texts, ".txt")):
            by_name = {f"{Path(s.name).stem}{suffix}": s for s in statements}
            misses: list[str] = []
            equal, edits, chars, titles, seconds = judge(raw, by_name, misses)
            print(f"| {label} | {len(by_name)} | {equal}/{len(by_name)} | {edits / max(1, chars):.4f} | "
                  f"{titles}/{len(by_name)} | {1000 * seconds / len(by_name):.1f} |", flush=True)
            if args.misses:
                print("", *misses, sep="\n- ", end="\n\n")


if __name__ == "__main__":
    main()
