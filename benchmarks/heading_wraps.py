"""Titles printed in a larger font, read back from a PDF's text: wrapped at their own width, in
capitals or not, with or without header fields under them on lines of their own.

pdftotext gives a printed statement's heading as lines with no blank line between them: the
title wrapped at the width of its larger font, then the header's fields ("MEDIA NOTE", "OFFICE
OF THE SPOKESPERSON", "PRESS STATEMENT", a date), then the body's first lines. Each statement of
the set is printed that way (a heading width of 24-60 characters, the title in capitals half the
time, header fields two times in three, body lines of 72-96 characters; seeded), repaired, and
its title read by the metadata step: it must be the statement's title (in the capitals it was
printed in), with the header fields and the body apart.

    python benchmarks/heading_wraps.py [--gold DIR] [--split FILE:PART] [--seed N] [--misses]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from noisy import _fill  # noqa: E402
from web_pages import SHARED, Statement, load_statements, split_part  # noqa: E402

from commclean.config import Config  # noqa: E402
from commclean.metadata.extract import extract_metadata  # noqa: E402
from commclean.repair.steps import repair_text  # noqa: E402

HEADERS = (("MEDIA NOTE", "OFFICE OF THE SPOKESPERSON", "{date}"), ("PRESS STATEMENT", "{date}"),
           ("READOUT", "OFFICE OF THE SPOKESPERSON"), ("JOINT STATEMENT", "{date}"))


def printed(statement: Statement, rng: random.Random) -> tuple[str, str]:
    """(the text pdftotext would give, the title as printed)."""
    title = statement.title.upper() if rng.random() < 0.5 else statement.title
    lines = _fill(title, rng.randint(24, 60), None)
    if rng.random() < 2 / 3:
        date = f"{rng.choice(['MAY', 'JUNE', 'OCTOBER'])} {rng.randint(1, 28)}, {rng.randint(2015, 2025)}"
        lines += [field.format(date=date) for field in rng.choice(HEADERS)]
    width = rng.choice([72, 80, 96])
    first, *rest = statement.paragraphs
    blocks = ["\n".join(lines + _fill(first, width, None))] + ["\n".join(_fill(p, width, None)) for p in rest]
    return "\n\n".join(blocks) + "\n", title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "corpus-extra")
    parser.add_argument("--split", default=None, help="FILE:PART: only that part's statements")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    statements = load_statements(args.gold, split_part(args.split))
    rng = random.Random(args.seed)
    config = Config()
    exact = capitals = capitals_exact = 0
    misses = []
    for statement in statements:
        text, title = printed(statement, rng)
        repaired = repair_text(text, config.repair)
        found = extract_metadata(repaired.metadata_text, config.metadata).title
        ours = found.value if found else None
        exact += ours == title
        capitals += title.isupper()
        capitals_exact += title.isupper() and ours == title
        if ours != title:
            misses.append(f"{statement.name}: printed {title!r} read {ours!r}")
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(statements)} statements from "
          f"{args.gold.name}{' (' + args.split + ')' if args.split else ''}, seed {args.seed}\n")
    print(f"titles exact: {exact}/{len(statements)} (printed in capitals: {capitals_exact}/{capitals}; "
          f"as written: {exact - capitals_exact}/{len(statements) - capitals})")
    if args.misses:
        print("", *misses, sep="\n- ")


if __name__ == "__main__":
    main()
