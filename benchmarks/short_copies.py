"""Short cut copies: attached to their own statement, never to another one.

A copy cut off after a few sentences holds little evidence of which statement it is. Statements
made from one template ("The United States and <Country> Sign a Memorandum of Understanding
Concerning …") share their title's shape and opening sentence, so a short cut copy of one can
look like a cut copy of the other: recorded as its duplicate, the statement it alone holds would
be lost from the corpus.

For each share of words kept (after the title), every statement of the set is cut once, then:
- own: the cut copies beside their full statements; each must be a duplicate of its own
  statement's document (recall), or quarantined as too short only where its text is under the
  minimum length of a document;
- alone: the statements split in two halves at random (seeded); the cut copies of one half beside
  the full statements of the other, and the other way round; a cut copy recorded as a duplicate
  there was attached to another statement (a false attachment).

    python benchmarks/short_copies.py [--gold DIR] [--split FILE:PART] [--shares 0.03 0.05 0.1 0.2]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from web_pages import SHARED, split_part  # noqa: E402

from commclean.config import Config  # noqa: E402
from commclean.pipeline import build_candidate  # noqa: E402
from commclean.records import Candidate, Status  # noqa: E402


def cut_copy(text: str, share: float) -> str:
    """The title line and the first `share` of the words after it (at least one)."""
    title, _, body = text.strip().partition("\n")
    words = body.split()
    return f"{title}\n\n{' '.join(words[: max(1, round(share * len(words)))])}\n"


def build(files: dict[str, str]) -> Candidate:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        return build_candidate(tmp, Config()).candidate


def own(texts: dict[str, str], share: float) -> tuple[int, int, int, list[str]]:
    """(attached to their own statement, quarantined as too short, elsewhere, the elsewhere names)."""
    files = {**{f"full-{n}": t for n, t in texts.items()}, **{f"cut-{n}": cut_copy(t, share) for n, t in texts.items()}}
    sources = {s.path: s for s in build(files).sources}
    attached = short = 0
    elsewhere = []
    for name in texts:
        cut, full = sources[f"cut-{name}"], sources[f"full-{name}"]
        if cut.status == Status.QUARANTINED and "too short" in (cut.reason or ""):
            short += 1
        elif cut.status == Status.DUPLICATE and cut.doc_id == full.doc_id:
            attached += 1
        else:
            elsewhere.append(f"{name}: {cut.status} {cut.reason}")
    return attached, short, len(elsewhere), elsewhere


def alone(texts: dict[str, str], share: float, seed: int) -> tuple[int, list[str]]:
    """(cut copies attached to another statement, what they were attached as)."""
    names = sorted(texts)
    random.Random(seed).shuffle(names)
    halves = (names[: len(names) // 2], names[len(names) // 2 :])
    false = []
    for cut_half, full_half in (halves, halves[::-1]):
        files = {**{f"full-{n}": texts[n] for n in full_half}, **{f"cut-{n}": cut_copy(texts[n], share) for n in cut_half}}
        candidate = build(files)
        owner = {s.doc_id: s.path for s in candidate.sources if s.status == Status.CANONICAL}
        for s in candidate.sources:
            if s.path.startswith("cut-") and s.status == Status.DUPLICATE:
                false.append(f"{s.path[4:]} -> {owner.get(s.doc_id, s.doc_id)[5:]} ({s.reason})")
    return len(false), false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-extra")
    parser.add_argument("--split", default=None, help="FILE:PART: only that part's statements")
    parser.add_argument("--shares", type=float, nargs="+", default=[0.03, 0.05, 0.1, 0.2])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    wanted = split_part(args.split)
    paths = [p for p in sorted(args.gold.glob("*.txt")) if wanted is None or p.stem in wanted]
    texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(texts)} statements from "
          f"{args.gold.name}{' (' + args.split + ')' if args.split else ''}, seed {args.seed}\n")
    print("| words kept | own: attached to their statement | own: too short (quarantined) | own: elsewhere "
          "| alone: attached to another statement |")
    print("|---|---|---|---|---|")
    notes = []
    for share in args.shares:
        attached, short, elsewhere, where = own(texts, share)
        false, what = alone(texts, share, args.seed)
        print(f"| {share:.0%} | {attached}/{len(texts)} | {short} | {elsewhere} | {false}/{len(texts)} |", flush=True)
        notes += [f"{share:.0%} own {w}" for w in where] + [f"{share:.0%} alone {w}" for w in what]
    if args.misses:
        print("", *notes, sep="\n- ")


if __name__ == "__main__":
    main()
