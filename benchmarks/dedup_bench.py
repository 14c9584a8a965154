"""Dedup quality and speed at scale, against a typical Jaccard MinHash LSH baseline.

Usage: python benchmarks/dedup_bench.py --sizes 10000 100000 [--seed 1]
Each (method, size) runs in a fresh process so that peak RSS is its own. Documents are generated
from the real statements in ../shared/corpus-dev with labels: distinct documents, exact copies,
near copies (2-10% of words edited, OCR look-alikes, US/UK spelling), wrapped copies (media-note
header and footer lines), truncated copies (cut at 15-80%, some also edited) and distinct
documents that share boilerplate paragraphs.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GOLD = Path(__file__).resolve().parents[2] / "shared" / "corpus-dev"
UK = {"ize": "ise", "izes": "ises", "ized": "ised", "izing": "ising", "ization": "isation", "or": "our"}
OCR = [("m", "rn"), ("l", "1"), ("o", "0"), ("e", "c"), ("h", "b")]
# Shares of the families a generated corpus is made of (a family: one base document and its copies).
FAMILY_MIX = {"single": 0.55, "exact": 0.08, "near": 0.12, "wrapped": 0.07, "truncated": 0.12, "boilerplate": 0.06}


@dataclass(frozen=True)
class Doc:
    path: str
    text: str
    family: int
    kind: str  # "base" or the kind of copy; "boilerplate" for the second of two distinct documents
    complete: bool


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        texts = [p.read_text(encoding="utf-8") for p in sorted(GOLD.glob("*.txt"))]
        self.sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) >= 6]
        self.words = [w for t in texts for w in t.split() if w.isalpha() and len(w) > 3]

    def distinct(self) -> str:
        """A new statement: real sentences recombined, a quarter of their words replaced."""
        rng = self.rng
        paragraphs = []
        for _ in range(rng.randint(5, 8)):
            sentences = " ".join(rng.sample(self.sentences, rng.randint(3, 5)))
            words = [rng.choice(self.words) if rng.random() < 0.25 else w for w in sentences.split()]
            paragraphs.append(" ".join(words))
        title = " ".join(rng.sample(self.words, 6)).title()
        return title + "\n\n" + "\n\n".join(paragraphs)

    def near(self, text: str) -> str:
        rng = self.rng
        share = rng.uniform(0.02, 0.10)
        out = []
        for paragraph in text.split("\n\n"):
            words = paragraph.split(" ")
            for i, word in enumerate(words):
                roll = rng.random()
                if roll < share:
                    words[i] = rng.choice(self.words)
                elif roll < share + 0.02 and len(word) > 3:
                    wrong, right = rng.choice(OCR)
                    words[i] = word.replace(wrong, right, 1)
                elif word.endswith(tuple(UK)) and roll < 0.5:
                    for us, uk in UK.items():
                        if word.endswith(us):
                            words[i] = word[: -len(us)] + uk
                            break
            out.append(" ".join(words))
        return "\n\n".join(out)

    def wrapped(self, text: str) -> str:
        date = f"{self.rng.choice(['MARCH', 'JUNE', 'NOVEMBER'])} {self.rng.randint(1, 28)}, 20{self.rng.randint(10, 25)}"
        title = text.split("\n\n", 1)[0]
        return (f"{title}\n\nMEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON\n\n{date}\n\n"
                f"The following is the text of a joint statement.\n\nBegin text:\n\n{text}\n\nEnd text.")

    def truncated(self, text: str) -> str:
        cut = text.rfind(" ", 0, int(len(text) * self.rng.uniform(0.15, 0.8)))
        copy = text[:cut].rstrip(" .,;:")
        return self.near(copy) if self.rng.random() < 0.3 else copy


def generate(n: int, seed: int) -> list[Doc]:
    return list(iter_docs(n, seed))


def iter_docs(n: int, seed: int, prefix: str = "") -> Iterator[Doc]:
    """The first n documents of the corpus `seed` makes, one at a time (a million do not fit in
    memory at once); `prefix` starts every path."""
    gen = Generator(seed)
    made = family = 0

    def doc(name: str, text: str, kind: str, complete: bool = True) -> Doc:
        return Doc(f"{prefix}f{family}/{name}.txt", text, family, kind, complete)

    while made < n:
        kind = gen.rng.choices(list(FAMILY_MIX), weights=list(FAMILY_MIX.values()))[0]
        base = gen.distinct()
        family_docs = [doc("base", base, "base")]
        if kind == "exact":
            family_docs.append(doc("exact", base, "exact"))
        elif kind == "near":
            family_docs.append(doc("near", gen.near(base), "near"))
        elif kind == "wrapped":
            family_docs.append(doc("wrapped", gen.wrapped(base), "wrapped"))
        elif kind == "truncated":
            family_docs.append(doc("truncated", gen.truncated(base), "truncated", complete=False))
        elif kind == "boilerplate":
            # A different statement that repeats two of the base's paragraphs word for word.
            shared = "\n\n".join(base.split("\n\n")[1:3])
            family += 1
            family_docs.append(doc("boilerplate", gen.distinct() + "\n\n" + shared, "boilerplate"))
        family += 1
        for item in family_docs[: n - made]:
            made += 1
            yield item


def run_commclean(docs: list[Doc]) -> list[list[int]]:
    from commclean.config import DedupConfig
    from commclean.dedup.clusters import deduplicate
    from commclean.metadata.extract import Metadata
    from commclean.records import RawFile, SourceDoc
    from commclean.runtime.stats import Stats
    from commclean.dedup.truncation import ends_mid_sentence

    sources = [
        SourceDoc(RawFile(d.path, d.path, len(d.text), ""), "utf-8", d.text, (), ends_mid_sentence(d.text), Metadata())
        for d in docs
    ]
    clusters = deduplicate(sources, DedupConfig(), Stats())
    return [[m.index for m in c.members] for c in clusters]


def run_datasketch(docs: list[Doc]) -> list[list[int]]:
    """The typical Jaccard pipeline: MinHash of word 5-grams, LSH at 0.8, union-find of matches."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    parent = list(range(len(docs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for index, doc in enumerate(docs):
        words = doc.text.lower().split()
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
        minhash = MinHash(num_perm=128)
        minhash.update_batch(list(shingles))
        for match in lsh.query(minhash):
            parent[find(index)] = find(match)
        lsh.insert(index, minhash)
    groups: dict[int, list[int]] = collections.defaultdict(list)
    for index in range(len(docs)):
        groups[find(index)].append(index)
    return list(groups.values())


