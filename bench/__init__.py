"""Benchmarks: figures, not timed tests."""
