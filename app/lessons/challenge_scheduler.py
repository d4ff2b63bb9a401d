"""The "You are the scheduler" page: the learner picks which thread runs each step of ``+= 1``.

Unlike the other challenges, this one runs in the GUI process: its threads never compete for the
GIL, they sit at their gates (``demos.scheduler``) until a click releases one step of one of them.
The step's report comes back through the engine's queue, which a short QTimer polls, so the
window never waits on a thread. The page keeps its own store and timeline (on a step axis).
"""

from __future__ import annotations

import asyncio
import html
import time
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
)

from app.lesson import heading, paragraph
from app.lessons.challenge_page import ChallengePage
from app.lessons.challenge_race import LOST_COLOUR
from app.lessons.levels_panel import LevelsPanel
from app.lessons.scheduler_saved import SavedGames, counter_html, refresh_replay
from app.timeline import TimelineWidget
from demos import scheduler, scheduler_game
from demos.intervals import IntervalStore

POLL_MS = 5  # how often the page picks up a released step's report (each takes microseconds)
HIGHLIGHT = "#FFE08A"  # the instructions of the step a thread takes next
MAX_THREADS = int(scheduler_game.LIMITS["threads"][1])

EXPLANATION = (
    "<code>counter.value += 1</code> looks like one action, but CPython runs it as the bytecode "
    "below: it <b>reads</b> the counter onto the thread's own stack, <b>adds</b> 1 there, and "
    "<b>writes</b> the result back. Nothing makes the three steps one. On a standard (GIL) "
    "build, CPython 3.10 and later hands the GIL to another thread only at calls and backward "
    "jumps (where it checks for a pending switch), so a plain <code>+=</code> is rarely cut "
    "between its read and its write, but nothing promises it never is. On a free-threaded "
    "build the threads really run at the same time, so any interleaving of the steps can "
    "happen."
    "<br><br>Here <i>you</i> are the scheduler. Each thread is a real thread, stopped at a gate "
    "before its next step; a button lets exactly one step of that thread through. Make two "
    "threads read the same value before either writes, and the second write erases the first: "
    "a <b>lost update</b>."
    "<br><br>The timeline counts steps, not seconds: each step is one unit of its axis."
)


