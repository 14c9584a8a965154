"""Hostile shapes at two sizes: the time one file takes to decode, repair and analyse, and how it grows.

Usage: python benchmarks/hostile_sizes.py [--sizes 100000 800000] [--timeout 600] [--shapes NAME ...]

Each shape is a statement's opening and end around a run of one unit repeated (one-letter lines,
words hyphenated at every line end, brackets before a link, ...; the "markdown:" shapes are
markdown exports, front matter and a body of marks), written at each size and
processed alone in a child process (`process_batch`, as a run's worker does; the child's start and
imports not counted). A file that takes more than its size allows would stall a run's worker: time
should grow with the size, about 8 times from 100,000 to 800,000 characters, never with its square.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENING = "Joint Statement\n\nThe ministers met in Paris on May 5, 2022. "
ENDING = " They agreed.\n\nEnd of text here."
# Units repeated to the size asked: each found slow once, or shaped like what the repairs and the
# metadata patterns read (runs of capitals, dates, places, markup, line and paragraph breaks).
SHAPES = {
    "one-letter lines": "a\n",
    "words hyphenated at line ends": "inter-\n",
    "distinct words hyphenated at line ends": None,  # made by _distinct_hyphenated
    "distinct misreads": None,  # made by _distinct_misreads
    "brackets, then a link": None,  # made by _brackets_then_link
    "a print header's long title, then its words one a line": None,  # made by _printed_title
    "paragraphs split mid-sentence": "word\n\nword ",
    "list items ending on semicolons": "a;\n\n",
    "capitals": "THE ",
    "initials": "A. ",
    "abbreviations": "U.S. ",
    "places": "in Paris ",
    "dates": "May 5, ",
    "datelines": "WASHINGTON – ",
    "bold markers": "**a ",
    "italic markers": "*a ",
    "opening brackets": "[",
    "dashes": "—",
    "links": "http://a",
    "one long word": "a",
    "digits": "1",
    "spaces": " ",
    "line breaks": "\n",
    "page counters": "Page 1 ",
    "html tags": "<p>",
    "entities": "&amp;",
    "ligatures": "\ufb01",
    "ligatures in words": "con\ufb01rm ",
    "dates in words": "the twenty-first day of May, ",
    "annex headings": "Annex\n\nA ",
    "clock times": "10:30 ",
    "markdown: bold markers": "**",
    "markdown: links": "[a](",
    "markdown: images": "![",
    "markdown: comments": "<!--",
    "markdown: code marks": "`",
    "markdown: table cells": "|a|",
    "JSON: a record of many paragraphs": None,  # whole files, made by WHOLE below
    "JSON: arrays nested deep": None,
    "JSON Lines: many records": None,
    "XML: a feed of many items": None,
    "email: a message of many parts": None,
}
# A markdown export (front matter, then a body of marks) is read by the markdown reader.
FRONT_MATTER = "---\ntitle: Joint Statement\ndate: 2024-05-01\n---\n\n"


def _distinct_hyphenated(size: int) -> str:
    words, n = [], 0
    while sum(map(len, words)) < size:
        words.append(f"wor{n:x}-\nding{n:x}")
        n += 1
    return " ".join(words)


def _distinct_misreads(size: int) -> str:
    """Known words with one glyph confused ("rn" for "m"), each once: every one a correction to try."""
    from commclean.repair.lexicon import known_words

    words, total = [], 0
    for word in sorted(known_words(3.0)):
        if "m" in word and word.isalpha():
            words.append(word.replace("m", "rn", 1))
            total += len(words[-1]) + 1
            if total >= size:
                break
    return " ".join(words)


def _printed_title(size: int) -> str:
    """A print stamp beside a "title" of half the size, then the same words one a line: the
    printed heading that repeats a print header's title is looked for line by line."""
    words, total = [], 0
    while total < size // 2:
        words.append(f"w{len(words):x}")
        total += len(words[-1]) + 1
    return "\n12/5/26, 12:21 AM " + " ".join(words) + "\n\n" + "\n".join(words)


