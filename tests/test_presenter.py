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


def test_notes_with_one_screen_are_a_panel_beside_the_stage(window, qtbot) -> None:  # noqa: ANN001
    window.presenter.enter()
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=3000)
    stage = window.centralWidget()
    height_before = stage.height()
    window.presenter.toggle_notes()
    notes = window.presenter.notes
    qtbot.waitUntil(lambda: notes.dock.isVisible() and stage.height() < height_before, timeout=3000)
    assert not notes.window_view.isVisible(), "one screen: no window over the stage"
    dock = notes.dock.geometry()
    assert not dock.intersects(stage.geometry()), "the panel takes room, it covers nothing"


def test_notes_never_take_the_keyboard(window, qtbot) -> None:  # noqa: ANN001
    window.presenter.enter()
    count = window.tabs.count()
    notes = window.presenter.notes
    window.presenter.toggle_notes()
    qtbot.waitUntil(notes.isVisible, timeout=3000)
    for widget in (notes.dock, notes.dock_view, notes.dock_view.text, notes.window_view):
        assert widget.focusPolicy() == Qt.FocusPolicy.NoFocus, widget
    focused = QApplication.focusWidget()
    assert focused is None or not notes.dock.isAncestorOf(focused)
    # A click on the notes (to scroll or select) must not take the keyboard either.
    qtbot.mouseClick(notes.dock_view.text.viewport(), Qt.MouseButton.LeftButton)
    assert not notes.dock_view.text.hasFocus()
    before = window.tabs.currentIndex()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.tabs.currentIndex() == (before + 1) % count
    assert notes.dock_view.title.text() == window.current_lesson().title, "notes follow the lesson"


def test_notes_go_to_a_second_screen_without_the_focus(window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    # One screen here: stand the window's own screen in for the second one.
    monkeypatch.setattr("app.presenter.other_screen", lambda _w: window.screen())
    monkeypatch.setattr("app.speaker_notes.other_screen", lambda _w: window.screen())
    window.presenter.enter()
    notes = window.presenter.notes
    qtbot.waitUntil(notes.window_view.isVisible, timeout=3000)  # shown on entering
    assert not notes.dock.isVisible()
    flags = notes.window_view.windowFlags()
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert notes.window_view.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert notes.window_view.screen() is window.screen()
    assert notes.window_view.size() == window.screen().availableGeometry().size()
    window.presenter.leave()
    assert not notes.window_view.isVisible(), "the second screen's notes end with the talk"


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


def test_after_presenter_mode_side_panels_have_their_normal_width(window, qtbot) -> None:  # noqa: ANN001
    window.tabs.setCurrentIndex(3)
    built_before = window.current_lesson()
    qtbot.waitUntil(lambda: built_before.side_scroll.width() > 0, timeout=3000)
    normal = built_before.side_scroll.width()
    window.presenter.enter()
    window.tabs.setCurrentIndex(4)  # a lesson first built in big type
    built_presenting = window.current_lesson()
    for tab in (built_before, built_presenting):  # both styled in the presenter's big type
        qtbot.waitUntil(
            lambda t=tab: (
                t.side_scroll.widget().font().resolveMask() != 0
                and t.side_scroll.widget().font().pointSizeF() > 12
            ),
            timeout=3000,
        )
    qtbot.waitUntil(
        lambda: built_before.side_scroll.minimumSizeHint().width() > normal, timeout=3000
    )
    window.presenter.leave()
    for index, tab in ((4, built_presenting), (3, built_before)):
        window.tabs.setCurrentIndex(index)  # a hidden tab is laid out when it is shown
        panel = tab.side_scroll
        # Fitted to the normal type: no wider than its content needs (or the base width).
        # and nothing cut at the right (the content fits the viewport, no sideways scrolling).
        qtbot.waitUntil(
            lambda p=panel: (
                p.width() == p.minimumSizeHint().width() < 1.2 * normal
                and p.widget().width() <= p.viewport().width()
            ),
            timeout=3000,
        )
        assert panel.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    # As wide as before presenter mode, give or take the base width's rounding to this screen.
    assert abs(built_before.side_scroll.width() - normal) <= 0.02 * normal


def test_a_scale_too_big_for_the_screen_steps_down_and_says_so(window, qtbot) -> None:  # noqa: ANN001
    window.presenter.enter()
    window.presenter.scale_slider.setValue(300)  # 3x on this 800x800 test screen
    presenter = window.presenter
    qtbot.waitUntil(lambda: presenter.scale < 3.0, timeout=5000)
    qtbot.waitUntil(lambda: "fits" in presenter.scale_label.text(), timeout=5000)
    room = window.screen().geometry()

    def fitted() -> bool:
        side = window.current_lesson().side_scroll.minimumSizeHint().width()
        need = window.minimumSizeHint()
        fits = need.width() <= room.width() and side <= 0.45 * room.width()
        return fits or presenter.scale == 1.0

    qtbot.waitUntil(fitted, timeout=5000)
    assert presenter.chosen == pytest.approx(3.0), "the speaker's choice is kept"
    key = f"presenter/scale/{room.width()}x{room.height()}"
    assert float(window.settings.value(key)) == pytest.approx(3.0), "remembered per screen size"
    assert f"{presenter.scale:.2f}x" in presenter.scale_label.text()


def test_closed_while_presenting_the_normal_geometry_is_remembered(qtbot, qloop) -> None:  # noqa: ANN001
    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    normal = window.saveGeometry()
    window.presenter.enter()
    qtbot.waitUntil(window.isFullScreen, timeout=3000)
    assert window.saveGeometry() != normal, "full screen has a geometry of its own"
    window.close()
    # The next start opens as a normal window, not full screen without presenter mode.
    assert window.settings.value("window/geometry") == normal


def _widgets(layout) -> list:  # noqa: ANN001
    items = (layout.itemAt(i) for i in range(layout.count()))
    return [item.widget() for item in items if item.widget() is not None]


@pytest.mark.parametrize("index", [3, 5, 6])  # Multithreading, Challenges, Primitives
def test_presenting_puts_controls_before_the_explanation(window, qtbot, index) -> None:  # noqa: ANN001
    window.tabs.setCurrentIndex(index)
    lesson = window.current_lesson()
    blocks = lesson._prose
    assert blocks, "every lesson opens with an explanation"
    before = [_widgets(layout) for layout, _start, _prose in blocks]
    window.presenter.enter()
    for layout, _start, prose in blocks:
        order = _widgets(layout)
        controls = [w for w in order if w not in prose and order.index(w) > 0]
        assert controls, "something to set comes with the text"
        assert max(order.index(w) for w in controls) < min(order.index(w) for w in prose)
    window.presenter.leave()
    assert [_widgets(layout) for layout, _start, _prose in blocks] == before
