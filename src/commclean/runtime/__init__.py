"""Runtime: worker processes, the garbage collector and heap, and the per-stage counters."""
