"""A lesson's own view of the shared lab: its store, and "running" only while its run is.

The lab runs one scenario at a time for whichever lesson started it. Each lesson sees the lab
through one of these views, so a lesson never draws, counts or acts on another lesson's run:
``store`` is the lesson's own store (the lab writes into it while the lesson's run is live) and
``running`` is true only while the lab's run belongs to this lesson.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from demos.intervals import IntervalStore

if TYPE_CHECKING:
    from app.lab_client import LabClient


class LessonLab:
    """What a lesson may know of the lab; anything not overridden here is the lab's own."""

    def __init__(self, lab: LabClient, store: IntervalStore) -> None:
        self._lab = lab
        self.store = store
        # Set by the run controller: starts this lesson's next run (sweeps step with it).
        self.start_requested: Callable[[], bool] = lambda: False

    @property
    def client(self) -> LabClient:
        """The shared lab client itself (for the run controller, not for lessons)."""
        return self._lab

    @property
    def owns_run(self) -> bool:
        """True while the lab's current (or last) run writes into this lesson's store."""
        return self._lab.store is self.store

    @property
    def running(self) -> bool:
        """True while the lab runs this lesson's workers."""
        return self._lab.running and self.owns_run

    @property
    def paused(self) -> bool:
        """True while this lesson's run is held by Pause."""
        return self.running and self._lab.paused

    def start_next_run(self) -> bool:
        """Start this lesson's run with its current settings (a sweep's next step)."""
        return self.start_requested()

    def __getattr__(self, name: str) -> Any:
        # pid, is_alive(), paused_ns_between(), ...: the lab's, unchanged.
        return getattr(self._lab, name)
