"""The board of a scheduler level: the program's source with each thread's next line marked, and
the keys that play it (1, 2, 3 step a thread, U undoes a step, R restarts, P plays the winning
schedule).

The board takes keyboard focus and claims its keys before any window shortcut sees them, so in
presenter mode, where digits jump between lessons, the digits step threads while the board has
focus.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.palette import BLACK, BLUE, GREY, STATE_COLOURS, VERMILLION, YELLOW
from demos.events import State
from demos.levels.level import BLOCKED, DONE, READY, Level

MAX_THREADS = 3
TAG_COLUMN_PX = 150  # room for three tags, so the panel keeps its width as threads move
ACTION_KEYS = {Qt.Key.Key_U: "undo", Qt.Key.Key_R: "restart", Qt.Key.Key_P: "play"}
STEP_KEYS = {Qt.Key.Key_1: 0, Qt.Key.Key_2: 1, Qt.Key.Key_3: 2}


def marker(thread: int, status: str, waking: bool) -> str:
    """The tag of a thread at its line: a filled background while it may step."""
    label = f"&#9664;&nbsp;{thread + 1}"
    if status == READY:
        note = " wakes" if waking else ""
        return (
            f'<span style="background: {YELLOW}; color: {BLACK};">&nbsp;{label}{note}&nbsp;</span>'
        )
    if status == BLOCKED:
        return f'<b style="color: {VERMILLION};">&nbsp;{label} blocked&nbsp;</b>'
    return f'<span style="color: {GREY};">&nbsp;{label}&nbsp;</span>'


def source_html(
    level: Level, where: list[tuple[int | None, str, bool]], last_line: int | None = None
) -> str:
    """The program as a table: line number, code, and the tags of the threads standing there.

    ``where`` holds (line, status, waking) per thread; ``last_line`` (the line the last step
    ran) gets a thin bar so the eye can follow the step that just happened.
    """
    rows = []
    for number, text in enumerate(level.source.splitlines(), 1):
        tags = [
            marker(i, status, waking)
            for i, (line, status, waking) in enumerate(where)
            if line == number and status != DONE
        ]
        code = html.escape(text).replace(" ", "&nbsp;") or "&nbsp;"
        bar = f' style="border-left: 3px solid {BLUE};"' if number == last_line else ""
        rows.append(
            f'<tr><td align="right" style="color: {GREY};">{number}&nbsp;</td>'
            f"<td{bar}><code>{code}</code></td>"
            f'<td width="{TAG_COLUMN_PX}">{"".join(tags)}</td></tr>'
        )
    return f"<table cellspacing=0 cellpadding=1>{''.join(rows)}</table>"


def status_text(
    thread: int, call: str, status: str, line: int | None, error: str | None, waking: bool = False
) -> str:
    """One line per thread under the board: what it runs and where it stands."""
    colour = {
        READY: STATE_COLOURS[State.READY],
        BLOCKED: STATE_COLOURS[State.BLOCKED],
        DONE: STATE_COLOURS[State.DONE],
    }.get(status, GREY)
    if status == DONE:
        where = f"raised {html.escape(error)}" if error else "returned"
    elif line is None:
        where = "waits for its first step"
    elif waking:
        where = f"woken at line {line}: its next step takes the lock back"
    else:
        where = f"{status} at line {line}"
    return (
        f'<span style="color: {colour};">&#9632;</span> <b>{thread + 1}</b> '
        f"<code>{html.escape(call)}</code>: {where}"
    )


class LevelBoard(QFrame):
    """The source of the level on play; focusable, it turns the game's keys into signals."""

    stepRequested = Signal(int)
    actionRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Level program: keys 1 2 3 step a thread, U undo, R restart")
        self.setToolTip("Click here, then: 1/2/3 step a thread, U undo, R restart, P play")
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)

    def show_program(self, text: str) -> None:
        self.label.setText(text)

    def _is_game_key(self, event: QKeyEvent) -> bool:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        key = Qt.Key(event.key())
        return plain and (key in STEP_KEYS or key in ACTION_KEYS)

    def event(self, event: QEvent) -> bool:
        # Claim the game's keys before window shortcuts (presenter digits) can take them.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self._is_game_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """1, 2, 3 step a thread; U, R, P undo, restart and play."""
        if not self._is_game_key(event):
            super().keyPressEvent(event)
            return
        key = Qt.Key(event.key())
        if key in STEP_KEYS:
            self.stepRequested.emit(STEP_KEYS[key])
        else:
            self.actionRequested.emit(ACTION_KEYS[key])
        event.accept()
