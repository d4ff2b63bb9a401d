"""Presenter mode driven by its keys: F5, clicker keys, B, N, Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


@pytest.fixture
def window(qtbot, qloop):  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.presenter.leave()
    win.close()


def test_f5_enters_and_esc_leaves_presenter_mode(window, qtbot) -> None:  # noqa: ANN001
    normal_size = QApplication.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presenter.active
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.menuBar().isVisible()
    assert QApplication.font().pointSizeF() == pytest.approx(normal_size * 1.75, rel=0.01)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presenter.active
    assert window.menuBar().isVisible()
    assert QApplication.font().pointSizeF() == pytest.approx(normal_size)


def test_clicker_keys_change_lessons_only_in_presenter_mode(window, qtbot) -> None:  # noqa: ANN001
    count = window.tabs.count()
    window.tabs.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.tabs.currentIndex() == 0, "outside presenter mode Page Down does nothing"
    window.presenter.enter()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.tabs.currentIndex() == 1 % count
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert window.tabs.currentIndex() == 0
    qtbot.keyClick(window, Qt.Key.Key_Left)  # wraps around to the last lesson
    assert window.tabs.currentIndex() == count - 1
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.tabs.currentIndex() == 0


def test_b_blanks_the_screen_and_n_shows_notes(window, qtbot) -> None:  # noqa: ANN001
    window.presenter.enter()
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert window.presenter.blank.isVisible()
    qtbot.waitUntil(lambda: window.presenter.blank.geometry() == window.rect(), timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert not window.presenter.blank.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert window.presenter.notes.isVisible()
    assert "GIL" in window.presenter.notes.text.toPlainText()
    qtbot.keyClick(window, Qt.Key.Key_N)
    assert not window.presenter.notes.isVisible()


def test_the_scale_is_applied_and_remembered(window, qtbot) -> None:  # noqa: ANN001
    window.presenter.enter()
    window.presenter.scale_slider.setValue(250)
    assert window.presenter.scale == pytest.approx(2.5)
    assert window.presenter.scale_label.text() == "2.50x"
    assert float(window.settings.value("presenter/scale")) == pytest.approx(2.5)
    window.presenter.scale_slider.setValue(175)


def test_slow_motion_stretches_sleeps() -> None:
    import time

    from demos.context import Control, WorkerContext
    from demos.transport import ListSink

    control = Control()
    control.set_time_scale(0.25)
    assert control.stretch == pytest.approx(4.0)
    control.clear()  # a new run keeps the setting
    assert control.stretch == pytest.approx(4.0)
    ctx = WorkerContext(0, ListSink(), control)
    t0 = time.perf_counter()
    ctx.sleep(0.05)
    assert time.perf_counter() - t0 >= 0.19
    control.set_time_scale(1.0)
    assert control.stretch == 1.0


def test_the_slow_motion_slider_reaches_the_lab(window) -> None:  # noqa: ANN001
    window.presenter.slow_slider.setValue(5)
    assert window.lab.control.stretch == pytest.approx(2.0)
    assert window.presenter.slow_label.text() == "speed 0.5x"
    window.presenter.slow_slider.setValue(10)
    assert window.lab.control.stretch == 1.0
