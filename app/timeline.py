"""The live timeline: one lane per worker, one coloured bar per state interval.

Drawing uses exactly one graphics item per state colour whatever the number of intervals. When
many intervals are visible they are rasterised first to at most one bar per lane and pixel column
(all in numpy), so a frame stays cheap at a million intervals.

The rasteriser, the legend and the mark lines have their own modules (``app.timeline_raster``,
``app.timeline_legend``, ``app.timeline_marks``); this one draws the bars and owns the view.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QTimer, Signal
from PySide6.QtGui import QCursor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.palette import STATE_COLOURS
from app.timeline_bars import StateBars
from app.timeline_labels import describe_after_end, fmt_duration, lane_label
from app.timeline_legend import StateLegend
from app.timeline_marks import MarkLines, mark_pen
from app.timeline_raster import FIRST_TERMINAL, rasterise
from demos.events import TERMINAL_STATES, State
from demos.intervals import OPEN, IntervalStore

WINDOW_S = 10.0  # follow mode shows this many seconds up to "now"
EXACT_LIMIT = 5000  # below this many visible intervals, draw them exactly (no rasterising)
BAR_HEIGHT = 0.7  # in lane units (a lane is 1.0 tall)
TERMINAL_PX = 3.0  # width of a terminal-state marker in pixels
# Follow mode draws open intervals this far past "now": while only time passes, the view scrolls
# over bars that stand still, and no bar is set again until an event arrives.
FOLLOW_HORIZON_S = 5.0
HOVER_DELAY_MS = 80  # tooltip throttle: at most one lookup per this period while moving
BASE_FONT_PT = 10.0
_LIGHT = ("w", "k")  # (background, foreground)
_DARK = ("#202124", "#E8EAED")


class TimelineWidget(QWidget):
    """Lanes of state bars over time, with follow-now, marks, a legend and hover tooltips."""

    followChanged = Signal(bool)

    def __init__(self, store: IntervalStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._follow = True
        self._window_s = WINDOW_S
        self._scale = 1.0
        self._dark = False
        self._now_ns = time.perf_counter_ns()
        self._drawn_key: tuple | None = None
        self._exact, self._horizon_s, self._open_end_ns = False, 0.0, 0  # see FOLLOW_HORIZON_S
        self._lanes_key: tuple | None = None
        self._seen_version = -1
        self._hover_pos: QPointF | None = None
        self._last_tip: str | None = None
        self._lane_ticks: list[tuple[float, str]] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        header = QHBoxLayout()
        header.setContentsMargins(4, 2, 4, 0)
        self.legend = StateLegend(self)
        header.addWidget(self.legend)
        header.addStretch(1)
        self.follow_button = QToolButton(self)
        self.follow_button.setText("Follow now (F)")
        self.follow_button.setCheckable(True)
        self.follow_button.setChecked(True)
        self.follow_button.setToolTip("Keep the newest seconds in view; pan or zoom to stop")
        self.follow_button.toggled.connect(self.set_follow)
        header.addWidget(self.follow_button)
        layout.addLayout(header)

        self.plot_widget = pg.PlotWidget(parent=self, background=_LIGHT[0])
        self.plot_widget.setAntialiasing(False)  # crisp bar edges, and faster
        layout.addWidget(self.plot_widget, 1)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.view_box = self.plot.getViewBox()
        self.view_box.setMouseEnabled(x=True, y=False)
        self.view_box.invertY(True)  # row 0 at the top
        self.view_box.disableAutoRange()
        self.view_box.setXRange(0.0, self._window_s, padding=0)
        self.view_box.setYRange(-0.5, 0.5, padding=0)
        self._marks = MarkLines(self.plot)
        self.view_box.sigRangeChangedManually.connect(self._on_manual_range)
        self.plot.setLabel("bottom", "time since start (s)")
        # Seconds stay seconds: no "(x0.001)" rescaling of the axis when zoomed in. Numbers on
        # major ticks only: this axis is laid out again at every frame while it scrolls. The
        # hidden top axis scrolls too, and with the prefix on it set its label at every frame.
        for name in ("bottom", "top", "left", "right"):
            self.plot.getAxis(name).enableAutoSIPrefix(False)
        self.plot.getAxis("bottom").setStyle(maxTickLevel=1, maxTextLevel=0)

        # One item per state: intervals of one colour share one array-backed item.
        self._bars: dict[State, StateBars] = {}
        for state in State:
            item = StateBars(x0=np.zeros(0), width=np.zeros(0), y=np.zeros(0), height=BAR_HEIGHT)
            item.setZValue(10 if state in TERMINAL_STATES else 0)  # markers over bars
            self.plot.addItem(item)
            self._bars[state] = item
        self._apply_pens()

        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_DELAY_MS)
        self._hover_timer.timeout.connect(self._show_hover)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # Between runs nobody calls refresh(): a resize, pan or zoom redraws at the last "now".
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.timeout.connect(lambda: self.refresh(self._now_ns))
        self.set_scale(1.0)

    # ------------------------------------------------------------ public API
    @property
    def follow(self) -> bool:
        """True while the x range scrolls with "now"."""
        return self._follow

    def set_follow(self, on: bool) -> None:
        """Turn follow-now on or off (off also happens on any manual pan or zoom)."""
        on = bool(on)
        if on == self._follow:
            return
        self._follow = on
        self.follow_button.blockSignals(True)
        self.follow_button.setChecked(on)
        self.follow_button.blockSignals(False)
        self.followChanged.emit(on)

    def set_window(self, seconds: float) -> None:
        """How many seconds follow mode shows."""
        self._window_s = max(1e-3, float(seconds))

    def refresh(self, now_ns: int | None = None) -> None:
        """Redraw if the store, the view or (in follow mode, or with now in view) "now" moved."""
        store = self._store
        self._now_ns = time.perf_counter_ns() if now_ns is None else int(now_ns)
        if store.version < self._seen_version:
            self.clear()  # the store was cleared behind our back
        self._seen_version = store.version
        self._update_lanes()
        if store.t0_ns is None:
            return
        now_s = (self._now_ns - store.t0_ns) / 1e9
        if self._follow:
            x_max = max(now_s, 1e-3)
            self.view_box.setXRange(max(0.0, x_max - self._window_s), x_max, padding=0)
            self.view_box.prepareForPaint()  # now: done during the paint, it asks for another
        font = QFont(self.font())
        font.setPointSizeF(BASE_FONT_PT * self._scale)
        self._marks.update(self._store, self._mark_pen(), self._colours()[1], font)
        (x0_s, x1_s), _ = self.view_box.viewRange()
        width_px = max(1, int(self.view_box.width()))
        dx_s = (x1_s - x0_s) / width_px
        # "now" only matters while it is in view: open intervals grow up to it.
        now_col = int((now_s - x0_s) / dx_s) if x0_s <= now_s <= x1_s + dx_s else None
        key: tuple = (store.version, store.t0_ns, x0_s, x1_s, width_px, now_col, self._follow)
        if self._follow and self._exact and now_s < self._horizon_s:
            key = (store.version, store.t0_ns, width_px, self._window_s)  # only the view moves
        if key == self._drawn_key:
            return
        self._drawn_key = key
        horizon_s = FOLLOW_HORIZON_S if self._follow else 0.0
        self._horizon_s, self._open_end_ns = now_s + horizon_s, self._now_ns + int(horizon_s * 1e9)
        self._exact = self._draw(x0_s, x1_s, width_px)

    def clear(self) -> None:
        """Forget lanes, bars and marks (call after ``store.clear()``)."""
        self._marks.clear()
        for item in self._bars.values():
            item.setOpts(x0=np.zeros(0), width=np.zeros(0), y=np.zeros(0))
        self._lanes_key = None
        self._drawn_key = None
        self._seen_version = self._store.version
        self._lane_ticks = []
        self.plot.getAxis("left").setTicks([[], []])
        self.view_box.setXRange(0.0, self._window_s, padding=0)
        self.view_box.setYRange(-0.5, 0.5, padding=0)

    def describe_at(self, x_s: float, row: int) -> str | None:
        """Tooltip text for lane ``row`` at ``x_s`` seconds since start, or None if empty."""
        store = self._store
        if store.t0_ns is None or not 0 <= row < len(store.lanes):
            return None
        t_ns = store.t0_ns + int(round(x_s * 1e9))
        hit = store.interval_at(row, t_ns, self._now_ns)
        lane = lane_label(store, row)
        if hit is None:
            return describe_after_end(store, row, t_ns, lane)
        state, start, end, detail = hit
        text = f"{lane}\n{state.name} for {fmt_duration((end - start) / 1e9)}"
        return f"{text}\n{detail}" if detail else text

    def lane_ticks(self) -> list[tuple[float, str]]:
        """The labelled rows on the left axis as (row, label), for tests and tools."""
        return list(self._lane_ticks)

    def drawn_bars(self) -> dict[State, int]:
        """How many bars of each state colour are drawn now, for tests and tools."""
        return {state: len(item.opts["x0"]) for state, item in self._bars.items()}

    def view_range_s(self) -> tuple[float, float]:
        """The seconds (since the run's start) the timeline shows, left to right."""
        (x0_s, x1_s), _ = self.view_box.viewRange()
        return float(x0_s), float(x1_s)

    def set_scale(self, factor: float) -> None:
        """Scale fonts and line widths (presenter mode uses 1.0 to 3.0)."""
        self._scale = max(0.5, float(factor))
        font = QFont(self.font())
        font.setPointSizeF(BASE_FONT_PT * self._scale)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        self.legend.set_scale(self._scale, font)
        self.follow_button.setFont(font)
        self._marks.set_font(font)
        self._apply_pens()
        self._lanes_key = None  # axis width and label thinning depend on the font
        self._drawn_key = None
        self._update_lanes()

    def set_dark(self, on: bool) -> None:
        """Dark background with light text, or (default) the light theme."""
        self._dark = bool(on)
        self.plot_widget.setBackground(self._colours()[0])
        self._apply_pens()

    # ------------------------------------------------------------ internals
    def _colours(self) -> tuple[str, str]:
        return _DARK if self._dark else _LIGHT

    def _apply_pens(self) -> None:
        """Pens that depend on theme and scale."""
        fg = self._colours()[1]
        width = self._scale
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(fg, width=width))
            axis.setTextPen(pg.mkPen(fg))
        for state, item in self._bars.items():
            # FAILED is black: its red outline keeps it visible on a dark background too.
            pen = pg.mkPen("#D00000", width=width) if state is State.FAILED else pg.mkPen(None)
            item.setOpts(pen=pen, brush=pg.mkBrush(STATE_COLOURS[state]))
        self._marks.restyle(self._mark_pen(), fg)

    def _mark_pen(self) -> object:
        return mark_pen(self._colours()[1], self._scale)

    def _update_lanes(self) -> None:
        """Left-axis labels at row centres, thinned so they never overlap."""
        store = self._store
        height_px = int(self.view_box.height())
        key = (tuple(store.lanes), height_px, self._scale)
        if key == self._lanes_key:
            return
        self._lanes_key = key
        n = len(store.lanes)
        axis = self.plot.getAxis("left")
        labels = [lane_label(store, row) for row in range(n)]
        metrics = QFontMetrics(axis.style["tickFont"] or self.font())
        step = max(1, math.ceil(n * metrics.height() / max(height_px, 1))) if n else 1
        self._lane_ticks = [(float(row), labels[row]) for row in range(0, n, step)]
        axis.setTicks([self._lane_ticks, []])
        widest = max((metrics.horizontalAdvance(text) for text in labels), default=40)
        axis.setWidth(min(widest + 12, int(320 * self._scale)))
        self.view_box.setYRange(-0.5, max(n, 1) - 0.5, padding=0)

    def _draw(self, x0_s: float, x1_s: float, width_px: int) -> bool:
        """Fill the per-state items with the intervals visible in [x0_s, x1_s]; True if each
        interval was drawn as itself (not rasterised to the view's pixel columns)."""
        store = self._store
        n = store.count
        t0 = store.t0_ns
        if t0 is None:  # nothing recorded yet (refresh does not call us then)
            return False
        x0_ns, x1_ns = t0 + int(x0_s * 1e9), t0 + int(math.ceil(x1_s * 1e9))
        start_all, end_all = store.start_ns[:n], store.end_ns[:n]
        # Clip to the view ourselves: open intervals (end OPEN) reach "now".
        visible = (start_all <= x1_ns) & ((end_all >= x0_ns) | (end_all == OPEN))
        n_visible = int(np.count_nonzero(visible))
        dx_s = (x1_s - x0_s) / width_px
        if n_visible <= EXACT_LIMIT:
            self._draw_exact(np.flatnonzero(visible), dx_s)
            return True
        if n_visible == n:  # the whole run is in view: skip the copies
            start, rows, states = start_all, store.row[:n], store.state[:n]
        else:
            idx = np.flatnonzero(visible)
            start, rows, states = start_all[idx], store.row[:n][idx], store.state[:n][idx]
        now_col = int(math.floor((self._now_ns - x0_ns) / (dx_s * 1e9)))
        run_row, run_col, run_len, run_state = rasterise(
            start, rows, states, len(store.lanes), width_px, x0_ns, dx_s * 1e9, now_col
        )
        # Terminal moments are empty in the raster; draw each as one marker per lane and column.
        terminal = states >= FIRST_TERMINAL
        t_rows, t_states = rows[terminal], states[terminal]
        t_cols = np.clip(((start[terminal] - x0_ns) / (dx_s * 1e9)).astype(np.int64), 0, None)
        for state, item in self._bars.items():
            if state in TERMINAL_STATES:
                mine = t_states == int(state)
                cells = np.unique(t_rows[mine].astype(np.int64) * width_px + t_cols[mine])
                x = x0_s + (cells % width_px + 0.5) * dx_s
                self._set_bars(item, state, x, np.full(len(x), dx_s), cells // width_px, dx_s)
            else:
                mine = run_state == int(state)
                x = x0_s + run_col[mine] * dx_s
                self._set_bars(item, state, x, run_len[mine] * dx_s, run_row[mine], dx_s)
        return False

    def _draw_exact(self, idx: np.ndarray, dx_s: float) -> None:
        """Few intervals in view: one bar per interval, at its true position and length."""
        store = self._store
        start, end = store.start_ns[idx], store.end_ns[idx]
        rows, states = store.row[idx], store.state[idx]
        end = np.maximum(np.where(end == OPEN, self._open_end_ns, end), start)
        x = (start - store.t0_ns) / 1e9
        widths = np.maximum((end - start) / 1e9, dx_s)  # at least one pixel, so it shows
        for state, item in self._bars.items():
            mine = states == int(state)
            self._set_bars(item, state, x[mine], widths[mine], rows[mine], dx_s)

    def _set_bars(
        self,
        item: StateBars,
        state: State,
        x: np.ndarray,
        widths: np.ndarray,
        rows: np.ndarray,
        dx_s: float,
    ) -> None:
        """Update one state's item in place; terminal moments become thin centred markers."""
        if state in TERMINAL_STATES:
            x = x - 0.5 * TERMINAL_PX * dx_s
            widths = np.full(len(x), TERMINAL_PX * dx_s)
        if len(x) or len(item.opts["x0"]):  # an empty item stays as it is, hidden
            item.setOpts(x0=x, width=widths, y=rows.astype(np.float64), height=BAR_HEIGHT)
        item.setVisible(len(x) > 0)  # Qt then skips it in every paint and bounds query

    def _on_manual_range(self, *_args: object) -> None:
        self.set_follow(False)
        self._redraw_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Bars are drawn per pixel column: a new width needs them drawn again."""
        super().resizeEvent(event)
        self._redraw_timer.start()

    def _on_mouse_moved(self, pos: QPointF) -> None:
        # Only remember the position; the lookup runs at most once per HOVER_DELAY_MS.
        self._hover_pos = pos
        if not self._hover_timer.isActive():
            self._hover_timer.start()

    def _show_hover(self) -> None:
        pos = self._hover_pos
        if pos is None:
            return
        text = None
        if self.view_box.sceneBoundingRect().contains(pos):
            point = self.view_box.mapSceneToView(pos)
            text = self.describe_at(point.x(), int(round(point.y())))
        if text == self._last_tip:
            return
        self._last_tip = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot_widget)
        else:
            QToolTip.hideText()
