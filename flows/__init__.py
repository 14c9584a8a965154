"""Prefect flows composing commclean's stage functions."""

from flows._env import apply_prefect_defaults

apply_prefect_defaults()
