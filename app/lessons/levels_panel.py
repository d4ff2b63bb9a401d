"""Scheduler levels on the "You are the scheduler" page: pick a level, then be the scheduler of a
real program (demos.levels) until you reach its goal, or learn that a fixed version has none.

The level's threads run in the GUI process, like the counter game: they sit at their gates and
move only when a key or button releases one line, so they never compete for the GIL. A step that
gets stuck in a real lock or condition returns after the engine's short bound (tens of ms).
Progress (the levels won, the level on screen) is kept in the settings.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.lesson import heading, paragraph
from app.lessons.levels_board import MAX_THREADS, LevelBoard, source_html, status_text
from app.param_widgets import SettingCombo, SettingSlider
from demos.levels.catalog import LEVELS
from demos.levels.level import READY, Level
from demos.levels.play import Run, advance_exact, new_run, state_of
from demos.scenario import Param

SPEED = Param(
    "speed",
    int,
    2,
    1,
    10,
    unit="steps/s",
    caption="Auto-play s&peed",
    help="Steps per second when the winning schedule plays itself",
)
LEVEL = Param(
    "level",
    str,
    LEVELS[0].id,
    caption="Level",
    help="Which level to play (a tick marks the ones done)",
    choices=tuple(lv.id for lv in LEVELS),
)
GROUP = "challenges/levels"  # the level on screen and the speed are remembered under it
SOLVED_KEY = "levels/solved"
log = logging.getLogger(__name__)


class WheelScrollsPage(QObject):
    """The picker sits in a long scrolled panel: a wheel turned over it scrolls the panel, and
    changes the level only once the picker has the focus (clicked or tabbed to)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        parent = watched.parentWidget()
        if watched.hasFocus() or parent is None:
            return False
        return QCoreApplication.sendEvent(parent, event)


