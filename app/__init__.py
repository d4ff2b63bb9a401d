"""Concurrency Lab's Qt front end."""

__version__ = "0.1.0"
