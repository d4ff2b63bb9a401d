"""The window fits the screen it opens on: on a first start and with a remembered geometry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect

from app.main_window import MainWindow
from app.window_state import SCREEN_SHARE

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


def _open(qtbot) -> MainWindow:  # noqa: ANN001
    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _inside(window: MainWindow) -> bool:
    room: QRect = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if window.minimumSizeHint().width() > room.width() * SCREEN_SHARE:
        # This test screen (800 px offscreen) is narrower than the window's least width (about
        # 1140 px, which a 1280x720 projector holds: tests/window checks that on a real screen);
        # then at least the top left corner, with the title bar, stays on the screen.
        return room.contains(frame.topLeft())
    return room.contains(frame.topLeft()) and room.contains(frame.bottomRight())


def _fits(window: MainWindow) -> bool:
    room: QRect = window.screen().availableGeometry()
    least = window.minimumSizeHint()
    return window.width() <= max(room.width() * SCREEN_SHARE + 1, least.width()) and (
        window.height() <= max(room.height() * SCREEN_SHARE + 1, least.height())
    )


def test_first_start_takes_at_most_a_share_of_the_screen(qtbot, qloop) -> None:  # noqa: ANN001
    window = _open(qtbot)
    window.settings.remove("window/geometry")
    window.close()
    window = _open(qtbot)
    assert _fits(window), (window.size(), window.screen().availableGeometry())
    assert _inside(window)
    window.close()


def test_a_geometry_remembered_from_a_bigger_screen_is_clamped(qtbot, qloop) -> None:  # noqa: ANN001
    window = _open(qtbot)
    room = window.screen().availableGeometry()
    window.setMinimumSize(0, 0)
    window.setGeometry(room.width() * 2, room.height() * 2, room.width() * 3, room.height() * 3)
    window.close()  # saves the geometry, as on a 4K monitor
    assert window.settings.value("window/geometry") is not None
    window = _open(qtbot)
    assert _fits(window), (window.size(), room)
    assert _inside(window), (window.frameGeometry(), room)
    window.close()
