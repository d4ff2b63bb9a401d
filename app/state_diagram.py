"""A small state diagram widget: NEW -> READY -> RUNNING <-> WAITING / BLOCKED -> DONE, each
node showing how many of a lesson's lanes are in that state now (the Thread states tab uses it).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from app.palette import STATE_COLOURS
from demos.events import State


class StateDiagram(QWidget):
    """NEW -> READY -> RUNNING <-> WAITING / BLOCKED -> DONE, each node showing how many lanes
    are in that state now; a node with none is drawn hollow."""

    NODES: dict[State, tuple[float, float]] = {  # centre, as fractions of the widget's size
        State.NEW: (0.09, 0.5),
        State.READY: (0.30, 0.5),
        State.RUNNING: (0.52, 0.5),
        State.WAITING: (0.74, 0.17),
        State.BLOCKED: (0.74, 0.83),
        State.DONE: (0.91, 0.5),
    }
    EDGES = [
        (State.NEW, State.READY),
        (State.READY, State.RUNNING),
        (State.RUNNING, State.WAITING),
        (State.WAITING, State.RUNNING),
        (State.RUNNING, State.BLOCKED),
        (State.BLOCKED, State.RUNNING),
        (State.RUNNING, State.DONE),
    ]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: dict[State, int] = {}
        self._fitted = self.label_font()
        self.setMinimumSize(320, 170)
        self.setToolTip("How many of the lesson's threads are in each state right now")

    def set_counts(self, counts: dict[State, int]) -> None:
        """New counts; repaints only when they changed."""
        if counts != self.counts:
            self.counts = dict(counts)
            self.update()

    def label_font(self) -> QFont:
        """The widget's font, bold, made smaller where the widest state name would not fit its
        node (presenting at 1366x768 cut RUNNING to "RUNNIN" and BLOCKED to "LOCKED")."""
        font = QFont(self.font())
        font.setBold(True)
        room = self._node_width() - 10
        widest = max(QFontMetricsF(font).horizontalAdvance(s.name) for s in self.NODES)
        if widest > room and font.pointSizeF() > 0:
            font.setPointSizeF(max(1.0, font.pointSizeF() * room / widest))
        elif widest > room:
            font.setPixelSize(max(1, int(font.pixelSize() * room / widest)))
        return font

    def _node_width(self) -> float:
        return max(60.0, self.width() * 0.17)

    def _node_rect(self, state: State) -> QRectF:
        fx, fy = self.NODES[state]
        # Tall enough for the name and the count on two lines in the label font.
        w, h = self._node_width(), max(38.0, 2 * QFontMetricsF(self._fitted).lineSpacing() + 4)
        return QRectF(fx * self.width() - w / 2, fy * (self.height() - 30) - h / 2 + 4, w, h)

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 - Qt's name
        """Arrows first, then the nodes over them, then a line for states off the diagram."""
        self._fitted = self.label_font()  # the size and the font may have changed
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        for src, dst in self.EDGES:
            self._arrow(painter, src, dst, text_colour)
        font = QFont(self._fitted)
        for state in self.NODES:
            rect = self._node_rect(state)
            count = self.counts.get(state, 0)
            colour = QColor(STATE_COLOURS[state])
            painter.setPen(QPen(colour.darker(140), 2))
            painter.setBrush(colour if count else Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 8, 8)
            font.setBold(bool(count))
            painter.setFont(font)
            # Light fills (yellow, grey) need dark text; hollow nodes take the theme's text.
            fill_light = colour.lightness() > 150
            painter.setPen(QColor("#000000") if count and fill_light else text_colour)
            if count and not fill_light:
                painter.setPen(QColor("#FFFFFF"))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter,
                f"{state.name}\n{count}" if count else state.name,
            )
        others = [
            f"{s.name.lower()} {self.counts[s]}"
            for s in (State.PAUSED, State.CANCELLED, State.FAILED)
            if self.counts.get(s)
        ]
        painter.setPen(text_colour)
        painter.drawText(
            QRectF(0, self.height() - 24, self.width(), 22),
            Qt.AlignmentFlag.AlignCenter,
            ", ".join(others) if others else "",
        )
        painter.end()

    def _arrow(self, painter: QPainter, src: State, dst: State, colour: QColor) -> None:
        a, b = self._node_rect(src), self._node_rect(dst)
        # Two-way pairs are drawn as two parallel arrows, offset a little either side.
        offset = 5.0 if (dst, src) in self.EDGES else 0.0
        sign = 1.0 if src is State.RUNNING else -1.0
        start = QPointF(a.center().x(), a.center().y() + offset * sign)
        end = QPointF(b.center().x(), b.center().y() + offset * sign)
        start, end = self._clip(a, start, end), self._clip(b, end, start)
        painter.setPen(QPen(colour, 1.4))
        painter.drawLine(start, end)
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = max(1e-6, (dx * dx + dy * dy) ** 0.5)
        ux, uy = dx / length, dy / length
        head = QPolygonF(
            [
                end,
                QPointF(end.x() - 8 * ux + 4 * uy, end.y() - 8 * uy - 4 * ux),
                QPointF(end.x() - 8 * ux - 4 * uy, end.y() - 8 * uy + 4 * ux),
            ]
        )
        painter.setBrush(colour)
        painter.drawPolygon(head)

    @staticmethod
    def _clip(rect: QRectF, inside: QPointF, outside: QPointF) -> QPointF:
        """Where the segment inside -> outside leaves ``rect`` (so arrows touch node edges)."""
        dx, dy = outside.x() - inside.x(), outside.y() - inside.y()
        scales = []
        if dx:
            scales.append((rect.width() / 2) / abs(dx))
        if dy:
            scales.append((rect.height() / 2) / abs(dy))
        t = min(scales + [1.0])
        return QPointF(inside.x() + dx * t, inside.y() + dy * t)
