"""The flow on a Dask cluster (prefect-dask's DaskTaskRunner): new files are decoded, repaired and
analysed on the cluster's workers, which read them by path, and the corpus is the one a local run
publishes, byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from commclean.config import Config
from commclean.pipeline import run_pipeline
from conftest import shared

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A two-worker cluster, as a scheduler's address: what `commclean run --dask ADDRESS` is given."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def _tables(clean: Path) -> tuple[pq.Table, pq.Table]:
    return pq.read_table(clean / "corpus.parquet"), pq.read_table(clean / "sources.parquet")


def _same_as_a_local_run(raw: Path, clean: Path, tmp_path: Path) -> None:
    run_pipeline(raw, tmp_path / "local", Config())
    for on_dask, local in zip(_tables(clean), _tables(tmp_path / "local")):
        assert on_dask.equals(local), on_dask.schema.names


def test_a_run_on_a_dask_cluster_publishes_what_a_local_run_does(scheduler: str, tmp_path: Path) -> None:
    from distributed import Client, get_task_stream

    from flows.build_corpus import build_corpus

    raw = shared("corpus-dev-noisy", "raw")
    clean = tmp_path / "clean"
    with Client(scheduler, set_as_default=False) as client, get_task_stream(client) as ran:
        summary = build_corpus(raw_dir=str(raw), clean_dir=str(clean), dask=scheduler)
    assert summary.published and summary.stats["cache"]["misses"] == summary.files_read
    # The batches went to the cluster: its workers ran them, not this process.
    batches = -(-summary.files_read // Config().batch_size)
    assert len([t for t in ran.data if t["key"].startswith("process_batch-")]) == batches, ran.data
    _same_as_a_local_run(raw, clean, tmp_path)


def test_dask_local_starts_a_cluster_of_this_machine_for_the_run(seed_raw: Path, tmp_path: Path) -> None:
    from flows.build_corpus import build_corpus

    build_corpus(raw_dir=str(seed_raw), clean_dir=str(tmp_path / "clean"), dask="local")
    _same_as_a_local_run(seed_raw, tmp_path / "clean", tmp_path)


def test_files_go_to_remote_workers_by_path_without_the_bytes_read_here(seed_raw: Path) -> None:
    from commclean.ingest.discover import discover
    from commclean.pipeline.batches import Batch, Pending
    from commclean.records import RawFile

    found = discover(seed_raw).files
    read = Batch(tuple(Pending(f, RawFile.of(f, "sha"), b"bytes read here") for f in found))
    assert [p.data for p in read.work().items] == [b"bytes read here"] * len(found)
    assert read.work(by_path=True).items == tuple(Pending(f) for f in found)
