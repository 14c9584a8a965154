"""Readers of a published corpus: the wall time and peak memory of pyarrow, DuckDB, Polars and
Hugging Face `datasets` reading `corpus.parquet`, each in a process of its own.

Usage: python benchmarks/read_bench.py CORPUS_PARQUET [--row-group-mb 64 ...]

With --row-group-mb, the file is also written again with row groups of about that many megabytes
(as `commclean` publishes them, `store.publish.rows_per_group`) into a temporary folder, and each
reader is measured on every version. Each reader touches every text: pyarrow streams the text
column in batches, DuckDB and Polars sum the texts' lengths, `datasets` streams the first 20,000
rows (offline: it never asks the Hub).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from commclean.store.publish import rows_per_group  # noqa: E402

READERS = {
    "pyarrow iter_batches(text)": "import pyarrow.parquet as pq\n"
    "rows = sum(b.num_rows for b in pq.ParquetFile(PATH).iter_batches(batch_size=10_000, columns=['text']))",
    "DuckDB sum(length(text))": "import duckdb\n"
    "rows = duckdb.sql(f\"SELECT count(*) FROM read_parquet('{PATH}') WHERE length(text) >= 0\").fetchall()[0][0]",
    "Polars scan, sum of lengths": "import polars as pl\n"
    "rows = pl.scan_parquet(PATH).select(pl.col('text').str.len_bytes().is_not_null().sum()).collect().item()",
    "datasets streaming, 20k rows": "from datasets import load_dataset\n"
    "stream = load_dataset('parquet', data_files=PATH, split='train', streaming=True)\n"
    "rows = sum(1 for _, _ in zip(range(20_000), stream))",
}
# The process's own high-water mark (ru_maxrss would also count its parent's, from before the fork).
_FOOTER = ("\nhwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))"
           "\nprint(rows, int(hwm.split()[1]) // 1024, flush=True)"
           # A stream left half read can keep `datasets`' reading thread waiting at exit.
           "\nimport os\nos._exit(0)")


def measure(path: Path, code: str) -> tuple[float, int, int]:
    """(seconds, rows read, peak RSS in MiB) of one reader in a fresh process."""
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", f"PATH = {str(path)!r}\n{code}{_FOOTER}"], capture_output=True,
                          text=True, env=env, check=True)
    rows, peak = done.stdout.split()[-2:]
    return time.perf_counter() - started, int(rows), int(peak)


def rewritten(path: Path, mb: int, folder: Path) -> Path:
    table = pq.read_table(path)
    out = folder / f"corpus-{mb}mb.parquet"
    pq.write_table(table, out, compression="zstd", row_group_size=rows_per_group(table, mb << 20))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--row-group-mb", type=int, nargs="*", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.corpus.parent) as tmp:
        files = [args.corpus, *(rewritten(args.corpus, mb, Path(tmp)) for mb in args.row_group_mb)]
        print("| file | row groups | reader | seconds | rows | peak RSS |\n|---|---|---|---|---|---|")
        for path in files:
            metadata = pq.ParquetFile(path).metadata
            for name, code in READERS.items():
                seconds, rows, peak = measure(path, code)
                print(f"| {path.name} | {metadata.num_row_groups} of {metadata.num_rows:,} rows | {name} | "
                      f"{seconds:.1f} | {rows:,} | {peak:,} MiB |", flush=True)


if __name__ == "__main__":
    main()
