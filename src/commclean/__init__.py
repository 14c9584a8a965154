"""commclean: messy scraped statements in, one clean deduplicated Parquet corpus out."""

from commclean.config import PIPELINE_VERSION, Config
from commclean.read import current_snapshot, read_corpus, read_published, read_sources

__all__ = ["PIPELINE_VERSION", "Config", "current_snapshot", "read_corpus", "read_published", "read_sources"]
__version__ = PIPELINE_VERSION
