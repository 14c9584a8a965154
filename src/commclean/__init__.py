"""commclean: messy scraped statements in, one clean deduplicated Parquet corpus out."""

from commclean.config import PIPELINE_VERSION, Config

__all__ = ["Config", "PIPELINE_VERSION"]
__version__ = PIPELINE_VERSION