class LevelsPanel(QWidget):
    """The level picker, the board and the controls of one play."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.run: Run | None = None
        self.failed_tries = 0
        self._to_play: list[int] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._play_next)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Levels: break a real program"))
        layout.addWidget(
            paragraph(
                "Each level is a short Python program run by real threads (or coroutines), "
                "each stopped before its next line. Press 1, 2 or 3 on the program to let that "
                "thread run one line; reach the goal. U undoes a step, R restarts."
            )
        )
        self.picker = SettingCombo(LEVEL, settings, GROUP, {})
        self.picker.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not by the wheel alone
        self._wheel = WheelScrollsPage(self)
        self.picker.installEventFilter(self._wheel)
        layout.addWidget(self.picker)
        self.goal_label = paragraph("")
        layout.addWidget(self.goal_label)
        self.board = LevelBoard()
        self.board.stepRequested.connect(self.step)
        self.board.actionRequested.connect(self._action)
        layout.addWidget(self.board)
        self.status_labels: list[QLabel] = []
        self.step_buttons: list[QPushButton] = []
        buttons = QHBoxLayout()
        for i in range(MAX_THREADS):
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(label)
            self.status_labels.append(label)
            button = QPushButton(f"Step {i + 1}")
            button.setToolTip(f"Let thread {i + 1} run its next line (key {i + 1})")
            button.clicked.connect(lambda _c=False, i=i: self.step(i))
            buttons.addWidget(button)
            self.step_buttons.append(button)
        layout.addLayout(buttons)
        self.state_label = paragraph("")
        self.verdict_label = paragraph("")
        layout.addWidget(self.state_label)
        layout.addWidget(self.verdict_label)
        row = QHBoxLayout()
        self.undo_button = QPushButton("Undo (U)")
        self.undo_button.clicked.connect(self.undo)
        self.restart_button = QPushButton("Restart (R)")
        self.restart_button.clicked.connect(self.restart)
        self.play_button = QPushButton("Play the win (P)")
        self.play_button.setToolTip("Replay a winning schedule on fresh threads, step by step")
        self.play_button.clicked.connect(self.play_winning)
        for button in (self.undo_button, self.restart_button, self.play_button):
            row.addWidget(button)
        layout.addLayout(row)
        self.speed = SettingSlider(SPEED, settings, GROUP)
        layout.addWidget(self.speed)

        self._name_levels()
        self.picker.currentIndexChanged.connect(self._picked)
        self._picked(self.picker.currentIndex())
        self._focus_board = False  # the remembered level does not take the keys at start-up

    # ------------------------------------------------------------ progress
    def solved(self) -> set[str]:
        """Ids of the levels won (or, for a fixed level, played to the end)."""
        value = self.settings.value(SOLVED_KEY, "")
        known = {lv.id for lv in LEVELS}
        return {part for part in str(value).split(",") if part in known}

    def _mark_solved(self) -> None:
        done = self.solved() | {self.level.id}
        self.settings.setValue(SOLVED_KEY, ",".join(sorted(done)))
        self._name_levels()

    def _name_levels(self) -> None:
        """Number and title each level in the picker, ticked once done."""
        done = self.solved()
        for index, lv in enumerate(LEVELS):
            tick = "\u2713 " if lv.id in done else ""
            fixed = " (fixed)" if lv.fixed else ""
            self.picker.setItemText(index, f"{tick}{index + 1}. {lv.title}{fixed}")

    @property
    def level(self) -> Level:
        return LEVELS[max(self.picker.currentIndex(), 0)]

    def _picked(self, _index: int) -> None:
        self.stop()
        self.failed_tries = 0
        self._update()
        # A level just picked (in the list, or with --set level=ID) is played with keys at once.
        self._focus_board = True
        if self.isVisible():
            self._take_focus()

    def _take_focus(self) -> None:
        if self._focus_board:
            self._focus_board = False
            self.board.setFocus()
            QTimer.singleShot(0, self._show_board)  # once the panel is laid out

    def _show_board(self) -> None:
        """Scroll the side panel so the program that has the keys is on screen."""
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QScrollArea):
            widget = widget.parentWidget()
        if widget is not None:
            widget.ensureWidgetVisible(self.board)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Give the board the keys if a level was picked while the page was hidden."""
        super().showEvent(event)
        self._take_focus()

    # ------------------------------------------------------------ play
    def _action(self, name: str) -> None:
        {"undo": self.undo, "restart": self.restart, "play": self.play_winning}[name]()

    def _ensure_run(self) -> Run:
        if self.run is None:
            self.run = new_run(self.level)
        return self.run

    def step(self, index: int) -> None:
        """Release one line of thread ``index`` (a first key starts fresh threads)."""
        if self._timer.isActive():
            return
        run = self._ensure_run()
        if index >= run.threads or run.status(index) != READY or self._over(run):
            return
        run.step(index)
        self._after_step(run)

    def _over(self, run: Run) -> bool:
        view = run.view()
        return view.over or self.level.won(view)

    def _after_step(self, run: Run) -> None:
        view = run.view()
        if self.level.won(view):
            log.info("level %s won in %d steps", self.level.id, len(run.history))
            self._mark_solved()
        elif view.over:
            self.failed_tries += 1
            if self.level.fixed:
                self._mark_solved()  # seeing that no schedule wins is the point
        self._update()

    def restart(self) -> None:
        """Fresh threads at their first lines."""
        self._timer.stop()
        self.stop()
        self.run = new_run(self.level)
        self._update()

    def undo(self) -> None:
        """Fresh threads replay the schedule without its last step."""
        run = self.run
        if run is None or not run.history or self._timer.isActive():
            return
        schedule = [r.thread for r in run.history[:-1]]
        self.stop()
        self.run = fresh = new_run(self.level)
        advance_exact(fresh, schedule)
        self._update()

    def play_winning(self) -> None:
        """Restart, then let the known winning schedule play at the chosen speed."""
        if self.level.winning is None:
            return
        self.restart()
        self._to_play = [n - 1 for n in self.level.winning]
        self._timer.start(max(1, 1000 // self.speed.value()))
        self._update()

    def _play_next(self) -> None:
        run = self.run
        if run is None or not self._to_play:
            self._timer.stop()
            self._update()
            return
        index = self._to_play.pop(0)
        if run.status(index) == READY and not self._over(run):
            run.step(index)
            self._after_step(run)
        if not self._to_play:
            self._timer.stop()
            self._update()

    def stop(self) -> bool:
        """End the play's threads; True if they all ended."""
        self._timer.stop()
        self._to_play = []
        run, self.run = self.run, None
        return run.stop() if run is not None else True

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        """No level thread outlives the page on screen."""
        super().hideEvent(event)
        self.stop()
        self._update()

    # ------------------------------------------------------------ view
    def _update(self) -> None:
        lv, run = self.level, self.run
        calls = ", ".join(
            f"{i + 1}: <code>{html.escape(c)}</code>" for i, c in enumerate(lv.threads)
        )
        kind = "coroutines" if lv.kind == "coroutines" else "threads"
        self.goal_label.setText(f"<b>Goal:</b> {html.escape(lv.goal)}<br>The {kind}: {calls}")
        where = (
            [(run.line_of(i), run.status(i), run.waking(i)) for i in range(run.threads)]
            if run is not None
            else []
        )
        last = run.history[-1].line if run is not None and run.history else None
        self.board.show_program(source_html(lv, where, last))
        for i, label in enumerate(self.status_labels):
            shown = i < len(lv.threads)
            label.setVisible(shown)
            self.step_buttons[i].setVisible(shown)
            if not shown:
                continue
            status = run.status(i) if run is not None else READY
            line = run.line_of(i) if run is not None else None
            error = run.errors.get(i) if run is not None else None
            waking = run.waking(i) if run is not None else False
            label.setText(status_text(i, lv.threads[i], status, line, error, waking))
            self.step_buttons[i].setEnabled(
                status == READY and not self._timer.isActive() and not (run and self._over(run))
            )
        self.undo_button.setEnabled(bool(run and run.history) and not self._timer.isActive())
        self.play_button.setEnabled(lv.winning is not None)
        if run is None:
            self.state_label.setText("")
            self.verdict_label.setText("Click the program, then press 1, 2 or 3 to start.")
            return
        state = ", ".join(
            f"<code>{k} = {html.escape(repr(v))}</code>" for k, v in state_of(run).items()
        )
        self.state_label.setText(f"<b>State:</b> {state}")
        self.verdict_label.setText(self._verdict(run))

    def _verdict(self, run: Run) -> str:
        lv, view = self.level, run.view()
        steps = len(run.history)
        schedule = ",".join(str(r.thread + 1) for r in run.history) or "none yet"
        last = html.escape(run.history[-1].describe()) if run.history else ""
        said = f"Schedule: {schedule}<br>{last}"
        if lv.won(view):
            return f"{said}<br><b>Won in {steps} steps.</b> {html.escape(lv.lesson)}"
        if not view.over:
            return said
        if lv.fixed:
            return (
                f"{said}<br><b>No win.</b> {html.escape(lv.lesson)} The terminal twin tries every "
                f"schedule: <code>python -m demos.scheduler --search --level {lv.id}</code>"
            )
        return f"{said}<br><b>Not won.</b> Hint: {html.escape(lv.hint)} Press R to try again."
