"""Speaker notes that never take the clicker away from the stage.

With one screen the notes are a panel docked under the stage (N shows and hides it): the stage
gives up some height, which its plots spare better than width, and nothing covers it. With a
second screen, in presenter mode, they fill that screen in a window of their own. Neither can
take the keyboard focus, so Page Down, Space and the other clicker keys keep reaching the lesson
whatever was opened last.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

DOCK_SHARE = 0.3  # of the window's height, for the docked panel
TITLE_PT, BODY_PT = 18, 16


class NotesView(QWidget):
    """A lesson's title and notes; the mouse scrolls them, the keyboard never lands here."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.set_point_size(BODY_PT)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        for widget in (self, self.title, self.text, self.text.viewport()):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def set_point_size(self, body: float) -> None:
        """Type size of the notes (the title a little larger)."""
        title_font = QFont()
        title_font.setPointSizeF(body * TITLE_PT / BODY_PT)
        title_font.setBold(True)
        self.title.setFont(title_font)
        body_font = QFont()
        body_font.setPointSizeF(body)
        self.text.setFont(body_font)

    def show_notes(self, title: str, html: str) -> None:
        """Put a lesson's notes up, scrolled to the top."""
        self.title.setText(title)
        self.text.setHtml(html)


class NotesWindow(QWidget):
    """The notes on a second screen: shown without activating, never given the focus."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setWindowTitle("Concurrency Lab - speaker notes")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view = NotesView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_on(self, screen: QScreen) -> None:
        """Fill ``screen`` (not the one the stage is on)."""
        self.setScreen(screen)
        self.setGeometry(screen.availableGeometry())
        self.show()


class SpeakerNotes:
    """Where the notes are shown, and the one switch (N) for them."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dock = QDockWidget("Speaker notes", window)
        self.dock.setObjectName("speakerNotesDock")
        self.dock.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.dock_view = NotesView()
        self.dock.setWidget(self.dock_view)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.window_view = NotesWindow()

    @property
    def text(self) -> QTextBrowser:
        """The notes text on show (the docked one unless the second screen has them)."""
        if self.window_view.isVisible():
            return self.window_view.view.text
        return self.dock_view.text

    def isVisible(self) -> bool:  # noqa: N802 - reads like the Qt widgets it stands for
        """Shown anywhere."""
        return self.dock.isVisible() or self.window_view.isVisible()

    def show_notes(self, title: str, html: str) -> None:
        """The current lesson's notes, in both places (only one is ever shown)."""
        self.dock_view.show_notes(title, html)
        self.window_view.view.show_notes(title, html)

    def show(self, presenting: bool) -> None:
        """On the second screen when presenting with one; otherwise the docked panel."""
        other = other_screen(self.window) if presenting else None
        if other is not None:
            self.dock.hide()
            self.window_view.show_on(other)
        else:
            self.window_view.hide()
            height = max(160, int(self.window.height() * DOCK_SHARE))
            self.dock.show()
            self.window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)
        self.window.activateWindow()  # belt and braces: the stage keeps the keyboard

    def hide(self) -> None:
        """Out of sight everywhere."""
        self.dock.hide()
        self.window_view.hide()

    def set_point_size(self, body: float) -> None:
        """Bigger notes in presenter mode."""
        self.dock_view.set_point_size(body)
        self.window_view.view.set_point_size(body)

    def close(self) -> None:
        """The window is closing: the notes window goes with it."""
        self.window_view.close()


def other_screen(window: QWidget) -> QScreen | None:
    """A screen that is not the one the window is on, if the machine has one."""
    here = window.screen()
    return next((s for s in QGuiApplication.screens() if s is not here), None)
