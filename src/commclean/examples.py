"""Examples of what a run did, for a person to judge: a repair's text before and after, a copy
beside its canonical, each cut down to the first place where the two differ."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import dropwhile

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

CONTEXT = 60  # characters shown on each side of a difference
WINDOW = 400  # characters compared after the common start to find where the first difference ends
AGREE = 8  # characters two texts share again where a change ends
LONGEST = 240  # a differing passage longer than this is cut, with an ellipsis


@dataclass(frozen=True, slots=True)
class Example:
    """The first difference between two texts of one file: the words leading to it, what the
    first text has there and what the second has, and the words after it (in the second).
    For a repair the texts are before and after it; for a duplicate, the canonical and the copy
    (`beside` then names the canonical's file); an `after` that is empty where `before` goes on
    to the end of the window is where a cut-off copy stops."""

    path: str
    lead: str
    before: str
    after: str
    trail: str
    beside: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def first_difference(path: str, before: str, after: str, beside: str = "") -> Example | None:
    """None when the texts are equal."""
    if before == after:
        return None
    start = _common_prefix(before, after)
    window_before, window_after = before[start : start + WINDOW], after[start : start + WINDOW]
    b1, b2, a1, a2 = _first_change(window_before, window_after)
    return Example(
        path=path,
        lead=before[max(0, start + b1 - CONTEXT) : start + b1],
        before=_cut(window_before[b1:b2]),
        after=_cut(window_after[a1:a2]),
        trail=after[start + a2 : start + a2 + CONTEXT],
        beside=beside,
    )


def _first_change(before: str, after: str) -> tuple[int, int, int, int]:
    """Where the first change starts and ends in each text: up to where the texts agree again for
    AGREE characters. rapidfuzz's edit script is in C (difflib's took milliseconds a window); it
    matches single characters inside a long deletion, which a person reads as one change."""
    ops = list(dropwhile(lambda op: op.tag == "equal", Indel.opcodes(before, after)))
    end = next((i for i, op in enumerate(ops) if op.tag == "equal" and op.src_end - op.src_start >= AGREE), len(ops))
    last = max(i for i in range(end) if ops[i].tag != "equal")
    b1, b2, a1, a2 = ops[0].src_start, ops[last].src_end, ops[0].dest_start, ops[last].dest_end
    while b2 > b1 and a2 > a1 and before[b2 - 1] == after[a2 - 1]:  # an insertion's place is ambiguous:
        b2, a2 = b2 - 1, a2 - 1  # characters both sides end with belong after the change
    return b1, b2, a1, a2


def where_copy_ends(path: str, canonical: str, copy: str, beside: str) -> Example | None:
    """A copy that stops early, shown where it stops: its last words, found in the canonical
    (closely: OCR and repairs differ), and what the canonical goes on with. None when its last
    words are nowhere in the canonical."""
    tail = copy.rstrip()[-CONTEXT:]
    if not tail:
        return None
    found = fuzz.partial_ratio_alignment(tail, canonical, score_cutoff=80)
    if found is None:
        return None
    return Example(path=path, lead=canonical[found.dest_start : found.dest_end],
                   before=_cut(canonical[found.dest_end : found.dest_end + WINDOW]), after="", trail="", beside=beside)


def _common_prefix(a: str, b: str) -> int:
    """Length of the common start, by halving: string comparison runs in C, a character loop would not."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str) -> str:
    return text if len(text) <= LONGEST else text[:LONGEST] + "…"
