"""Incremental runs on the dev set give what a full rebuild gives, step after step.

Usage: python benchmarks/dev_incremental.py [--dev ../shared/corpus-dev-noisy] [--work /tmp/commclean-dev-incremental]

Starts `raw/` with half of the dev set's noisy files, then adds the rest in three steps, then
removes, renames and rewrites some files in place. After each step it runs the pipeline on the
same clean folder (incremental), and from scratch in a fresh one (--full), and compares the two
published corpora and ledgers row by row. Prints a Markdown table; exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

from commclean.config import Config
from commclean.pipeline import run_pipeline

Step = tuple[str, Callable[[Path], None]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus-dev-noisy")
    parser.add_argument("--work", type=Path, default=Path("/tmp/commclean-dev-incremental"))
    args = parser.parse_args()
    sources = sorted(p for p in (args.dev / "raw").rglob("*") if p.is_file())
    shutil.rmtree(args.work, ignore_errors=True)
    raw, clean = args.work / "raw", args.work / "clean"
    raw.mkdir(parents=True)
    half, quarter = len(sources) // 2, len(sources) // 4
    steps: list[Step] = [
        (f"{half} files", lambda r: _copy(sources[:half], args.dev / "raw", r)),
        *((f"+{len(chunk)} files", lambda r, chunk=chunk: _copy(chunk, args.dev / "raw", r))
          for chunk in (sources[half : half + quarter], sources[half + quarter : -10], sources[-10:])),
        ("-10 files (every 20th)", lambda r: [p.unlink() for p in _files(r)[::20][:10]]),
        ("5 renamed", lambda r: [p.rename(p.with_name(f"renamed {p.name}")) for p in _files(r)[3::30][:5]]),
        ("3 cut short in place", lambda r: [_cut(p) for p in _files(r)[7::40][:3]]),
    ]
    print(f"Dev set: {args.dev} ({len(sources)} files)\n")
    print("| step | files | documents | incremental s | full rebuild s | corpus equal | ledger equal |")
    print("|---|---|---|---|---|---|---|")
    differences = 0
    for number, (name, change) in enumerate(steps):
        change(raw)
        incremental, seconds = _timed(raw, clean, full=False)
        _, full_seconds = _timed(raw, args.work / f"fresh-{number}", full=True)
        same = [_rows(clean, name) == _rows(args.work / f"fresh-{number}", name) for name in ("corpus", "sources")]
        differences += same.count(False)
        print(f"| {name} | {incremental.files_read} | {incremental.documents} | {seconds:.1f} | {full_seconds:.1f} "
              f"| {'yes' if same[0] else '**no**'} | {'yes' if same[1] else '**no**'} |")
    sys.exit(1 if differences else 0)


def _copy(files: list[Path], source_root: Path, raw: Path) -> None:
    for path in files:
        target = raw / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*") if p.is_file())


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _timed(raw: Path, clean: Path, full: bool):  # noqa: ANN202 - (RunSummary, seconds)
    started = time.perf_counter()
    summary = run_pipeline(raw, clean, Config(), full=full)
    if not summary.published:
        raise SystemExit(f"{'full' if full else 'incremental'} run on {raw} published nothing: {summary.validation}")
    return summary, time.perf_counter() - started


def _rows(clean: Path, table: str) -> list[dict]:
    return pq.read_table(clean / f"{table}.parquet").to_pylist()


if __name__ == "__main__":
    main()
