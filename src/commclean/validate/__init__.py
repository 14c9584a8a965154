"""Validate: the Great Expectations suites run on the candidate output before anything is published."""
