"""Markdown exports as a scraper saved them, read back: the White House releases of
`brian14708/wh-briefings` (YAML front matter, the title in it; the body hard-wrapped at 72 columns
by pandoc in about two files of three, on one line a paragraph in the rest), from the folders the
other benchmarks never draw from (`briefings-statements/`, `fact-sheets/`, `releases/`).

    python benchmarks/markdown_exports.py --wh PATH_TO_A_CLONE [--count 300] [--seed 41]
                                          [--folders F/ ...] [--exclude EARLIER_DRAWS ...] [--misses]

Draws releases as fresh_statements.py does (none that a shared folder, a benchmark set or an
earlier draw names, though those are in another folder), writes each markdown file as the clone holds it into one raw folder, builds
the folder through the pipeline (build_candidate, no Prefect), and compares each file's document
with the release as markdown-it renders it (fresh_statements' text: title line, then paragraphs,
list items and headings one a line; an ordered item's number, which the pipeline keeps and the
rendering drops, is left out on both sides). Per part (every other release in `tune`, the others `test`):
paragraph-break F1 (repair_quality.boundaries), texts equal, titles exact, files kept as another's
duplicate (each release is a statement of its own), quarantined. --misses lists the tune part's
files whose paragraphs differ, with the first difference.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.append(str(Path(__file__).resolve().parents[1] / "src"))  # after PYTHONPATH: A/B runs pick their code
from dev_labels import normalise_title  # noqa: E402
from fresh_statements import wh_releases  # noqa: E402
from quality import _first_difference  # noqa: E402
from repair_quality import boundaries  # noqa: E402

from commclean.config import Config  # noqa: E402
from commclean.pipeline import build_candidate  # noqa: E402
from commclean.schema import corpus_rows  # noqa: E402

FOLDERS = ("briefings-statements/", "fact-sheets/", "releases/")
_ITEM_NUMBER = re.compile(r"(?m)^\d{1,3}[.)] ")


@dataclass
class Part:
    files: int = 0
    breaks: list[int] = field(default_factory=lambda: [0, 0, 0])  # true positives, false positives, false negatives
    equal: int = 0
    titles: int = 0
    absorbed: int = 0
    quarantined: int = 0
    misses: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        tp, fp, fn = self.breaks
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        return (f"| {name} | {self.files} | {f1:.4f} (missed {fn}, extra {fp}) | {self.equal} | {self.titles} | "
                f"{self.absorbed} | {self.quarantined} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wh", type=Path, required=True, help="a clone (or bare git directory) of wh-briefings")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier draws (their --out folders)")
    parser.add_argument("--misses", action="store_true", help="list the tune part's paragraph differences")
    parser.add_argument("--folders", nargs="*", default=list(FOLDERS), help="the clone's folders to draw from")
    args = parser.parse_args()
    drawn = wh_releases(args.wh, args.count, args.seed, args.exclude, tuple(args.folders))
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        for number, (_, markdown, _) in enumerate(drawn):
            (raw / f"{number:03d}.md").write_text(markdown, encoding="utf-8")
        candidate = build_candidate(raw, Config()).candidate
    rows = {row.doc_id: row for row in corpus_rows(candidate.built)}
    ledger = {source.path: source for source in candidate.sources}
    parts = {"tune": Part(), "test": Part()}
    for number, (source, _, (title, _, gold)) in enumerate(drawn):
        name = f"{number:03d}.md"
        part = parts["tune" if number % 2 == 0 else "test"]
        part.files += 1
        entry = ledger[name]
        if entry.status == "quarantined":
            part.quarantined += 1
            continue
        row = rows[entry.doc_id]
        part.absorbed += row.source_paths[0] != name
        text, gold = _ITEM_NUMBER.sub("", row.text), _ITEM_NUMBER.sub("", gold)
        for i, count in enumerate(boundaries(text, gold)):
            part.breaks[i] += count
        part.equal += text.strip() == gold.strip()
        part.titles += normalise_title(row.metadata.title or "") == normalise_title(title)
        if args.misses and part is parts["tune"] and boundaries(text, gold)[1:] != (0, 0):
            part.misses.append(f"{name} ({source.split()[1]}): {_first_difference(gold.strip(), text.strip())}")
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(drawn)} releases from "
          f"{', '.join(args.folders)}, seed {args.seed}\n")
    print("| part | files | paragraph-break F1 | texts equal | titles exact | kept as another's duplicate | quarantined |")
    print("|---|---|---|---|---|---|---|")
    for name, part in parts.items():
        print(part.line(name))
    for miss in parts["tune"].misses:
        print(f"- {miss}")


if __name__ == "__main__":
    main()
