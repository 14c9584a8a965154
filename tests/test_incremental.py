"""Incremental runs: files seen before come from the cache, and the result is exactly a full rebuild."""

from __future__ import annotations

import shutil
from pathlib import Path

from commclean.cache import cache_path
from commclean.config import Config, DecodeConfig
from commclean.pipeline import build_candidate
from commclean.records import Candidate

from conftest import PROJECT
from noise import truncate

GOLD = sorted((PROJECT / "tests" / "fixtures" / "gold").glob("*.txt"))


def _full(raw: Path) -> Candidate:
    candidate, _, _ = build_candidate(raw, Config())
    return candidate


def _cached(raw: Path, clean: Path) -> tuple[Candidate, dict[str, int]]:
    candidate, _, stats = build_candidate(raw, Config(), cache_path(clean, Config()))
    return candidate, dict(stats.counts.get("cache", {}))


def test_new_files_are_the_only_work_and_the_result_equals_a_full_rebuild(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _, first = _cached(seed_raw, clean)
    assert first == {"hits": 0, "misses": 5}
    shutil.copy(GOLD[0], seed_raw / "new statement.txt")
    (seed_raw / "cut copy.txt").write_text(truncate((seed_raw / "000_6c5b62fa821d58d1.txt").read_text(), 0.4))
    incremental, second = _cached(seed_raw, clean)
    assert second == {"hits": 5, "misses": 2}
    assert incremental == _full(seed_raw)


def test_a_removed_canonical_file_hands_its_document_to_the_remaining_copy(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _cached(seed_raw, clean)
    (seed_raw / "001_7c02e8161f4096aa.txt").unlink()
    incremental, counts = _cached(seed_raw, clean)
    assert counts == {"hits": 4, "misses": 0}
    assert incremental == _full(seed_raw)
    row = next(r for r in incremental.sources if r.path.startswith("003_"))
    assert (str(row.status), row.is_truncated) == ("canonical", True)
    assert len(incremental.corpus) == 4


def test_the_same_bytes_under_another_name_come_from_the_cache_under_that_name(seed_raw: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _cached(seed_raw, clean)
    (seed_raw / "004_180829e56ac5bc96.txt").rename(seed_raw / "renamed.txt")
    incremental, counts = _cached(seed_raw, clean)
    assert counts["misses"] == 0
    assert "renamed.txt" in {r.path for r in incremental.sources}
    assert incremental == _full(seed_raw)


def test_a_change_of_settings_or_pipeline_starts_a_fresh_cache(tmp_path: Path) -> None:
    assert cache_path(tmp_path, Config()) == cache_path(tmp_path, Config(batch_size=7))
    assert cache_path(tmp_path, Config()) != cache_path(tmp_path, Config(decode=DecodeConfig(min_document_chars=5)))
