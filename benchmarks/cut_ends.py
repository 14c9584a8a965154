"""Where a copy is cut, does its end say so? `ends_mid_sentence` on clean statements cut at random.

Each statement of the set is cut `--cuts` times where make_heldout.py cuts a failed download (a
word boundary at 15-90% of its length); each cut text should be judged cut, and each whole
statement complete. A cut text judged complete is counted by what let it pass: a sentence's end
(nothing in the text can tell), a full stop after an abbreviation, a closing formula (a
signature's shape), a list's last item or an address. This measures the verdict every file's
`is_truncated` starts from, on far more cuts than the labelled sets hold; the document's verdict
also weighs its other copies (dedup.clusters, assemble.rows).

    python benchmarks/cut_ends.py [--gold DIR] [--split FILE:PART] [--cuts 40] [--seed 5] [--examples N]

Examples of misses are printed only with --examples: use them on a tune part only.
"""

from __future__ import annotations

import argparse
import collections
import platform
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from make_heldout import cut  # noqa: E402
from web_pages import SHARED, split_part  # noqa: E402

# The verdict's own notions of a paragraph break and a full stop, to say what it let through.
from commclean.dedup.truncation import (  # noqa: E402
    _COMPLETE_ENDING,
    _PARAGRAPH_BREAK,
    ends_mid_sentence,
    is_closing_formula,
)

_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b[A-Z][a-z]{0,3}|(?:[A-Z]\.)+[A-Z])\.$")


def why_complete(text: str) -> str:
    """What a cut text judged complete ends on."""
    end = text.rstrip()
    if _COMPLETE_ENDING.search(end):
        return "abbreviation" if _ABBREVIATION.search(end.split()[-1]) else "a sentence's end"
    return "closing formula" if is_closing_formula(_PARAGRAPH_BREAK.split(end)[-1]) else "list or address"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-extra")
    parser.add_argument("--split", default=None, help="FILE:PART of a committed split (default: every statement)")
    parser.add_argument("--cuts", type=int, default=40)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--examples", type=int, default=0)
    args = parser.parse_args()
    names = split_part(args.split)
    statements = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(args.gold.glob("*.txt"))
                  if names is None or p.stem in names]
    rng = random.Random(args.seed)
    cuts, passed, examples = 0, collections.Counter(), collections.defaultdict(list)
    for _, text in statements:
        for _ in range(args.cuts):
            copy = cut(text, rng.uniform(0.15, 0.9))
            if copy == text.rstrip():
                continue
            cuts += 1
            if not ends_mid_sentence(copy):
                why = why_complete(copy)
                passed[why] += 1
                examples[why].append(copy.rstrip()[-70:])
    whole_judged_cut = [name for name, text in statements if ends_mid_sentence(text)]
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {args.gold.name} "
          f"{args.split or 'all'}, {len(statements)} statements, {args.cuts} cuts each, seed {args.seed}\n")
    print("| measure | value |\n|---|---|")
    print(f"| cut texts | {cuts} |")
    print(f"| cut texts judged complete | {sum(passed.values())} ({sum(passed.values()) / max(cuts, 1):.1%}) |")
    for why, count in passed.most_common():
        print(f"| ... ending on {why} | {count} |")
    print(f"| whole statements judged cut | {len(whole_judged_cut)} of {len(statements)} |")
    for why, texts in examples.items() if args.examples else ():
        print(f"\n{why}:")
        for text in texts[: args.examples]:
            print(f"    {text!r}")


if __name__ == "__main__":
    main()
