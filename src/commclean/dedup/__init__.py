"""Dedup: which copies are the same statement (exact, near, cut off), and which texts are cut off."""
