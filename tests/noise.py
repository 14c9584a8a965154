"""Deterministic generators of the copies a scraper produces, for tests with known answers."""

from __future__ import annotations

import random
import re

UK_SPELLINGS = {
    "stabilization": "stabilisation", "stabilize": "stabilise", "organization": "organisation",
    "recognize": "recognise", "recognized": "recognised", "emphasized": "emphasised",
    "defense": "defence", "center": "centre", "favor": "favour", "labor": "labour",
    "endeavor": "endeavour", "prioritize": "prioritise", "mobilize": "mobilise",
}


def respell_uk(text: str) -> str:
    pattern = re.compile(r"\b(" + "|".join(UK_SPELLINGS) + r")\b")
    return pattern.sub(lambda m: UK_SPELLINGS[m.group(1)], text).replace("U.S.", "US")


def edit_words(text: str, share: float, seed: int) -> str:
    """Replace a share of the words (not the paragraph breaks) with other words."""
    rng = random.Random(seed)
    paragraphs = []
    for paragraph in text.split("\n\n"):
        words = paragraph.split(" ")
        for i in range(len(words)):
            if rng.random() < share:
                words[i] = rng.choice(["notably", "further", "indeed", "also", "jointly", "today"])
        paragraphs.append(" ".join(words))
    return "\n\n".join(paragraphs)


def truncate(text: str, share: float) -> str:
    """Cut at a word boundary near `share` of the length, mid-sentence, as a failed download does."""
    cut = text.rfind(" ", 0, int(len(text) * share))
    return text[:cut].rstrip(" ,.;:")


def media_note_wrapper(text: str, title: str, date: str) -> str:
    return (
        f"{title}\n\nMEDIA NOTE\n\nOFFICE OF THE SPOKESPERSON\n\n{date.upper()}\n\n"
        f"The following is the text of a {title}.\n\nBegin text:\n\n{text}\n\nEnd text.\n"
    )
