"""The timeline widget: lanes, one item per state, follow mode, tooltips, rasterising, marks."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication

from app.palette import STATE_COLOURS
from app.timeline import TimelineWidget
from demos.events import Kind, Lane, Mark, State
from demos.intervals import IntervalStore

pytestmark = [
    pytest.mark.timeout(60),
    # The offscreen platform says these when a top-level window or a tooltip is shown.
    pytest.mark.qt_log_ignore("does not support propagateSizeHints", "does not support raise"),
]

T0 = 5_000_000_000  # an arbitrary perf_counter_ns origin
S = 1_000_000_000  # one second in ns
CYCLE = (State.RUNNING, State.WAITING, State.BLOCKED)


def _store_with_lanes(n_lanes: int) -> IntervalStore:
    store = IntervalStore()
    for lane_id in range(n_lanes):
        store.add_lane(Lane(lane_id, Kind.THREAD, f"Thread-{lane_id}", 1000 + lane_id))
    return store


def _fill(store: IntervalStore, n_lanes: int, segments: int, span_ns: int, first_lane: int = 0):
    """``segments`` intervals cycling RUNNING/WAITING/BLOCKED, spread evenly over ``span_ns``."""
    per_lane = segments // n_lanes
    times = np.linspace(0, span_ns, per_lane, endpoint=False).astype(np.int64)
    events = [
        (T0 + int(t), first_lane + lane, int(CYCLE[step % 3]), "work")
        for step, t in enumerate(times.tolist())
        for lane in range(n_lanes)
    ]
    store.add_events(events)


def _make(qtbot, store: IntervalStore, size: tuple[int, int] = (1200, 700)) -> TimelineWidget:
    widget = TimelineWidget(store)
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _bars(widget: TimelineWidget, state: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left edge, width, row) of the bars drawn for one state."""
    opts = widget._bars[state].opts
    count = len(np.atleast_1d(opts["y"]))
    x0 = np.broadcast_to(np.asarray(opts["x0"], dtype=float), (count,))
    width = np.broadcast_to(np.asarray(opts["width"], dtype=float), (count,))
    return x0, width, np.asarray(opts["y"], dtype=float)


def _covers(widget: TimelineWidget, state: State, row: int, x_s: float) -> bool:
    x0, width, rows = _bars(widget, state)
    return bool(np.any((rows == row) & (x0 <= x_s) & (x0 + width >= x_s)))


def _two_phase_lane(store: IntervalStore, lane_id: int) -> None:
    """RUNNING for [0, 1 s], WAITING for [1 s, 2 s], then DONE."""
    store.add_events(
        [
            (T0, lane_id, int(State.RUNNING), "step 1"),
            (T0 + S, lane_id, int(State.WAITING), "sleep(1)"),
            (T0 + 2 * S, lane_id, int(State.DONE), "returned 42"),
        ]
    )


def test_lanes_appear_with_labels(qtbot):
    store = _store_with_lanes(3)
    _fill(store, 3, 30, S)
    widget = _make(qtbot, store)
    widget.refresh(T0 + S)
    ticks = widget.lane_ticks()
    assert [row for row, _ in ticks] == [0.0, 1.0, 2.0]
    assert ticks[1][1] == "Thread-1 · thread 1001"
    # Row 0 is at the top: the y axis is inverted and spans exactly the lanes.
    assert widget.view_box.yInverted()
    assert widget.view_box.viewRange()[1] == pytest.approx([-0.5, 2.5])


def test_many_lanes_thin_their_labels(qtbot):
    store = _store_with_lanes(65)
    _fill(store, 65, 650, S)
    widget = _make(qtbot, store, size=(900, 400))
    widget.refresh(T0 + S)
    ticks = widget.lane_ticks()
    assert 1 < len(ticks) < 65
    assert ticks[0] == (0.0, "Thread-0 · thread 1000")


@pytest.mark.parametrize("segments", [10, 10_000])
def test_item_count_does_not_grow_with_segments(qtbot, segments):
    store = _store_with_lanes(2)
    _fill(store, 2, segments, 4 * S)
    widget = _make(qtbot, store)
    widget.refresh(T0 + 4 * S)
    bar_items = [item for item in widget.plot.items if isinstance(item, pg.BarGraphItem)]
    assert len(bar_items) == len(State)
    assert len(widget.plot.items) == len(State)  # and nothing else per segment
    drawn = sum(len(_bars(widget, state)[2]) for state in CYCLE)
    assert drawn > 0