def score(docs: list[Doc], clusters: list[list[int]]) -> dict:
    cluster_of = {index: number for number, members in enumerate(clusters) for index in members}
    base_of = {d.family: i for i, d in enumerate(docs) if d.kind == "base"}
    result = {}
    for kind in ("exact", "near", "wrapped", "truncated"):
        copies = [i for i, d in enumerate(docs) if d.kind == kind]
        found = sum(cluster_of[i] == cluster_of[base_of[docs[i].family]] for i in copies)
        wrong = sum(any(docs[j].family != docs[i].family for j in clusters[cluster_of[i]]) for i in copies)
        recall = found / len(copies) if copies else 1.0
        precision = (found / (found + wrong)) if found + wrong else 1.0
        result[kind] = {"copies": len(copies), "recall": recall, "precision": precision,
                        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}
    sharing = [i for i, d in enumerate(docs) if d.kind == "boilerplate"]
    merged = sum(cluster_of[i] == cluster_of[base_of[docs[i].family - 1]] for i in sharing)
    result["boilerplate"] = {"pairs": len(sharing), "kept apart": 1 - merged / len(sharing) if sharing else 1.0}
    true_pairs = false_pairs = 0
    for members in clusters:
        families = collections.Counter(docs[i].family for i in members)
        same = sum(c * (c - 1) // 2 for c in families.values())
        true_pairs += same
        false_pairs += len(members) * (len(members) - 1) // 2 - same
    result["pair precision"] = true_pairs / (true_pairs + false_pairs) if true_pairs + false_pairs else 1.0
    result["largest cluster"] = max(len(m) for m in clusters)
    return result


def canonical_accuracy(docs: list[Doc], clusters: list[list[int]]) -> float:
    """Of clusters holding a complete copy, the share whose kept copy (listed first) is complete."""
    eligible = [m for m in clusters if any(docs[i].complete for i in m)]
    return sum(docs[m[0]].complete for m in eligible) / len(eligible) if eligible else 1.0


def child(method: str, n: int, seed: int) -> None:
    docs = generate(n, seed)
    started = time.perf_counter()
    clusters = (run_commclean if method == "commclean" else run_datasketch)(docs)
    elapsed = time.perf_counter() - started
    quality = score(docs, clusters)
    quality["canonical accuracy"] = canonical_accuracy(docs, clusters) if method == "commclean" else None
    print(json.dumps({"method": method, "n": n, "seconds": elapsed, "docs/s": n / elapsed,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "mb_text": sum(len(d.text) for d in docs) / 1e6, **quality}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--methods", nargs="+", default=["commclean", "datasketch"])
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "N"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.seed)
        return
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; each run in its own process\n")
    rows = []
    for n in args.sizes:
        for method in args.methods:
            out = subprocess.run([sys.executable, __file__, "--child", method, str(n), "--seed", str(args.seed)],
                                 capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(json.dumps(rows[-1]), file=sys.stderr)
    print("| method | docs | MB | seconds | docs/s | peak RSS MB | exact F1 | near F1 | wrapped F1 | truncated F1 "
          "| boilerplate kept apart | pair precision | largest cluster | canonical accuracy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        canon = f"{r['canonical accuracy']:.4f}" if r["canonical accuracy"] is not None else "-"
        print(f"| {r['method']} | {r['n']} | {r['mb_text']:.0f} | {r['seconds']:.1f} | {r['docs/s']:.0f} | "
              f"{r['peak_rss_mb']:.0f} | {r['exact']['f1']:.4f} | {r['near']['f1']:.4f} | {r['wrapped']['f1']:.4f} | "
              f"{r['truncated']['f1']:.4f} | {r['boilerplate']['kept apart']:.4f} | {r['pair precision']:.4f} | "
              f"{r['largest cluster']} | {canon} |")


if __name__ == "__main__":
    main()