class SchedulerPage(SavedGames, ChallengePage):
    """Step real threads through ``counter += 1`` by hand until an update is lost."""

    name = "You are the scheduler"
    scenario = "demos.scheduler"
    runs_locally = True  # the tab sends Start/Join/Cancel/Reset here instead of to the lab
    speaker_notes = (
        "<b>You are the scheduler.</b> Ask the room for a schedule that loses an update, then "
        "click it: read Thread-1, read Thread-2, write Thread-1, write Thread-2. Point at the "
        "stacks: both hold the same value. Then show a serial schedule: exact. "
        "Undo steps back one click; Restart starts fresh threads. Below, the levels: real "
        "programs to break (click the program, keys 1-3); P plays a winning schedule."
    )

    def build(self) -> None:
        """Explanation, sliders, one box per thread, the counter and the game's buttons."""
        layout = self.layout_
        self.game: scheduler_game.SchedulerGame | None = None
        self._pending: list[int] = []  # steps still to replay after an undo
        self._step_deadline = 0.0
        self._join_waiter: asyncio.Event | None = None
        self.store = IntervalStore()
        self.timeline = TimelineWidget(self.store)
        self.timeline.plot.setLabel("bottom", "step")
        self.timeline.hide()
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_game)

        layout.addWidget(heading("You are the scheduler"))
        layout.addWidget(paragraph(EXPLANATION))
        sliders = self.add_sliders(
            scheduler.SCENARIO, "challenges/scheduler", ("threads", "increments")
        )
        self.threads, self.increments = sliders["threads"], sliders["increments"]
        for slider in sliders.values():
            slider.valueChanged.connect(lambda _v: self._update_view())

        self.thread_boxes: list[QGroupBox] = []
        self.listings: list[QLabel] = []
        self.stacks: list[QLabel] = []
        self.step_buttons: list[QPushButton] = []
        grid = QGridLayout()
        for i in range(MAX_THREADS):
            box = QGroupBox(scheduler_game.thread_label(i))
            inner = QVBoxLayout(box)
            listing = QLabel()
            listing.setTextFormat(Qt.TextFormat.RichText)
            stack = QLabel()
            # Short text so two boxes fit side by side; the box title names the thread.
            button = QPushButton("Run next step")
            button.setAccessibleName(f"Run next step of {scheduler_game.thread_label(i)}")
            button.setToolTip("Let this thread through its gate for exactly one step")
            button.clicked.connect(lambda _checked=False, i=i: self.run_step(i))
            for widget in (listing, stack, button):
                inner.addWidget(widget)
            grid.addWidget(box, i // 2, i % 2)
            self.thread_boxes.append(box)
            self.listings.append(listing)
            self.stacks.append(stack)
            self.step_buttons.append(button)
        layout.addWidget(heading("Threads (each stopped before its highlighted step)"))
        layout.addLayout(grid)

        counter_box = QFrame()
        counter_box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(counter_box)
        self.counter_label = QLabel()
        self.counter_label.setObjectName("bigFigure")
        self.counter_label.setTextFormat(Qt.TextFormat.RichText)
        self.announcement_label = paragraph("")
        self.schedule_label = paragraph("")
        self.verdict_label = paragraph("Click a thread's button (or press Start) to begin.")
        for widget in (
            self.counter_label,
            self.announcement_label,
            self.schedule_label,
            self.verdict_label,
        ):
            inner.addWidget(widget)
        buttons = QHBoxLayout()
        self.undo_button = QPushButton("&Undo one step")
        self.undo_button.setToolTip("New threads replay your schedule without its last step")
        self.undo_button.clicked.connect(self.undo)
        self.restart_button = QPushButton("Re&start")
        self.restart_button.setToolTip("New threads, counter 0")
        self.restart_button.clicked.connect(self.restart)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.restart_button)
        inner.addLayout(buttons)
        layout.addWidget(heading("Shared counter"))
        layout.addWidget(counter_box)
        self.levels = LevelsPanel(self.settings)  # real programs to break, line by line
        layout.addWidget(self.levels)
        self._update_view()

    def params(self) -> dict[str, Any]:
        """Slider values (the game is played here, never in the lab)."""
        return {"threads": self.threads.value(), "increments": self.increments.value()}

    # ------------------------------------------------------------------ game
    @property
    def busy(self) -> bool:
        """True while a released step (or an undo's replay) has not been picked up yet."""
        return self.game is not None and (self.game.busy or bool(self._pending))

    def run_step(self, index: int) -> None:
        """Release one step of thread ``index`` (starting a game first if there is none)."""
        if self.game is None or not self.is_running():
            self.restart()
        game = self.game
        if game is None or self._pending or not game.can_step(index):
            return
        self._release(index)

    def _release(self, index: int) -> None:
        assert self.game is not None
        self.game.release(index)
        self._step_deadline = time.monotonic() + scheduler_game.STEP_TIMEOUT_S
        self._poll_timer.start()
        self._update_view()

    def _poll(self) -> None:
        game = self.game
        if game is None:
            self._poll_timer.stop()
            return
        record = game.collect()
        if record is None:
            if game.busy and time.monotonic() > self._step_deadline:
                self._poll_timer.stop()
                self.stop_game()
                self.verdict_label.setText("A thread did not take its step; the game was stopped.")
            return
        if self._pending:  # replaying after an undo: release the next recorded step
            self._release(self._pending.pop(0))
            return
        self._poll_timer.stop()
        scheduler.to_store(game, self.store)
        self._update_view()
        if game.finished:
            self._run_changed()

    def restart(self) -> None:
        """New threads at their gates, counter 0."""
        self._new_game(self.threads.value(), self.increments.value(), [])

    def undo(self) -> None:
        """New threads replay the schedule so far without its last step."""
        game = self.game
        if game is None or not game.history or self.busy:
            return
        self._new_game(game.threads, game.increments, game.schedule[:-1])

    def _new_game(self, threads: int, increments: int, replay: list[int]) -> None:
        self.stop_game()
        self.last_params = {"threads": threads, "increments": increments}
        self.game = game = scheduler_game.SchedulerGame(threads, increments)
        game.start()
        self._pending = list(replay)
        self.store.clear()
        self.timeline.clear()
        self.timeline.set_follow(True)
        if self._pending:
            self._release(self._pending.pop(0))
        else:
            scheduler.to_store(game, self.store)
        self._update_view()
        self._run_changed()

    def stop_game(self) -> bool:
        """End every thread of the game at once; True if they all ended."""
        self._poll_timer.stop()
        self._pending = []
        game = self.game
        if game is None:
            return True
        ended = game.stop()
        self._update_view()
        return ended

    def is_running(self) -> bool:
        """True while the game has threads waiting for steps."""
        game = self.game
        return game is not None and not game.finished and not game.stopped

    # ---------------------------------------------------- the tab's local run
    def start_local(self) -> None:
        """Start: a new game with the sliders' settings."""
        self.restart()

    def is_running_locally(self) -> bool:
        """The game counts as running until every thread has ended."""
        return self.is_running()

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """Like ``Thread.join()``: wait for the threads, which only move when you click."""
        if not self.is_running():
            return 0.0
        started = time.monotonic()
        self._join_waiter = waiter = asyncio.Event()
        try:
            await asyncio.wait_for(waiter.wait(), timeout_s)
        except TimeoutError:
            await self.cancel_local()
            return None
        finally:
            self._join_waiter = None
        return time.monotonic() - started

    def _run_changed(self) -> None:
        """Tell the window (and a pending Join) that the game started or ended."""
        if self._join_waiter is not None and not self.is_running():
            self._join_waiter.set()
        self.tab.localRunChanged.emit()

    async def cancel_local(self) -> bool:
        """Stop every thread (their gates open with the stop flag set)."""
        ended = self.stop_game()
        self.verdict_label.setText("Cancelled: the threads were stopped at their gates.")
        self._run_changed()
        return ended

    async def reset_local(self) -> None:
        """Stop the threads and forget the game."""
        self.stop_game()
        self.game = None
        self.store.clear()
        self.timeline.clear()
        self._update_view()
        self._run_changed()

    def refresh(self) -> None:
        """Draw the timeline up to the step after the last one (or the replay clock's)."""
        if self.tab.clock is not None:  # a saved game replays on the same step axis
            return refresh_replay(self, self.tab.clock())
        game = self.game
        if game is None or self.store.t0_ns is None:
            self.timeline.refresh(0)
            return
        steps = len(game.history) + 1
        self.timeline.set_window(max(8, steps))
        self.timeline.refresh(self.store.t0_ns + steps * scheduler.STEP_NS)

    # The page brings its own timeline into the tab's plot area while it is on screen.
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Show this page's timeline in place of the tab's."""
        super().showEvent(event)
        plots = self.tab.timeline.parentWidget()
        if self.timeline.parentWidget() is not plots and isinstance(plots, QSplitter):
            plots.insertWidget(0, self.timeline)
            # The newcomer would start squeezed: give it the tab timeline's 3:2 share.
            height = max(plots.height(), 500)
            plots.setSizes([height * 3 // 5, 0, height * 2 // 5])
        self.tab.timeline.hide()
        self.timeline.show()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """Give the plot area back; end the game if another page took over or the window closed."""
        super().hideEvent(event)
        self.timeline.hide()
        self.tab.timeline.show()
        if self.tab.page is not self or not self.window().isVisible():
            self.stop_game()
            self._run_changed()

    # ---------------------------------------------------------------- figures
    def _update_view(self) -> None:
        game = self.game
        threads = game.threads if game is not None else self.threads.value()
        listing = scheduler.bytecode_listing()
        for i, box in enumerate(self.thread_boxes):
            box.setVisible(i < threads)
            if i >= threads:
                continue
            nxt = game.next_step_of(i) if game is not None else "read"
            rows = []
            for step, text in listing:
                here = step == nxt
                mark = "&#9654;" if here else "&nbsp;"
                style = f' style="background: {HIGHLIGHT};"' if here else ""
                rows.append(
                    f"<tr{style}><td>{mark}</td><td>{step}</td>"
                    f"<td><code>{html.escape(text)}</code></td></tr>"
                )
            self.listings[i].setText(f"<table cellspacing=0>{''.join(rows)}</table>")
            local = game.local_of(i) if game is not None else None
            if nxt is None:
                self.stacks[i].setText(f"Done: it wrote {local}.")
            else:
                held = "nothing yet" if local is None else str(local)
                self.stacks[i].setText(f"Next: <b>{nxt}</b>. Stack: {held}")
            running = self.is_running()
            self.step_buttons[i].setEnabled(
                nxt is not None and not self.busy and (game is None or running)
            )
        value = game.counter.value if game is not None else 0
        expected = game.expected if game is not None else 0
        lost = game.lost_updates if game is not None else 0
        self.counter_label.setText(counter_html(value, expected, lost))
        messages = game.announcements() if game is not None else []
        self.announcement_label.setText(
            "<br>".join(f'<b style="color: {LOST_COLOUR};">{m}</b>' for m in messages)
        )
        history = game.history if game is not None else []
        self.schedule_label.setText(
            "Your schedule: "
            + (", ".join(f"{r.step} {r.thread + 1}" for r in history) or "no step yet")
        )
        self.undo_button.setEnabled(bool(history) and not self.busy)
        if game is not None and not self.busy:
            self.verdict_label.setText(self._verdict(game))

    def _verdict(self, game: scheduler_game.SchedulerGame) -> str:
        lost = game.lost_updates
        if lost > 0:
            steps = next((r.number for r in game.history if r.overwrote), len(game.history))
            return (
                f"You produced a lost update in {steps} steps: the counter shows "
                f"{game.counter.value} although {game.expected} increments completed "
                f"({lost} lost). A thread wrote back what it had computed from a value that "
                "was stale by then."
            )
        if game.finished:
            return (
                f"Exact: every thread read only after the previous write, so all {game.expected} "
                "increments count. Restart and try to lose one."
            )
        if not game.history:
            return "Every thread waits at its gate. Pick the thread that runs first."
        return "No update lost so far. Can you make two threads read the same value?"

    def clear_result(self, message: str) -> None:
        """Say what happens now (the game itself is ended by Reset, not here)."""
        self.verdict_label.setText(message)
