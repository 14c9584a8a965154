"""Memory a run lets go of leaves its resident set, instead of waiting in the C heap."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from commclean.runtime.heap import give_back_freed_memory


def _resident_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and needs glibc")
def test_freed_texts_leave_the_resident_set() -> None:
    texts = [f"{n:08d}" * 640 for n in range(40_000)]  # 200 MB of 5 KB texts, as a run holds
    kept = texts[::10]  # a tenth stays, scattered: the heap's top is never free, as in a run
    held = _resident_mb()
    del texts
    assert give_back_freed_memory()
    assert _resident_mb() < held - 120
    assert len(kept) == 4_000
