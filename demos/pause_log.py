"""When a run was paused, so paused time never counts as elapsed time."""

from __future__ import annotations


class PauseLog:
    """Pause intervals of one run, on the shared clock (``time.perf_counter_ns``)."""

    def __init__(self) -> None:
        self._spans: list[list[int]] = []  # [start_ns, end_ns or 0 while still paused]

    def paused_at(self, t_ns: int) -> None:
        """A pause began (ignored while one is already open)."""
        if not self._spans or self._spans[-1][1]:
            self._spans.append([t_ns, 0])

    def resumed_at(self, t_ns: int) -> None:
        """The open pause ended."""
        if self._spans and not self._spans[-1][1]:
            self._spans[-1][1] = t_ns

    def clear(self) -> None:
        """A new run: no pauses yet."""
        self._spans.clear()

    def paused_ns_between(self, t0: int, t1: int) -> int:
        """Time spent paused within [t0, t1]; a pause still open counts up to ``t1``."""
        total = 0
        for start, end in self._spans:
            end = end or t1
            total += max(0, min(end, t1) - max(start, t0))
        return total
