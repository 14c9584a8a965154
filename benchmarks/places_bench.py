"""Places on statements no rule was written for: White House releases labelled by hand (wh_places.json).

    python benchmarks/places_bench.py --repo PATH_TO_A_CLONE_OF_brian14708/wh-briefings [--misses]

Each labelled release (its markdown, front matter and hard line breaks removed, as corpus-extra's
texts were made) goes through `extract_metadata` alone; its place is right when the city (the
part before the first comma) matches, or when none is labelled and none is found. Misses are
printed for the tune part only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

import yaml

from commclean.config import Config
from commclean.metadata.extract import extract_metadata

HERE = Path(__file__).parent


def release_text(markdown: str) -> str:
    """Title line, blank line, one paragraph a line: the shape of corpus-extra's statements."""
    front, _, body = markdown.partition("\n---\n") if markdown.startswith("---") else ("", "", markdown)
    title = " ".join(str(yaml.safe_load(front.lstrip("-\n")).get("title", "")).split()) if front else ""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body):
        text = " ".join(line.strip() for line in block.splitlines()).strip()
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("\\", "").replace("\xa0", " ").replace("**", "")
        text = re.sub(r"^[#*>\s-]+", "", text).strip()
        if text and text != "###":
            paragraphs.append(text)
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def _city(place: str | None) -> str | None:
    return place.split(",")[0].strip().lower() if place else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    labels = json.loads((HERE / "wh_places.json").read_text(encoding="utf-8"))
    config = Config().metadata
    print("| part | place right where stated | place null where none stated |\n|---|---|---|")
    for part in ("tune", "test"):
        right = stated = null = unstated = 0
        for row in labels[part]:
            markdown = subprocess.run(["git", "-C", str(args.repo), "show", f"{labels['commit']}:{row['source']}"],
                                      capture_output=True, text=True, check=True).stdout
            found = extract_metadata(release_text(markdown), config).location
            ours, gold = found.value if found else None, row["place"]
            if gold is None:
                unstated, null = unstated + 1, null + (ours is None)
            else:
                stated, right = stated + 1, right + (_city(ours) == _city(gold))
            if args.misses and part == "tune" and _city(ours) != _city(gold):
                print(f"- {row['source']}: gold {gold!r} ours {ours!r}")
        print(f"| {part} | {right}/{stated} | {null}/{unstated} |")


if __name__ == "__main__":
    main()
