"""Concurrency Lab's lessons in pure Python: no Qt, runnable from a terminal."""
