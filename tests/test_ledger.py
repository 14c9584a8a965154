"""The ledger accounts for every raw file exactly once, whatever the files hold."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commclean.assemble.rows import LedgerError, check_ledger
from commclean.config import Config
from commclean.pipeline import build_candidate
from commclean.records import Candidate, Status

from conftest import RAW_SEEDS

SEED_TEXTS = [p.read_bytes() for p in sorted(RAW_SEEDS.iterdir())]


def test_a_lost_file_breaks_the_ledger(seeds_candidate: Candidate) -> None:
    paths = [row.path for row in seeds_candidate.sources]
    check_ledger(seeds_candidate, paths)
    with pytest.raises(LedgerError, match="missing"):
        check_ledger(seeds_candidate, paths + ["lost.txt"])


def test_a_doubled_file_breaks_the_ledger(seeds_candidate: Candidate) -> None:
    paths = [row.path for row in seeds_candidate.sources]
    doubled = dataclasses.replace(seeds_candidate, sources=seeds_candidate.sources + seeds_candidate.sources[:1])
    with pytest.raises(LedgerError, match="doubled"):
        check_ledger(doubled, paths)


def test_a_duplicate_pointing_nowhere_breaks_the_ledger(seeds_candidate: Candidate) -> None:
    paths = [row.path for row in seeds_candidate.sources]
    rows = list(seeds_candidate.sources)
    rows[0] = dataclasses.replace(rows[0], doc_id="doc-nowhere")
    with pytest.raises(LedgerError, match="not in the corpus"):
        check_ledger(dataclasses.replace(seeds_candidate, sources=tuple(rows)), paths)


files = st.lists(
    st.one_of(st.binary(max_size=600), st.sampled_from(SEED_TEXTS), st.sampled_from(SEED_TEXTS).map(lambda b: b[:900])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(files)
def test_every_file_is_canonical_duplicate_or_quarantined_exactly_once(contents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for index, data in enumerate(contents):
            Path(folder, f"f{index}.txt").write_bytes(data)
        built = build_candidate(folder, Config())
        candidate, discovery = built.candidate, built.discovery
    statuses = [row.status for row in candidate.sources]
    assert sorted(row.path for row in candidate.sources) == sorted(f"f{i}.txt" for i in range(len(contents)))
    assert statuses.count(Status.CANONICAL) == candidate.built.num_rows
    assert len(statuses) == len(discovery.files)
    assert all((row.doc_id is None) == (row.status is Status.QUARANTINED) for row in candidate.sources)
