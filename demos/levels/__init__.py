"""Scheduler levels: short real Python programs whose threads (or coroutines) you step line by
line, with a goal to reach by choosing the order (see demos.levels.catalog)."""
