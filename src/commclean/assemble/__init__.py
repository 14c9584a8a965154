"""Assemble: one corpus row per document (canonical text, consensus from copies, fused metadata)
and one ledger row per file."""
