"""The main window: lesson tabs, the controls bar, the status line, menus and timers.

Buttons and shortcuts act on the current lesson through the LabClient. Long actions (join,
cancel, reset) are coroutines on the qasync loop, so the window never freezes while they wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import theme
from app.ask_the_room import AskTheRoom
from app.banner import Banner
from app.code_panel import CodePanel
from app.heartbeat import Heartbeat, periods_for
from app.interpreter_choice import InterpreterChoice
from app.lab_client import LabClient
from app.lesson import LessonTab
from app.lesson_builder import build_lesson, tell_reset_settings
from app.lesson_list import LessonList
from app.presenter import PresenterMode
from app.replay import ReplayBar, ReplayController
from app.run_control import RunController
from app.run_files import RunFiles
from app.settings import open_settings
from app.status_line import StatusLine
from app.window_actions import (
    add_presenter_and_code_panel,
    build_actions,
    build_theme_menu,
    make_action,
)
from app.window_state import restore_window, save_window
from demos import registry
from demos.cpu_sampler import CpuSampler
from demos.intervals import IntervalStore

log = logging.getLogger(__name__)
DRAW_PERIOD_MS = 50  # 20 frames a second: each costs a repaint of the timeline and its axis
CPU_SAMPLE_PERIOD_MS = 100
STATUS_PERIOD_MS = 500
PERIODS_MS = (DRAW_PERIOD_MS, CPU_SAMPLE_PERIOD_MS, STATUS_PERIOD_MS)
LANES_SETTLE_MS = 150
LAB_START_DELAY_MS = 100  # after the first paint: spawning competes with the window appearing
# (title, module, class) in the deck's order, from the one lesson registry. A lesson's module is
# imported when its tab is first shown, which keeps nine lessons' imports off the cold start.
LESSONS: list[tuple[str, str, str]] = [
    (entry.title, entry.app_module, entry.app_class) for entry in registry.LESSONS
]


class MainWindow(QMainWindow):
    """Concurrency Lab's single window."""

    # Built by app.window_actions (the run controller, the presenter and tests use them).
    start_action: QAction
    pause_action: QAction
    space_action: QAction
    join_action: QAction
    cancel_action: QAction
    reset_action: QAction
    follow_action: QAction
    export_action: QAction
    save_run_action: QAction
    open_run_action: QAction
    export_timeline_action: QAction
    export_cpu_action: QAction
    fullscreen_action: QAction
    leave_fullscreen_action: QAction
    help_action: QAction
    toolbar: QToolBar
    view_menu: QMenu
    code_panel: CodePanel
    theme_choice: str
    theme_actions: dict[str, QAction]

    def __init__(self, start_lab: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("Concurrency Lab")
        self.settings = open_settings()
        # Each lab run writes into the store of the lesson that started it (app.run_control).
        self.lab = LabClient(IntervalStore(), self)
        self.sampler = CpuSampler()
        self._tasks: set[asyncio.Task[Any]] = set()  # strong references (qasync needs them)
        self._closing = False
        # Drawing, CPU sampling and the status line run only while something moves.
        work = (self._draw, self._sample_cpu, self._update_status)
        self.heartbeat = Heartbeat(self, self._live, PERIODS_MS, work)
        self.draw_timer, self.cpu_timer, self.status_timer = self.heartbeat.timers()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.ready = False  # lessons built before the window is complete get its state later
        self.lessons = LessonList(LESSONS, self.tabs, self._build_lesson)
        self._lesson_ids = [entry.id for entry in registry.LESSONS]
        for index, entry in enumerate(registry.LESSONS):  # short labels fit a 1366 px screen
            self.tabs.setTabText(index, entry.tab_label)
            self.tabs.setTabToolTip(index, f"{index + 1}. {entry.title}")
        self.banner = Banner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        self.replay = ReplayController(self.lab.store, self)
        self.replay_bar = ReplayBar(self.replay)
        self.run_files = RunFiles(self)
        self.replay_bar.leaveRequested.connect(self.leave_replay)
        layout.addWidget(self.replay_bar)
        self.last_result: dict[str, Any] | None = None  # what Save run stores with the events
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        build_actions(self)
        self.presenter = PresenterMode(self)
        self.ask_room = AskTheRoom(self)
        add_presenter_and_code_panel(self)
        build_theme_menu(self)
        self.ready = True
        for button in self.toolbar.findChildren(QToolButton):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # every control reachable by Tab
        self.status_line = StatusLine(self.statusBar(), self.lab)
        self.python_choice = InterpreterChoice(self, self.lab, self.toolbar)  # which Python
        self.runs = RunController(self)
        # The controls act on the run of the tab on screen: follow it when the tab changes.
        self.tabs.currentChanged.connect(lambda _index: self.update_actions())
        self.tabs.currentChanged.connect(self._name_lesson_in_title)
        self.heartbeat.wake_on(self.replay.positionChanged)
        self._connect_lab()
        restore_window(self, self.settings, self.tabs, self._lesson_ids)
        self.presenter.notes.hide()  # notes are opened for a talk, never restored with the docks
        self._name_lesson_in_title(self.tabs.currentIndex())
        tell_reset_settings(self)  # what the start could not read, said once
        if start_lab:
            # After the first paint: spawning the lab must not delay the window appearing.
            QTimer.singleShot(LAB_START_DELAY_MS, self._start_lab_unless_closing)
        self.update_actions()

    # ---------------------------------------------------------------- build
    def _action(self, text: str, shortcut: str, tip: str, slot: Any) -> QAction:
        """An action of this window (the presenter adds its own through this)."""
        return make_action(self, text, shortcut, tip, slot)

    def set_theme(self, choice: str) -> None:
        """View -> Theme: system, light or dark (remembered)."""
        self.theme_choice = choice if choice in theme.THEMES else "system"
        self.settings.setValue("view/theme", self.theme_choice)
        self.theme_actions[self.theme_choice].setChecked(True)
        self.apply_theme()

    def apply_theme(self) -> None:
        """Palette and plots for the chosen theme (presenter mode keeps its own)."""
        if self.presenter.active:
            return
        dark = theme.is_dark(self.theme_choice)
        theme.apply_palette(dark)
        for lesson in self.lessons.built():
            lesson.set_dark(dark)

    def _connect_lab(self) -> None:
        self.lab.labStarted.connect(self._on_lab_started)
        self.lab.labLost.connect(self.show_banner)
        self.lab.labError.connect(self.show_banner)
        lab = self.lab
        self.heartbeat.wake_on(lab.labStarted, lab.labLost, lab.runStarted, lab.runFinished)
        self.heartbeat.wake_on(lab.lanesChanged, lab.markAdded, lab.eventsArrived)
        # Threads announce themselves one by one; rebuild curves and legends once they settle.
        self._lanes_timer = QTimer(self)
        self._lanes_timer.setSingleShot(True)
        self._lanes_timer.setInterval(LANES_SETTLE_MS)
        self._lanes_timer.timeout.connect(self._on_lanes_changed)
        self.lab.lanesChanged.connect(self._lanes_timer.start)

    # -------------------------------------------------------------- helpers
    @property
    def store(self) -> IntervalStore:
        """The store of the lab's current (or last) run, whichever lesson started it."""
        return self.lab.store

    def current_lesson(self) -> LessonTab:
        """The lesson on screen."""
        return self.lessons[self.tabs.currentIndex()]

    def _is_running(self) -> bool:
        return self.runs.is_running()

    def _is_paused(self) -> bool:
        return self.runs.is_paused()

    def _live(self) -> bool:
        """True while the picture moves by itself: a run going (not paused), a replay playing."""
        if self.replay.playing or (self.lab.running and not self.lab.paused):
            return True
        run = self.runs.active
        return run is not None and run.is_running() and not run.is_paused()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine on the qasync loop, keeping a strong reference until it ends."""
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("action failed", exc_info=exc)
            self.show_banner(f"Something went wrong: {type(exc).__name__}: {exc}")

    def show_banner(self, text: str) -> None:
        """A visible, dismissable message above the lesson."""
        self.banner.setText(text)
        self.banner.show()
        self.statusBar().showMessage(text, 10_000)

    # -------------------------------------------------------------- actions
    def start(self) -> None:
        """Start the lesson on screen with its settings (another tab's run is stopped first)."""
        self.runs.start()

    def toggle_pause(self) -> None:
        """Pause the run of the tab on screen, or resume it."""
        self.runs.toggle_pause()

    def start_or_toggle(self) -> None:
        """Space: start when idle, otherwise pause or resume (or play/pause a replay)."""
        if self.replay.active:
            self.replay_bar.toggle()
        elif self._is_running():
            self.toggle_pause()
        elif not self.ask_room.intercept_start(self.current_lesson()):
            self.start()

    def join(self) -> None:
        """Await every worker (as Thread.join does) without freezing the window."""
        self.runs.join()

    def cancel(self) -> None:
        """Stop every worker at its next checkpoint (escalating after 2 s)."""
        self.runs.cancel()

    def reset(self) -> None:
        """Stop the tab's run and clear its plots, whatever state it is in."""
        self.runs.reset()

    def follow_now(self) -> None:
        """Turn follow-now back on in the current timeline."""
        self.current_lesson().timeline.set_follow(True)

    # File jobs live in app/run_files.py; these keep the window's public names.
    def export_trace(self) -> None:
        """File -> Export trace...: the current run as Chrome Trace JSON."""
        self.run_files.export_trace()

    def export_trace_to(self, path: str) -> bool:
        """Write the trace; show a message on failure."""
        return self.run_files.export_trace_to(path)

    def save_run(self) -> None:
        """File -> Save run...: events, settings and figures of the run on screen."""
        self.run_files.save_run()

    def save_run_to(self, path: str) -> bool:
        """Write the run on screen to ``path``."""
        return self.run_files.save_run_to(path)

    def open_run(self) -> None:
        """File -> Open run...: replay a saved run."""
        self.run_files.open_run()

    def open_run_from(self, path: str) -> bool:
        """Load a run and show it paused at its start, in its own lesson's tab and page."""
        return self.run_files.open_run_from(path)

    def leave_replay(self) -> None:
        """Back to live runs."""
        self.run_files.leave_replay()

    def export_plot(self, which: str) -> None:
        """File -> Export ... image: PNG or SVG by the file name's suffix."""
        self.run_files.export_plot(which)

    def export_plot_to(self, which: str, path: str) -> bool:
        """Write the current lesson's timeline or CPU plot to ``path`` (.png or .svg)."""
        return self.run_files.export_plot_to(which, path)

    def toggle_full_screen(self) -> None:
        """F11."""
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def leave_full_screen(self) -> None:
        """Esc: leaves presenter mode, or plain full screen."""
        if self.presenter.active:
            self.presenter.leave()
        elif self.isFullScreen():
            self.showNormal()

    def step_lesson(self, step: int) -> None:
        """The next (+1) or previous (-1) lesson, wrapping around."""
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def _build_lesson(self, module: str, name: str) -> LessonTab:
        """Build one lesson with the window's current theme, scale and slow motion."""
        return build_lesson(self, module, name)

    # ------------------------------------------------------------ reactions
    def _start_lab_unless_closing(self) -> None:
        if not self._closing:
            self.lab.start_lab()

    def _on_lab_started(self, pid: int) -> None:
        self.sampler.watch_process(pid)
        self.presenter.apply_time_scale()  # a new lab has new shared flags
        self.update_actions()

    def _on_lanes_changed(self) -> None:
        lanes = list(self.lab.store.lanes)
        draw_ms, poll_ms = periods_for(len(lanes), DRAW_PERIOD_MS)
        self.draw_timer.setInterval(draw_ms)
        self.lab.ring_poller.set_period(poll_ms)
        self.sampler.set_lanes(lanes)
        owner = self.runs.lab_owner()
        if owner is not None:
            owner.on_lanes_changed()

    def _name_lesson_in_title(self, index: int) -> None:
        self.setWindowTitle(f"Concurrency Lab - {self.lessons.titles[index]}")

    def update_actions(self, wake: bool = True) -> None:
        """Enable the controls that make sense for the tab on screen (and draw what changed)."""
        if wake:  # a run started, paused, resumed or ended, or the tab changed
            self.heartbeat.wake()
        running = self._is_running()
        self.save_run_action.setEnabled(not running and not self.replay.active)
        self.start_action.setEnabled(not running)
        self.pause_action.setEnabled(running)
        self.pause_action.setText("Resume" if self._is_paused() else "Pause")
        self.join_action.setEnabled(running)
        self.cancel_action.setEnabled(running)

    def _draw(self) -> None:
        if self.isVisible():
            self.current_lesson().refresh_plots()

    def _sample_cpu(self) -> None:
        self.sampler.sample()
        if self.isVisible():
            self.current_lesson().refresh_cpu()

    def _update_status(self) -> None:
        self.status_line.update()
        self.update_actions(wake=False)

    # ---------------------------------------------------------- persistence
    def save_settings(self) -> None:
        """Geometry and last lesson (slider values are saved as they change); closed in
        presenter mode, the window's normal geometry, so the next start is not full screen."""
        save_window(self, self.settings, self.tabs, self._lesson_ids)
        if self.presenter.active:
            self.settings.setValue("window/geometry", self.presenter.normal_geometry)

    def shutdown(self) -> None:
        """Stop timers, tasks and the lab within about 3 s; idempotent."""
        if self._closing:
            return
        self._closing = True
        self.heartbeat.stop()
        self._lanes_timer.stop()
        self.statusBar().clearMessage()  # a message's timeout is a running timer too
        for task in list(self._tasks):
            task.cancel()
        self.lab.stop_lab()
        self.save_settings()
        self.presenter.notes.close()  # a notes window on a second screen would outlive us

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Closing mid-run stops everything within 3 s and leaves no process behind."""
        self.shutdown()
        event.accept()
