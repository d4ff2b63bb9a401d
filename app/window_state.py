"""The window's remembered place: geometry, docks and the last lesson, by its id."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QTabWidget

from app.settings import read_bytes, read_choice

DEFAULT_SIZE = (1400, 860)
SCREEN_SHARE = 0.92  # of the available screen, when the default would not fit


def restore_window(
    window: QMainWindow, settings: QSettings, tabs: QTabWidget, lesson_ids: list[str]
) -> None:
    """Put the window back as it was; on a first start, a size that fits the screen."""
    geometry = read_bytes(settings, "window/geometry")
    if geometry is not None and window.restoreGeometry(geometry):
        clamp_to_screen(window)  # saved on a bigger screen (a 4K monitor, then a projector)
    else:
        width, height = DEFAULT_SIZE
        screen = window.screen()
        if screen is not None:  # a 1366x768 laptop or a 1280x720 projector: stay inside it
            room = screen.availableGeometry()
            width = min(width, int(room.width() * SCREEN_SHARE))
            height = min(height, int(room.height() * SCREEN_SHARE))
        window.resize(width, height)
    # By id, not by index: the tab order may change between versions.
    last = read_choice(settings, "window/last_lesson", "", tuple(lesson_ids))
    if last:
        tabs.setCurrentIndex(lesson_ids.index(last))
    state = read_bytes(settings, "window/state")
    if state is not None:
        window.restoreState(state)  # docks: the code panel open or closed, where


def clamp_to_screen(window: QMainWindow) -> None:
    """Keep a restored window inside the available area of the screen it opens on."""
    screen = window.screen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    room = screen.availableGeometry()
    width = min(window.width(), int(room.width() * SCREEN_SHARE))
    height = min(window.height(), int(room.height() * SCREEN_SHARE))
    if (width, height) == (window.width(), window.height()):
        return  # Qt's restoreGeometry has already put a window that fits on the screen
    # Shrunk: centre it, which leaves room for the frame the window manager adds.
    window.resize(width, height)
    window.move(room.x() + (room.width() - width) // 2, room.y() + (room.height() - height) // 2)


def save_window(
    window: QMainWindow, settings: QSettings, tabs: QTabWidget, lesson_ids: list[str]
) -> None:
    """Geometry, docks and the lesson on screen."""
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/last_lesson", lesson_ids[tabs.currentIndex()])
    settings.sync()
