"""Assembly builds the corpus rows in worker processes when there are many, with the same result."""

from __future__ import annotations

from pathlib import Path

import pytest

from commclean.assemble import rows
from commclean.config import Config
from commclean.pipeline import build_candidate, corpus
from commclean.runtime.workers import map_in_processes


def test_rows_built_in_worker_processes_are_the_rows_built_here(seed_raw: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = build_candidate(seed_raw, Config())
    # A chunk per document, and workers for any number: the seeds' four documents go to a pool of two.
    monkeypatch.setattr(rows, "CLUSTERS_PER_LOAD", 1)
    pools: list[int] = []

    def recorded(function, work, workers):  # noqa: ANN001, ANN202
        pools.append(workers)
        return map_in_processes(function, work, workers)

    monkeypatch.setattr(corpus, "map_in_processes", recorded)
    pooled = build_candidate(seed_raw, Config(workers=2, min_files_for_workers=1, min_documents_for_assembly_workers=1))
    assert pools == [2]
    assert pooled.candidate.built.equals(here.candidate.built)
    assert pooled.candidate.sources == here.candidate.sources
    # The counts of assembly (consensus, documents built) and the duplicate examples shown, in order.
    assert pooled.stats.counts["assemble"]["documents built"] == 4
    for section in ("assemble", "repair"):
        assert pooled.stats.counts[section] == here.stats.counts[section]
    assert pooled.stats.examples == here.stats.examples and pooled.stats.examples["duplicates"]


def test_too_few_documents_are_built_here_without_starting_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int] = []
    monkeypatch.setattr(corpus, "map_in_processes", lambda function, work, workers: pools.append(workers) or iter(()))
    config = Config(workers=2, min_files_for_workers=1)
    list(corpus._rows_built(config, iter(()), config.min_documents_for_assembly_workers - 1))
    list(corpus._rows_built(config, iter(()), config.min_documents_for_assembly_workers))
    assert pools == [1, 2]
