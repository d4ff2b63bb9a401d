"""One run model: every run, whatever executes it, is driven through the same interface.

Two engines implement it. ``LabRun``: the lesson's threads or processes in the lab process.
``LocalRun``: a lesson whose workers run in this process's loop or its own child (coroutines on
the qasync loop, the "When to use what" matrix, the scheduler game); the lesson provides the
``*_local`` methods and this adapter gives them the common shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from demos.intervals import IntervalStore

if TYPE_CHECKING:
    from app.lab_client import LabClient
    from app.lesson import LessonTab


class Run(Protocol):
    """A lesson's run: started once, then paused, resumed, joined, cancelled or reset."""

    lesson: LessonTab

    @property
    def store(self) -> IntervalStore:
        """The events of this run (drawn in the lesson's tab only)."""
        ...

    def start(self) -> bool:
        """Start the workers with the lesson's current settings; False if it could not."""
        ...

    def is_running(self) -> bool:
        """True while any worker has not ended."""
        ...

    def is_paused(self) -> bool:
        """True while Pause holds the workers."""
        ...

    def pause(self) -> None:
        """Hold every worker at its next checkpoint."""
        ...

    def resume(self) -> None:
        """Let paused workers go on."""
        ...

    async def join(self, deadline_s: float) -> float | None:
        """Await every worker; seconds waited, or None if the deadline passed and it escalated."""
        ...

    async def cancel(self) -> bool:
        """Stop every worker; True if all ended in time (else the engine escalated)."""
        ...

    async def reset(self) -> None:
        """Stop whatever runs and forget the run."""
        ...


class LabRun:
    """A lesson's workers in the lab process (threads, or processes the lab starts)."""

    def __init__(self, lab: LabClient, lesson: LessonTab) -> None:
        self.lab = lab
        self.lesson = lesson

    @property
    def store(self) -> IntervalStore:
        """The lesson's own store; the lab writes into it while this run is live."""
        return self.lesson.store

    def _owns_lab(self) -> bool:
        return self.lab.store is self.lesson.store

    def start(self) -> bool:
        """Ask the lab to run the lesson's scenario into the lesson's store.

        With the parameters the controller took from the sliders just before (``last_params``):
        asking again could give the next step of a sweep.
        """
        params = self.lesson.last_params
        return self.lab.start_run(self.lesson.scenario, params, self.lesson.store)

    def is_running(self) -> bool:
        """True while the lab runs this lesson's workers."""
        return self.lab.running and self._owns_lab()

    def is_paused(self) -> bool:
        """True while this run is held by Pause."""
        return self.is_running() and self.lab.paused

    def pause(self) -> None:
        """Shared-memory flag: felt by every worker at its next checkpoint."""
        if self.is_running():
            self.lab.pause()

    def resume(self) -> None:
        """Clear the pause flag."""
        if self.is_running():
            self.lab.resume()

    async def join(self, deadline_s: float) -> float | None:
        """The lab joins every worker; past the deadline it cancels (and escalates)."""
        if not self.is_running():
            return 0.0
        result = await self.lab.join(deadline_s)
        return None if result.get("escalated") else float(result["waited_s"])

    async def cancel(self) -> bool:
        """Cancel at the next checkpoint; the lab client escalates after its deadline."""
        if not self.is_running():
            return True
        return await self.lab.cancel()

    async def reset(self) -> None:
        """Reset the lab if this run is its run; forget the lesson's events either way."""
        if self._owns_lab():
            await self.lab.reset()
        self.lesson.store.clear()


class LocalRun:
    """A lesson that runs its workers itself (``runs_locally``), behind the same interface."""

    def __init__(self, lesson: LessonTab) -> None:
        self.lesson = lesson

    @property
    def store(self) -> IntervalStore:
        """The store the lesson draws (a Challenges page may keep its own)."""
        return self.lesson.current_store()

    def start(self) -> bool:
        """The lesson starts its workers in its own engine."""
        self.lesson.start_local()
        return self.lesson.is_running_locally()

    def is_running(self) -> bool:
        """The lesson's own answer."""
        return self.lesson.is_running_locally()

    def is_paused(self) -> bool:
        """The lesson's own answer."""
        return self.lesson.is_paused_locally()

    def pause(self) -> None:
        """The lesson holds its workers."""
        self.lesson.pause_local()

    def resume(self) -> None:
        """The lesson lets its workers go on."""
        self.lesson.resume_local()

    async def join(self, deadline_s: float) -> float | None:
        """The lesson's join, bounded by the deadline."""
        return await self.lesson.join_local(deadline_s)

    async def cancel(self) -> bool:
        """The lesson's cancel."""
        return await self.lesson.cancel_local()

    async def reset(self) -> None:
        """The lesson's reset."""
        await self.lesson.reset_local()


def run_of(lab: LabClient, lesson: LessonTab) -> Run:
    """The engine that runs this lesson."""
    return LocalRun(lesson) if lesson.runs_locally else LabRun(lab, lesson)
