"""Decode speed and accuracy on generated files of mixed encodings, against charset-normalizer alone.

Usage: python benchmarks/decode_bench.py [--files 10000] [--seed 1]
Texts come from ../shared/corpus-dev (real statements); each file is a slice of one, encoded the way
scraped files arrive (mostly UTF-8). A file is decoded right when the text equals the original.
"""

from __future__ import annotations

import argparse
import collections
import platform
import random
import time
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from commclean.config import DecodeConfig
from commclean.ingest.decode import decode_bytes
from commclean.records import RawFile

GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev"
# Share of files per encoding: mostly UTF-8, as in real scrapes.
MIX = {
    "utf-8": 0.62, "utf-8-sig": 0.06, "utf-16": 0.05, "utf-16-le (no BOM)": 0.01,
    "cp1252": 0.14, "cp1252 short (150 B)": 0.04, "latin-1": 0.08,
}
# Sparse accents, as names and places appear in English statements: where detectors go wrong.
ACCENTED = ["Zürich", "São Paulo", "Café", "Curaçao", "Bogotá", "Türkiye", "Genève", "Malmö", "Señor", "Réunion"]
RAW = RawFile("bench.txt", "bench.txt", 0, "")


@dataclass(frozen=True)
class Sample:
    kind: str
    text: str
    data: bytes


def make_samples(count: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(GOLD.glob("*.txt"))]
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    return [_sample(kind, rng.choice(texts), rng) for kind in kinds]


def _sample(kind: str, source: str, rng: random.Random) -> Sample:
    size = 150 if kind.endswith("short (150 B)") else rng.randint(1_000, 10_000)
    start = rng.randrange(max(1, len(source) - size))
    text = source[start : start + size].strip() or source[:size]
    words = text.split(" ")
    for _ in range(1 if size == 150 else rng.randint(1, 4)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(ACCENTED))
    text = " ".join(words)
    if kind.startswith("cp1252") and "’" not in text:
        text = text.replace("'", "’", 1) if "'" in text else text + " The Coalition’s view."
    if kind == "latin-1":
        text = text.translate(str.maketrans("’‘“”–—…", "''\"\"--.", ""))
    codec = {"utf-16-le (no BOM)": "utf-16-le", "cp1252 short (150 B)": "cp1252"}.get(kind, kind)
    # Characters a single-byte code page cannot hold (U+2011, say) are left out of its files.
    text = text.encode(codec, errors="ignore").decode(codec)
    return Sample(kind, text, text.encode(codec))


def ours(data: bytes) -> str | None:
    return decode_bytes(RAW, data, DecodeConfig(min_document_chars=1)).text


def naive(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None else None


def measure(name: str, decode, samples: list[Sample]) -> dict:  # noqa: ANN001
    right = collections.Counter()
    started = time.perf_counter()
    results = [decode(s.data) for s in samples]
    elapsed = time.perf_counter() - started
    for sample, text in zip(samples, results):
        right[sample.kind] += text == sample.text
    total_mb = sum(len(s.data) for s in samples) / 1e6
    return {"name": name, "seconds": elapsed, "files/s": len(samples) / elapsed, "MB/s": total_mb / elapsed,
            "right": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    samples = make_samples(args.files, args.seed)
    per_kind = collections.Counter(s.kind for s in samples)
    results = [measure("commclean decode_bytes", ours, samples),
               measure("charset-normalizer from_bytes().best()", naive, samples)]
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; one process, in memory")
    print(f"{args.files} files, {sum(len(s.data) for s in samples) / 1e6:.1f} MB, seed {args.seed}\n")
    print("| decoder | files/s | MB/s | decoded right |\n|---|---|---|---|")
    for r in results:
        right = sum(r["right"].values())
        print(f"| {r['name']} | {r['files/s']:,.0f} | {r['MB/s']:.1f} | {right}/{args.files} ({right / args.files:.2%}) |")
    print(f"\nSpeed-up: {results[0]['files/s'] / results[1]['files/s']:.1f}x\n")
    print("| encoding | files | commclean right | charset-normalizer right |\n|---|---|---|---|")
    for kind in MIX:
        print(f"| {kind} | {per_kind[kind]} | {results[0]['right'][kind]} | {results[1]['right'][kind]} |")


if __name__ == "__main__":
    main()
