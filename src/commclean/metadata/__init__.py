"""Metadata: title, dates, place, type and issuer of one copy, as scored candidates."""
