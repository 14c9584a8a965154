"""Places on statements no rule was written for: White House and State Department releases labelled by hand.

    python benchmarks/places_bench.py --wh PATH_TO_A_CLONE_OF_brian14708/wh-briefings
                                      --state PATH_TO_A_CLONE_OF_markschaver/State-Department-PR [--misses]

wh_places.json, state_places.json, joint_places.json (joint statements of both), meetings_places.json (State
Department meetings), rounds_places.json (statements of any kind from both, three rounds) and
fresh_places.json (the last 329 White House statements, fresh_statements.py's ninth draw, and the
test halves of its eighth and seventh) name each release (a file at a commit; an RSS item's guid in
the commit of data.rss that holds it) and its place. Each release (markdown, front matter and hard
line breaks removed; an RSS item's HTML paragraphs one a line) goes through `extract_metadata`
alone; its place is right when the city (the part before the first comma) matches, or when none is
labelled and none is found. Misses are printed for the tune parts only.
"""

from __future__ import annotations

import argparse
import html
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


def rss_item_text(rss: str, guid: str) -> str:
    """An RSS item's title and its HTML's paragraphs, headings and list items, one a line."""
    for item in re.findall(r"<item>(.*?)</item>", rss, re.S):
        if f">{guid}<" in item:
            title = html.unescape(re.search(r"<title>(.*?)</title>", item, re.S).group(1).strip())
            body = re.search(r"<content:encoded><!\[CDATA\[(.*?)\]\]></content:encoded>", item, re.S).group(1)
            blocks = re.findall(r"<(?:p|h[1-6]|li)[^>]*>(.*?)</(?:p|h[1-6]|li)>", body, re.S)
            texts = (" ".join(html.unescape(re.sub(r"<[^>]+>", "", b)).replace("\xa0", " ").split()) for b in blocks)
            return title + "\n\n" + "\n\n".join(t for t in texts if t) + "\n"
    raise KeyError(guid)


def _git_show(repo: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, text=True,
                          check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wh", type=Path, required=True, help="a clone of brian14708/wh-briefings")
    parser.add_argument("--state", type=Path, required=True, help="a clone of markschaver/State-Department-PR")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    config = Config().metadata
    print("| releases | part | place right where stated | place null where none stated |\n|---|---|---|---|")
    for name in ("wh", "state", "joint", "meetings", "rounds", "fresh"):
        labels = json.loads((HERE / f"{name}_places.json").read_text(encoding="utf-8"))
        parts = labels.get("parts") or {part: labels[part] for part in ("tune", "test")}
        for part, rows in parts.items():
            right = stated = null = unstated = 0
            for row in rows:
                if "guid" in row:
                    text = rss_item_text(_git_show(args.state, row["commit"], "data.rss"), row["guid"])
                else:
                    text = release_text(_git_show(args.wh, row.get("commit", labels.get("commit")), row["source"]))
                found = extract_metadata(text, config).location
                ours, gold = found.value if found else None, row["place"]
                if gold is None:
                    unstated, null = unstated + 1, null + (ours is None)
                else:
                    stated, right = stated + 1, right + (_city(ours) == _city(gold))
                if args.misses and part.endswith("tune") and _city(ours) != _city(gold):
                    print(f"- {row.get('source') or row['guid']}: gold {gold!r} ours {ours!r}")
            print(f"| {name} | {part} | {right}/{stated} | {null}/{unstated} |")


if __name__ == "__main__":
    main()