def _brackets_then_link(size: int) -> str:
    half = size // 3
    return "[" * half + "x" + "](" * half


def _json_paragraphs(size: int) -> str:
    return json.dumps({"title": "Joint Statement", "date": "2024-05-01",
                       "paragraphs": ["The ministers met today and agreed. " * 3] * (size // 108 + 1)})


def _jsonl_records(size: int) -> str:
    line = json.dumps({"title": "Joint Statement", "content": "The ministers met today and agreed. " * 6})
    return "\n".join([line] * (size // len(line) + 1))


def _feed_items(size: int) -> str:
    item = "<item><title>Joint Statement</title><description>" + "The ministers met today and agreed. " * 6 + \
           "</description></item>"
    return f'<?xml version="1.0"?><rss><channel>{item * (size // len(item) + 1)}</channel></rss>'


def _mail_parts(size: int) -> str:
    part = "--b\nContent-Type: text/plain\n\nThe ministers met today and agreed.\n"
    return ("From: a@b.example\nSubject: Joint Statement\nDate: Mon, 21 Jun 2021 10:00:00 -0400\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b"\n\n' + part * (size // len(part) + 1) + "--b--\n")


# Shapes that are whole files of their own (a scraper's data), not a statement's body.
WHOLE = {"JSON: a record of many paragraphs": _json_paragraphs,
         "JSON: arrays nested deep": lambda size: "[" * (size // 2) + "]" * (size // 2),
         "JSON Lines: many records": _jsonl_records, "XML: a feed of many items": _feed_items,
         "email: a message of many parts": _mail_parts}


def body(shape: str, size: int) -> str:
    unit = SHAPES[shape]
    if unit is None:
        made = {"distinct words hyphenated at line ends": _distinct_hyphenated, "distinct misreads": _distinct_misreads,
                "a print header's long title, then its words one a line": _printed_title}
        return made.get(shape, _brackets_then_link)(size)
    return unit * (size // len(unit) + 1)


def text_of(shape: str, size: int) -> str:
    if shape in WHOLE:
        return WHOLE[shape](size)
    lead = FRONT_MATTER if shape.startswith("markdown") else ""
    return lead + OPENING + body(shape, size) + ENDING


def child(path: Path, shape: str) -> None:
    """Process one file as a run's worker does, after a small one of its shape (which loads the
    word lists and the gazetteer its reading needs); print the seconds the file took."""
    from commclean.config import Config
    from commclean.ingest.discover import discover
    from commclean.pipeline.batches import identify_batch, process_batch

    config = Config()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"warm-up{path.suffix}").write_text(text_of(shape, 1_000), encoding="utf-8")
        process_batch(identify_batch(discover(tmp).files, config), config)
    files = discover(path.parent).files
    started = time.perf_counter()
    done = process_batch(identify_batch(files, config), config)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 3), "documents": len(list(done.documents())),
                      "quarantined": [q.reason for q in done.quarantined]}))


def timed(shape: str, size: int, timeout: float) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        path = raw / ("hostile.md" if shape.startswith("markdown") else "hostile.txt")
        path.write_text(text_of(shape, size), encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, __file__, "--child", str(path), "--shapes", shape],
                                  capture_output=True, text=True, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return None
        return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 800_000])
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.shapes[0])
        return
    small, large = args.sizes
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; sizes {small:,} and {large:,} characters\n")
    print(f"| shape | s at {small:,} | s at {large:,} | growth (size x{large / small:g}) |")
    print("|---|---|---|---|")
    for shape in args.shapes:
        times = [timed(shape, size, args.timeout) for size in (small, large)]
        shown = [f"{t:.2f}" if t is not None else f"over {args.timeout:g}" for t in times]
        growth = f"{times[1] / max(times[0], 0.01):.1f}" if None not in times else "-"
        print(f"| {shape} | {shown[0]} | {shown[1]} | {growth} |", flush=True)


if __name__ == "__main__":
    main()
