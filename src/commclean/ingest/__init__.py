"""Ingest: find the raw files a run must account for, and decode each to text (or a quarantine reason)."""
