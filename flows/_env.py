"""Prefect settings that keep runs local, offline and quiet; applied before Prefect is imported."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Defaults only: whatever the user has set (a server's PREFECT_API_URL, their own home) wins.
PREFECT_DEFAULTS = {
    "PREFECT_HOME": str(Path.home() / ".cache" / "commclean" / "prefect"),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # A first run on a fresh database can take longer than the default 20 s on a loaded 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def apply_prefect_defaults() -> None:
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)
    # Prefect creates its home only one level deep; ours sits under ~/.cache.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)


@contextmanager
def variable_set(name: str, value: str | None) -> Iterator[None]:
    """The environment variable set to `value` for the block, for the processes started in it;
    left as it is when already set (the user's choice wins) or when there is no value."""
    if value is None or os.environ.get(name):
        yield
        return
    os.environ[name] = value
    try:
        yield
    finally:
        del os.environ[name]
