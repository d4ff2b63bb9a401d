"""Every level, in the order the page offers them."""

from __future__ import annotations

from demos.levels import catalog_locks, catalog_signals
from demos.levels.level import Level

LEVELS: tuple[Level, ...] = catalog_locks.LEVELS + catalog_signals.LEVELS
BY_ID: dict[str, Level] = {level.id: level for level in LEVELS}


def level(level_id: str) -> Level:
    """The level called ``level_id``; ValueError naming the known ones otherwise."""
    try:
        return BY_ID[level_id]
    except KeyError:
        raise ValueError(f"no level {level_id!r}; the levels are {', '.join(BY_ID)}") from None
