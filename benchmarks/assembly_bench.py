"""How long assembly (canonical texts, consensus, fused metadata) takes, and how much of it the
run's own process spends, with the rows built in worker processes or in the run's process.

Usage: python benchmarks/assembly_bench.py RAW_DIR [--workers-from N] [--profile 30]

Builds RAW_DIR as a run does, with a state folder (so that texts beyond Config.texts_held_mb are
read back from the result cache, as in a large build), in a temporary folder; prints the wall
time of assembly and the run's process's CPU time in it. `--workers-from` is
Config.min_documents_for_assembly_workers (1 puts any corpus's rows in worker processes; the
default is the Config default). `--profile N` prints the N costliest functions of the run's
process during assembly (cProfile, cumulative).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import tempfile
import time

from commclean.config import Config
from commclean.pipeline import sequence
from commclean.store import Folders


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("--workers-from", type=int, default=Config().min_documents_for_assembly_workers)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    measured: dict[str, float] = {}
    profile = cProfile.Profile() if args.profile else None
    assemble = sequence.assemble_candidate

    def timed(*arguments, **keywords):  # noqa: ANN002, ANN003, ANN202 - assemble_candidate's own
        wall, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        try:
            return assemble(*arguments, **keywords)
        finally:
            if profile:
                profile.disable()
            measured["assembly_seconds"] = round(time.perf_counter() - wall, 1)
            measured["run_process_cpu_seconds"] = round(time.process_time() - cpu, 1)

    sequence.assemble_candidate = timed
    config = Config(min_documents_for_assembly_workers=args.workers_from)
    with tempfile.TemporaryDirectory() as folder:
        folders = Folders.of(f"{folder}/clean")
        folders.state.mkdir(parents=True)
        built = sequence.build_candidate(args.raw, config, folders)
        measured["documents"] = built.candidate.document_count
    print(json.dumps({"workers_from": args.workers_from, **measured}))
    if profile:
        pstats.Stats(profile).sort_stats("cumtime").print_stats(args.profile)


if __name__ == "__main__":
    main()
