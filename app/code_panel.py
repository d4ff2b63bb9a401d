"""The code panel: the real source of the scenario on screen, and its terminal twin's command.

Learners see exactly what runs (read from ``demos/`` with ``inspect``, not a copy), with the
worker functions marked, and can paste the command that runs the same thing in a terminal.
"""

from __future__ import annotations

import importlib
import inspect
import shlex
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

CHANGE_DELAY_MS = 30  # a slider drag's many changes become one update
SNIPPET_STYLE = "friendly"


def twin_command(module: ModuleType, params: dict[str, Any]) -> str:
    """The terminal command for ``params``: the module's own ``twin_command`` if it has one,
    otherwise every parameter as ``--name value`` (True as a bare flag, False left out)."""
    own = getattr(module, "twin_command", None)
    if callable(own):
        return str(own(params))
    parts = ["python", "-m", module.__name__]
    for key, value in params.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            parts.append(flag)
        elif value is not False and value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def marked_lines(module: ModuleType) -> list[int]:
    """Line numbers (1-based, in the module) of its worker functions, to highlight."""
    names = getattr(module, "KEY_FUNCTIONS", None)
    functions = [
        obj
        for name, obj in vars(module).items()
        if inspect.isfunction(obj)
        and obj.__module__ == module.__name__
        and (name in names if names else name.endswith("_worker"))
    ]
    lines: list[int] = []
    for fn in functions:
        source, start = inspect.getsourcelines(fn)
        lines.extend(range(start, start + len(source)))
    return lines


def render(module: ModuleType) -> str:
    """The module's source as highlighted HTML with line numbers."""
    # Imported here: Pygments costs 15 ms, and most sessions never open the panel.
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    source = inspect.getsource(module)
    formatter = HtmlFormatter(
        style=SNIPPET_STYLE, noclasses=True, linenos="inline", hl_lines=marked_lines(module)
    )
    return highlight(source, PythonLexer(), formatter)


class CodePanel(QDockWidget):
    """A dock with the scenario's source and its twin command; follows the current lesson."""

    def __init__(self, window: Any) -> None:
        super().__init__("Code", window)
        self.setObjectName("codePanel")
        self.window_ = window
        self._shown: tuple[str, str] | None = None
        self.source = QTextBrowser()
        self.source.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.source.setAccessibleName("Source code of the running scenario")
        self.source.setToolTip("The real code of this lesson (Ctrl + / Ctrl - to zoom)")
        self.command = QLineEdit()
        self.command.setReadOnly(True)
        self.command.setAccessibleName("Terminal command for the current settings")
        copy_code = QPushButton("Copy code")
        copy_code.clicked.connect(lambda: self._copy(self.source.toPlainText()))
        copy_command = QPushButton("Copy command")
        copy_command.clicked.connect(lambda: self._copy(self.command.text()))
        zoom_in = QPushButton("A+")
        zoom_in.setToolTip("Larger code (Ctrl +)")
        zoom_in.clicked.connect(lambda: self.source.zoomIn(2))
        zoom_out = QPushButton("A-")
        zoom_out.setToolTip("Smaller code (Ctrl -)")
        zoom_out.clicked.connect(lambda: self.source.zoomOut(2))
        self.note = QLabel("Marked lines: the functions each worker runs.")
        row = QHBoxLayout()
        row.addWidget(QLabel("Same run in a terminal:"))
        row.addWidget(self.command, 1)
        row.addWidget(copy_command)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        for button in (zoom_out, zoom_in, copy_code):
            buttons.addWidget(button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(buttons)
        layout.addWidget(self.source, 1)
        layout.addLayout(row)
        self.setWidget(body)
        # No polling: the view follows the tab and the lesson's inputs by their signals.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHANGE_DELAY_MS)
        self._timer.timeout.connect(self.update_view)
        self._followed: set[int] = set()  # id() of the lessons whose inputs are connected
        window.tabs.currentChanged.connect(self._changed)
        self.visibilityChanged.connect(self._on_visibility)

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self.update_view()
        else:
            self._timer.stop()

    def _changed(self, *_args: object) -> None:
        if self.isVisible():
            self._timer.start()

    def _follow_inputs(self, lesson: QWidget) -> None:
        """Update when any input of ``lesson`` changes (its sliders, choices, switches)."""
        if id(lesson) in self._followed:
            return
        self._followed.add(id(lesson))
        for slider in lesson.findChildren(QAbstractSlider):
            slider.valueChanged.connect(self._changed)
        for spin in lesson.findChildren(QSpinBox):
            spin.valueChanged.connect(self._changed)
        for button in lesson.findChildren(QAbstractButton):
            button.toggled.connect(self._changed)
        for combo in lesson.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._changed)
        for listing in lesson.findChildren(QListWidget):
            listing.currentRowChanged.connect(self._changed)

    def update_view(self) -> None:
        """Show the current lesson's scenario and command (re-rendered only when they change)."""
        lesson = self.window_.current_lesson()
        self._follow_inputs(lesson)
        scenario = lesson.scenario
        shown = getattr(lesson, "code_scenario", scenario)  # a page's own module, if it has one
        try:
            module = importlib.import_module(scenario)
            command = twin_command(module, lesson.params())
            source = importlib.import_module(shown)
        except (ImportError, ValueError, TypeError, KeyError) as exc:
            self.source.setPlainText(f"No code to show for this lesson: {exc}")
            self.command.clear()
            return
        if self._shown is None or self._shown[0] != shown:
            bar = self.source.verticalScrollBar()
            self.source.setHtml(render(source))
            bar.setValue(0)
        if self.command.text() != command:
            self.command.setText(command)
        self._shown = (shown, command)

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.window_.statusBar().showMessage("Copied to the clipboard", 3000)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """Ctrl + and Ctrl - zoom the code."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.source.zoomIn(2)
                return
            if event.key() == Qt.Key.Key_Minus:
                self.source.zoomOut(2)
                return
        super().keyPressEvent(event)