def test_follow_turns_off_on_manual_zoom_and_back_on(qtbot):
    store = _store_with_lanes(1)
    _fill(store, 1, 300, 30 * S)
    widget = _make(qtbot, store)
    widget.refresh(T0 + 30 * S)
    assert widget.follow
    assert widget.follow_button.isChecked()
    assert widget.view_box.viewRange()[0] == pytest.approx([20.0, 30.0])

    viewport = widget.plot_widget.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    wheel = QWheelEvent(
        centre,
        QPointF(viewport.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    with qtbot.waitSignal(widget.followChanged, timeout=2000) as blocker:
        QApplication.sendEvent(viewport, wheel)
    assert blocker.args == [False]
    assert not widget.follow
    assert not widget.follow_button.isChecked()
    zoomed = widget.view_box.viewRange()[0]
    assert zoomed[1] - zoomed[0] < 10.0

    widget.refresh(T0 + 35 * S)  # not following: "now" moving does not scroll the view
    assert widget.view_box.viewRange()[0] == pytest.approx(zoomed)

    with qtbot.waitSignal(widget.followChanged, timeout=2000) as blocker:
        widget.set_follow(True)
    assert blocker.args == [True]
    widget.refresh(T0 + 35 * S)
    assert widget.view_box.viewRange()[0] == pytest.approx([25.0, 35.0])


def test_follow_shows_from_zero_while_the_run_is_short(qtbot):
    store = _store_with_lanes(1)
    _fill(store, 1, 3, 3 * S)
    widget = _make(qtbot, store)
    widget.refresh(T0 + 3 * S)
    assert widget.view_box.viewRange()[0] == pytest.approx([0.0, 3.0])


def test_describe_at_names_state_duration_and_detail(qtbot):
    store = _store_with_lanes(2)
    _two_phase_lane(store, 1)
    widget = _make(qtbot, store)
    widget.refresh(T0 + 3 * S)
    running = widget.describe_at(0.5, 1)
    assert running is not None
    assert "Thread-1" in running
    assert "RUNNING" in running
    assert "1 s" in running
    assert "step 1" in running
    waiting = widget.describe_at(1.5, 1)
    assert waiting is not None
    assert "WAITING" in waiting
    assert "sleep(1)" in waiting
    done = widget.describe_at(2.5, 1)
    assert done is not None
    assert "DONE" in done
    assert "returned 42" in done
    assert widget.describe_at(0.5, 0) is None  # lane 0 has no events
    assert widget.describe_at(0.5, 7) is None  # no such lane


def test_exact_bars_for_few_segments(qtbot):
    store = _store_with_lanes(1)
    _two_phase_lane(store, 0)
    widget = _make(qtbot, store)
    widget.set_follow(False)
    widget.view_box.setXRange(0.0, 3.0, padding=0)
    widget.refresh(T0 + 3 * S)
    x0, width, rows = _bars(widget, State.RUNNING)
    assert x0.tolist() == pytest.approx([0.0])
    assert width.tolist() == pytest.approx([1.0])
    assert rows.tolist() == [0.0]
    assert _covers(widget, State.WAITING, 0, 1.5)
    done_x0, done_width, _ = _bars(widget, State.DONE)
    assert len(done_x0) == 1
    assert done_x0[0] < 2.0 < done_x0[0] + done_width[0]  # a thin marker centred on the moment


def _pixel(widget: TimelineWidget, image, x_s: float, row: int) -> QColor:
    """The colour drawn at data point (x_s, row) in a grab of the plot widget."""
    scene_point = widget.view_box.mapViewToScene(QPointF(x_s, row))
    point = widget.plot_widget.mapFromScene(scene_point)
    point = widget.plot_widget.viewport().mapTo(widget.plot_widget, point)
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))


