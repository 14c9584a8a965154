"""commclean: messy scraped statements in, one clean deduplicated Parquet corpus out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commclean.config import PIPELINE_VERSION, Config

if TYPE_CHECKING:
    from commclean.read import current_snapshot, read_corpus, read_published, read_sources

__all__ = ["PIPELINE_VERSION", "Config", "current_snapshot", "read_corpus", "read_published", "read_sources"]
__version__ = PIPELINE_VERSION
_READERS = ("current_snapshot", "read_corpus", "read_published", "read_sources")


def __getattr__(name: str) -> Any:
    # The readers load pyarrow: only when asked for, so that helper processes started as
    # `python -m commclean....` (the run's watchdog) stay small.
    if name in _READERS:
        from commclean import read

        return getattr(read, name)
    raise AttributeError(f"module 'commclean' has no attribute {name!r}")
