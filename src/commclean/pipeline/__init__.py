"""The run: per-file stages over batches, whole-corpus stages, what a run reuses under clean/,
and the sequence of stages, written once for the library and the Prefect flow."""

from commclean.pipeline.sequence import Built, LocalRunner, Outcome, Runner, build_candidate, run_pipeline, run_stages

__all__ = ["Built", "LocalRunner", "Outcome", "Runner", "build_candidate", "run_pipeline", "run_stages"]