def test_rasterised_200k_segments(qtbot):
    n_lanes = 20
    store = _store_with_lanes(n_lanes + 1)
    _two_phase_lane(store, 0)
    _fill(store, n_lanes, 200_000, 2 * S, first_lane=1)
    assert store.count > 200_000
    widget = _make(qtbot, store)
    widget.set_follow(False)
    widget.view_box.setXRange(0.0, 2.0, padding=0)
    widget.refresh(T0 + 2 * S)

    width_px = int(widget.view_box.width())
    drawn = sum(len(_bars(widget, state)[2]) for state in State)
    assert 0 < drawn <= (n_lanes + 1) * width_px
    # Lane 0 is RUNNING on the left and WAITING on the right, whatever the raster did.
    assert _covers(widget, State.RUNNING, 0, 0.5)
    assert not _covers(widget, State.WAITING, 0, 0.5)
    assert _covers(widget, State.WAITING, 0, 1.5)
    assert not _covers(widget, State.RUNNING, 0, 1.5)
    # The dense lanes show all three of their states.
    for state in CYCLE:
        assert np.any(_bars(widget, state)[2] >= 1)

    image = widget.plot_widget.grab().toImage()
    assert _pixel(widget, image, 0.5, 0) == QColor(STATE_COLOURS[State.RUNNING])
    assert _pixel(widget, image, 1.5, 0) == QColor(STATE_COLOURS[State.WAITING])


def test_marks_appear_incrementally(qtbot):
    store = _store_with_lanes(1)
    _two_phase_lane(store, 0)
    store.add_mark(Mark(T0 + S, "join() returned after 1.0 s"))
    widget = _make(qtbot, store)
    widget.refresh(T0 + 3 * S)
    lines = [item for item in widget.plot.items if isinstance(item, pg.InfiniteLine)]
    assert len(lines) == 1
    assert lines[0].value() == pytest.approx(1.0)
    assert "join() returned" in lines[0].label.toPlainText()
    first = lines[0]

    store.add_mark(Mark(T0 + 2 * S, "cancel asked"))
    widget.refresh(T0 + 3 * S)
    lines = [item for item in widget.plot.items if isinstance(item, pg.InfiniteLine)]
    assert len(lines) == 2
    assert first in lines  # the old line was kept, not rebuilt
    assert sorted(line.value() for line in lines) == pytest.approx([1.0, 2.0])


def test_clear_resets_lanes_bars_and_marks(qtbot):
    store = _store_with_lanes(2)
    _two_phase_lane(store, 0)
    store.add_mark(Mark(T0 + S, "join"))
    widget = _make(qtbot, store)
    widget.refresh(T0 + 3 * S)
    store.clear()
    widget.clear()
    widget.refresh(T0 + 4 * S)
    assert widget.lane_ticks() == []
    assert all(len(_bars(widget, state)[2]) == 0 for state in State)
    assert not [item for item in widget.plot.items if isinstance(item, pg.InfiniteLine)]
    assert widget.describe_at(0.5, 0) is None


def test_scale_and_dark_theme(qtbot):
    store = _store_with_lanes(1)
    widget = _make(qtbot, store)
    axis = widget.plot.getAxis("left")
    assert axis.style["tickFont"].pointSizeF() >= 10
    widget.set_scale(2.0)
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(20.0)
    widget.set_dark(True)
    assert widget.plot_widget.backgroundBrush().color().lightness() < 64
    widget.set_dark(False)
    assert widget.plot_widget.backgroundBrush().color() == QColor("white")


def test_refresh_is_skipped_when_nothing_changed(qtbot, monkeypatch):
    store = _store_with_lanes(1)
    _two_phase_lane(store, 0)
    widget = _make(qtbot, store)
    widget.set_follow(False)
    widget.view_box.setXRange(0.0, 3.0, padding=0)
    calls = []
    original = widget._draw
    monkeypatch.setattr(widget, "_draw", lambda *args: (calls.append(args), original(*args)))
    widget.refresh(T0 + 3 * S)
    widget.refresh(T0 + 3 * S)
    widget.refresh(T0 + 3 * S)
    assert len(calls) == 1
    store.add_events([(T0 + 3 * S, 0, int(State.RUNNING), "again")])
    widget.refresh(T0 + 3 * S)
    assert len(calls) == 2


def test_hover_shows_the_interval_under_the_cursor(qtbot):
    store = _store_with_lanes(1)
    _two_phase_lane(store, 0)
    widget = _make(qtbot, store)
    widget.set_follow(False)
    widget.view_box.setXRange(0.0, 3.0, padding=0)
    widget.refresh(T0 + 3 * S)
    widget._on_mouse_moved(widget.view_box.mapViewToScene(QPointF(0.5, 0.0)))
    qtbot.waitUntil(lambda: widget._last_tip is not None, timeout=2000)
    assert "RUNNING" in widget._last_tip
    assert "step 1" in widget._last_tip
