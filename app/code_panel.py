"""The code panel: the real source of the scenario on screen, and its terminal twin's command.

Learners see exactly what runs (read from ``demos/`` with ``inspect``, not a copy), with the
worker functions marked, and can paste the command that runs the same thing in a terminal.
Where the lesson has a program of the deck (``demos.snippets``), the panel shows it as written
beside the instrumented version, and runs it unmodified in the console pane below.
"""

from __future__ import annotations

import importlib
import inspect
import shlex
from types import ModuleType
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
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
    QSplitter,
    QTabBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.palette import BLACK
from app.snippet_console import SnippetConsole
from demos import registry
from demos.snippets.registry import Snippet, snippet_for

CHANGE_DELAY_MS = 30  # a slider drag's many changes become one update
SNIPPET_STYLE = "friendly"
MARKED_NOTE = "Marked lines: the functions each worker runs."
AS_WRITTEN = 1  # the view bar's tab of the program as written


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
    return render_source(inspect.getsource(module), marked_lines(module))


def render_source(source: str, hl_lines: list[int] | None = None) -> str:
    """Python source as highlighted HTML with line numbers (``hl_lines`` marked)."""
    # Imported here: Pygments costs 15 ms, and most sessions never open the panel.
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    formatter = HtmlFormatter(
        style=SNIPPET_STYLE, noclasses=True, linenos="inline", hl_lines=hl_lines or []
    )
    # The style leaves plain names uncoloured: they would take the presenter's white text,
    # invisible on the style's light background. Give them the style's own ink.
    return f'<div style="color: {BLACK};">{highlight(source, PythonLexer(), formatter)}</div>'


class CodePanel(QDockWidget):
    """A dock with the scenario's source and its twin command; follows the current lesson."""

    def __init__(self, window: Any) -> None:
        super().__init__("Code", window)
        self.setObjectName("codePanel")
        self.window_ = window
        self._shown: tuple[str, str] | None = None
        self.shown_source = ""  # the exact text on screen (the source view adds line numbers)
        self.snippet: Snippet | None = None  # the lesson's program as written, if it has one
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
        self.note = QLabel(MARKED_NOTE)
        self.view_bar = QTabBar()
        # The instrumented version first: it is what Start runs, and what the command row runs.
        self.view_bar.addTab("What Start runs (instrumented)")
        self.view_bar.addTab("The program as written")
        self.view_bar.setAccessibleName("Which version of the code to show")
        self.view_bar.currentChanged.connect(lambda _index: self.update_view())
        self.view_note = QLabel()  # what the shown version is (the instrumentation's sentence)
        self.view_note.setWordWrap(True)
        self.console = SnippetConsole()
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
        layout.addWidget(self.view_bar)
        layout.addWidget(self.view_note)
        layout.addLayout(buttons)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.source)
        self.split.addWidget(self.console)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        layout.addWidget(self.split, 1)
        layout.addLayout(row)
        self._show_snippet_controls(False)
        self.setWidget(body)
        # No polling: the view follows the tab and the lesson's inputs by their signals.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHANGE_DELAY_MS)
        self._timer.timeout.connect(self.update_view)
        self._followed: set[int] = set()  # id() of the lessons whose inputs are connected
        window.tabs.currentChanged.connect(self._changed)
        self.visibilityChanged.connect(self._on_visibility)
        window.installEventFilter(self)  # the window closing ends a running program

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """End the console's program when the window closes (it never outlives the app)."""
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.console.shutdown()
        return False

    def _on_visibility(self, visible: bool) -> None:
        if visible:
            self.update_view()
        else:
            self._timer.stop()
            self.console.stop("code panel closed")

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
        own = getattr(lesson, "code_scenario", scenario)  # a page's own module, if it has one
        try:
            params = lesson.params()
            module = importlib.import_module(scenario)
            command = twin_command(module, params)
        except (ImportError, ValueError, TypeError, KeyError) as exc:
            self.source.setPlainText(f"No code to show for this lesson: {exc}")
            self.command.clear()
            return
        self._set_snippet(self._lesson_snippet(params))
        as_written = self.snippet is not None and self.view_bar.currentIndex() == AS_WRITTEN
        if as_written and self.snippet is not None:
            shown = "snippet:" + self.snippet.id
        elif self.snippet is not None:
            shown = self.snippet.instrumented
        else:
            shown = own
        if self._shown is None or self._shown[0] != shown:
            bar = self.source.verticalScrollBar()
            if as_written and self.snippet is not None:
                self.shown_source = self.snippet.source()
                self.source.setHtml(render_source(self.shown_source))
            else:
                shown_module = importlib.import_module(shown)
                self.shown_source = inspect.getsource(shown_module)
                self.source.setHtml(render(shown_module))
            bar.setValue(0)
            self._set_note(as_written)
        if self.command.text() != command:
            self.command.setText(command)
        self._shown = (shown, command)

    def _lesson_snippet(self, params: dict[str, Any]) -> Snippet | None:
        index = self.window_.tabs.currentIndex()
        if not 0 <= index < len(registry.LESSONS):
            return None
        snippet = snippet_for(registry.LESSONS[index].id, params)
        # A build without the programs' files (a packaged app) shows the instrumented code only.
        return snippet if snippet is not None and snippet.path.is_file() else None

    def _set_snippet(self, snippet: Snippet | None) -> None:
        """Follow the lesson's program: the toggle and console only where there is one."""
        if snippet == self.snippet:
            return
        self.snippet = snippet
        self.console.set_snippet(snippet)  # ends a run of another lesson's program
        self._show_snippet_controls(snippet is not None)

    def _show_snippet_controls(self, shown: bool) -> None:
        self.view_bar.setVisible(shown)
        self.view_note.setVisible(shown)
        self.console.setVisible(shown)

    def _set_note(self, as_written: bool) -> None:
        snippet = self.snippet
        self.note.setText("" if as_written else MARKED_NOTE)
        if snippet is None:
            self.view_note.clear()
        elif as_written:
            whose = "the deck's code" if snippet.origin == "deck" else "our example"
            self.view_note.setText(f"{snippet.path.name}: {whose}, exactly as it runs.")
        else:
            self.view_note.setText(snippet.instrumentation)

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
