"""Run control: one controller owns the active run and remembers the lesson that started it.

Rules a user can predict:
- a run's lanes, plots and figures belong to the lesson that started it (each lesson has its
  own store; see ``app.lesson_lab``), so another tab shows its own last run or nothing;
- switching tabs never pauses, resumes or alters a run; Space, J and C act on the run of the tab
  on screen;
- Start in a tab while another tab's run is going stops that run first and says so.
Long actions (join, cancel, reset) are coroutines on the qasync loop: the window never freezes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from app.lesson import LessonTab
from app.runs import Run, run_of
from demos.events import State

if TYPE_CHECKING:
    from app.main_window import MainWindow

log = logging.getLogger(__name__)


class RunController(QObject):
    """Start, pause, resume, join, cancel and reset, for the lesson on screen."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lab = window.lab
        self.active: Run | None = None  # the run started last (it may have ended since)
        self._tasks: set[asyncio.Task[Any]] = set()  # strong references (qasync needs them)
        # For the log: local runs going (their end is a localRunChanged), lessons being cancelled.
        self._local_live: set[LessonTab] = set()
        self._watched: set[int] = set()
        self._cancelling: set[LessonTab] = set()
        self.lab.runFinished.connect(self._on_lab_run_finished)

    # ------------------------------------------------------------- queries
    def run_for(self, lesson: LessonTab) -> Run:
        """The lesson's run: the active one if the lesson started it, else a new handle."""
        if self.active is not None and self.active.lesson is lesson:
            return self.active
        return run_of(self.lab, lesson)

    def busy_elsewhere(self, lesson: LessonTab) -> Run | None:
        """The run going in another lesson, if any."""
        run = self.active
        if run is not None and run.lesson is not lesson and run.is_running():
            return run
        return None

    def any_running(self) -> bool:
        """True while any lesson's run is going (the lab's, or a local one)."""
        return self.lab.running or (self.active is not None and self.active.is_running())

    def is_running(self, lesson: LessonTab | None = None) -> bool:
        """True while the lesson on screen (or ``lesson``) has a run going."""
        lesson = lesson or self._peek_current()
        return lesson is not None and self.run_for(lesson).is_running()

    def is_paused(self, lesson: LessonTab | None = None) -> bool:
        """True while the lesson on screen (or ``lesson``) has its run paused."""
        lesson = lesson or self._peek_current()
        return lesson is not None and self.run_for(lesson).is_paused()

    def _peek_current(self) -> LessonTab | None:
        # Without building: a lesson not built yet is running nothing.
        return self.window.lessons.peek(self.window.tabs.currentIndex())

    # ------------------------------------------------------------- actions
    def start(self, lesson: LessonTab | None = None) -> bool:
        """Start the lesson on screen (or ``lesson``); another tab's run is stopped first."""
        lesson = lesson or self.window.current_lesson()
        if self.run_for(lesson).is_running():
            return False
        other = self.busy_elsewhere(lesson)
        if other is not None:
            self.spawn(self._stop_then_start(other, lesson))
            return True
        return self._start_now(lesson)

    async def _stop_then_start(self, other: Run, lesson: LessonTab) -> None:
        self.window.statusBar().showMessage(
            f"Stopping the {other.lesson.title} run to start {lesson.title}...", 5000
        )
        log.info("cancelled: %s (to start %s)", lesson_id(other.lesson), lesson_id(lesson))
        self._cancelling.add(other.lesson)
        await other.cancel()
        self.window.update_actions()
        if self._start_now(lesson):
            self.window.statusBar().showMessage(
                f"Stopped the {other.lesson.title} run first: one run at a time.", 8000
            )

    def _start_now(self, lesson: LessonTab) -> bool:
        window = self.window
        if window.replay.active:
            window.leave_replay()
        run = run_of(self.lab, lesson)
        window.banner.hide()
        window.presenter.title.show_answer("")  # the last run's answer is not this one's
        if not lesson.runs_locally:
            if self.lab.running:  # a run nobody owns any more (its lesson was reset)
                return False
            if not self.lab.is_alive():
                window.show_banner("The lab process is starting; try again in a moment.")
                return False
            lesson.last_params = lesson.params()
            lesson.clear_result("Running...")
            lesson.clear_plots()
            window.sampler.clear()
        self.active = run
        started = run.start()
        if started:
            log.info("run started: %s", lesson_id(lesson))
            self._watch_local(lesson)
        elif not lesson.runs_locally:
            window.show_banner("Could not start the run: the lab is not answering.")
        lesson.timeline.set_follow(True)
        window.update_actions()
        return started

    def toggle_pause(self) -> None:
        """Pause the run of the tab on screen, or resume it."""
        lesson = self._peek_current()
        if lesson is None:
            return
        run = self.run_for(lesson)
        if run.is_paused():
            run.resume()
            log.info("resumed: %s", lesson_id(lesson))
        elif run.is_running():
            run.pause()
            log.info("paused: %s", lesson_id(lesson))
        self.window.update_actions()

    def join(self) -> None:
        """Await every worker of the tab's run (as Thread.join does), without freezing."""
        lesson = self._peek_current()
        if lesson is not None and self.run_for(lesson).is_running():
            self.spawn(self._join(lesson))

    async def _join(self, lesson: LessonTab) -> None:
        window = self.window
        window.statusBar().showMessage("Joining: waiting for every worker to end...")
        waited_s = await self.run_for(lesson).join(lesson.join_deadline_s())
        if waited_s is None:
            window.show_banner("Join missed its deadline; the run was cancelled.")
        else:
            window.statusBar().showMessage(f"Join returned after {waited_s:.2f} s", 5000)
        window.update_actions()

    def cancel(self) -> None:
        """Stop every worker of the tab's run at its next checkpoint (escalating after 2 s)."""
        lesson = self._peek_current()
        if lesson is not None and self.run_for(lesson).is_running():
            self.spawn(self._cancel(lesson))

    async def _cancel(self, lesson: LessonTab) -> None:
        log.info("cancelled: %s", lesson_id(lesson))
        self._cancelling.add(lesson)
        if await self.run_for(lesson).cancel():
            self.window.statusBar().showMessage("Cancelled", 5000)
        self.window.update_actions()

    def reset(self) -> None:
        """Stop the tab's run, whatever state it is in, and clear its plots and figures."""
        self.spawn(self._reset(self.window.current_lesson()))

    async def _reset(self, lesson: LessonTab) -> None:
        await self.run_for(lesson).reset()
        if self.active is not None and self.active.lesson is lesson:
            self.active = None
        self.window.sampler.clear()
        lesson.clear_plots()
        lesson.clear_result("Reset. Press Start (Space) to run again.")
        self.window.update_actions()
        self.window.statusBar().showMessage("Reset", 3000)

    async def stop_all(self) -> None:
        """Cancel whatever runs (before opening a saved run, say)."""
        if self.active is not None and self.active.is_running():
            await self.active.cancel()

    # ----------------------------------------------------------- reactions
    def lab_owner(self) -> LessonTab | None:
        """The lesson whose store the lab writes into (its current or last lab run)."""
        for lesson in self.window.lessons.built():
            if not lesson.runs_locally and lesson.store is self.lab.store:
                return lesson
        return None

    def _on_lab_run_finished(self, report: dict[str, Any]) -> None:
        t0, t1 = report["t_start_ns"], report["t_end_ns"]
        elapsed_s = (t1 - t0 - self.lab.paused_ns_between(t0, t1)) / 1e9
        owner = self.lab_owner()
        if owner is not None:
            self._cancelling.discard(owner)
        log.info("finished: %s (%s)", lesson_id(owner) if owner else "?", lab_outcome(report))
        if owner is not None:
            self.window.last_result = {
                "lesson": owner.title,
                "elapsed_s": elapsed_s,
                "report": report,
            }
            owner.show_result(elapsed_s, report)  # in its own tab, wherever the user is now
            ended = [state for state, _message in report.get("outcomes", {}).values()]
            self._reveal(
                owner,
                {
                    "elapsed_s": elapsed_s,
                    "work_s": report.get("work_s", 0.0),
                    "failed": report.get("failed", ""),
                    "cancelled": sum(s != int(State.DONE) for s in ended),
                    **owner.prediction_figures(),
                },
            )
        self.window.update_actions()

    def _watch_local(self, lesson: LessonTab) -> None:
        # A local run says it ended only through localRunChanged: watch it, to log its end.
        if not lesson.runs_locally:
            return
        self._local_live.add(lesson)
        if id(lesson) not in self._watched:
            self._watched.add(id(lesson))
            lesson.localRunChanged.connect(lambda: self._on_local_changed(lesson))

    def _on_local_changed(self, lesson: LessonTab) -> None:
        if lesson in self._local_live and not self.run_for(lesson).is_running():
            self._local_live.discard(lesson)
            outcome = "cancelled" if lesson in self._cancelling else "done"
            self._cancelling.discard(lesson)
            log.info("finished: %s (%s)", lesson_id(lesson), outcome)
            if outcome == "done":
                self._reveal(lesson, lesson.saved_figures())

    def _reveal(self, lesson: LessonTab, figures: dict[str, Any]) -> None:
        """Answer the lesson's question from its run, beside the guess (under the stage title
        too while presenting)."""
        box = lesson.prediction
        if box is None:
            return
        text = box.reveal(figures)
        if text and self.window.presenter.active and lesson is self.window.current_lesson():
            self.window.presenter.title.show_answer(text)  # the room sees the stage, not a panel

    # ---------------------------------------------------------------- tasks
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the qasync loop, keeping a strong reference until it ends."""
        return self.window.spawn(coro)


def lesson_id(lesson: LessonTab) -> str:
    """The lesson's registry id, for the log (its tab lives in ``app.lessons.<id>``)."""
    return type(lesson).__module__.rpartition(".")[2]


def lab_outcome(report: dict[str, Any]) -> str:
    """How a lab run ended, for the log: the worst end any worker had, then the counts
    ("cancelled; 60 cancelled, 4 done"), or why the run failed."""
    if report.get("failed"):
        return f"failed; {report['failed']}"
    counts: dict[State, int] = {}
    for state, _message in report.get("outcomes", {}).values():
        counts[State(state)] = counts.get(State(state), 0) + 1
    if not counts:
        return "no workers"
    worst = max(counts)
    detail = ", ".join(f"{n} {s.name.lower()}" for s, n in sorted(counts.items(), reverse=True))
    return f"{worst.name.lower()}; {detail}"
