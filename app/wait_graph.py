"""A small live drawing of a wait-for graph: threads as circles, locks as squares.

Nodes sit on one ring, lock and thread alternating (F1, P1, F2, P2, ...), so in the dining
philosophers every "holds" and "waits for" edge joins neighbours and a deadlock is the ring
itself. "Holds" runs lock -> thread (solid), "waits for" runs thread -> lock (dashed); the edges
and nodes of a cycle are drawn thick in vermillion.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.palette import BLUE, ORANGE, SKY_BLUE, VERMILLION, YELLOW
from demos.waitgraph import WaitGraph

CYCLE_COLOUR = VERMILLION  # vermillion (Okabe-Ito): the cycle, as BLOCKED on the timeline
HOLDS_COLOUR = BLUE  # blue
WAITS_COLOUR = ORANGE  # orange
THREAD_FILL = SKY_BLUE  # sky blue
LOCK_FILL = YELLOW  # yellow
ARROW_PX = 9.0


class WaitGraphWidget(QWidget):
    """Draws the last :class:`WaitGraph` it was given (or a hint when it has none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph: WaitGraph | None = None
        self.note = "The wait-for graph appears here during a run."
        self.setMinimumHeight(230)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Wait-for graph")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Square-ish: the ring needs height as much as width."""
        return QSize(320, 260)

    def set_graph(self, graph: WaitGraph | None, note: str = "") -> None:
        """Show ``graph`` (redrawing only when it changed)."""
        if graph == self.graph and note == self.note:
            return
        self.graph, self.note = graph, note
        self.setToolTip(graph.path_text() if graph is not None and graph.cycle() else "")
        self.update()

    def positions(self) -> tuple[list[QPointF], list[QPointF], float]:
        """Centres of the threads, of the locks, and the node radius, for the current size."""
        graph = self.graph
        count = 0 if graph is None else max(len(graph.waits), len(graph.holder))
        w, h = self.width(), self.height() - 20  # room for the note underneath
        radius = max(8.0, min(22.0, min(w, h) / max(6, 2.6 * count)))
        ring = max(10.0, min(w, h) / 2 - radius - 6)
        centre = QPointF(w / 2, h / 2 + 2)
        threads: list[QPointF] = []
        locks: list[QPointF] = []
        for i in range(2 * count):
            # Start at the top-left so two locks and two threads form a square, T1 on top.
            angle = 2 * math.pi * i / (2 * count) - math.pi / 2 - math.pi / (2 * count)
            point = centre + QPointF(ring * math.cos(angle), ring * math.sin(angle))
            (locks if i % 2 == 0 else threads).append(point)
        return threads, locks, radius

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        """Edges first, then nodes on top, then the note."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        graph = self.graph
        if graph is not None:
            painter.save()  # the node labels change the font: keep the note in the normal one
            self._draw(painter, graph, text_colour)
            painter.restore()
        painter.setPen(text_colour)
        # Ten philosophers make a long ring: cut the note rather than let it overflow.
        note = painter.fontMetrics().elidedText(
            self.note, Qt.TextElideMode.ElideRight, self.width() - 8
        )
        painter.drawText(
            QRectF(0, self.height() - 20, self.width(), 20), Qt.AlignmentFlag.AlignCenter, note
        )
        painter.end()

    def _draw(self, painter: QPainter, graph: WaitGraph, text_colour: QColor) -> None:
        threads, locks, radius = self.positions()
        thread_names, lock_names = graph.names
        cycle = graph.cycle()
        cycle_locks = set(graph.cycle_locks())
        for j, t in enumerate(graph.holder):
            if t is not None and t < len(threads):
                hot = j in cycle_locks and t in cycle
                colour = CYCLE_COLOUR if hot else HOLDS_COLOUR
                self._arrow(painter, locks[j], threads[t], radius, colour, hot, dashed=False)
        for t, wanted in enumerate(graph.waits):
            if wanted is not None and wanted < len(locks):
                hot = t in cycle
                colour = CYCLE_COLOUR if hot else WAITS_COLOUR
                self._arrow(painter, threads[t], locks[wanted], radius, colour, hot, dashed=True)
        font = QFont(painter.font())
        font.setPointSizeF(max(6.0, radius * 0.55))
        font.setBold(True)
        painter.setFont(font)
        for nodes, names, is_thread in ((threads, thread_names, True), (locks, lock_names, False)):
            for k, (point, name) in enumerate(zip(nodes, names, strict=False)):
                hot = (k in cycle) if is_thread else (k in cycle_locks)
                outline = QColor(CYCLE_COLOUR) if hot else text_colour
                painter.setPen(QPen(outline, 3.0 if hot else 1.2))
                painter.setBrush(QBrush(QColor(THREAD_FILL if is_thread else LOCK_FILL)))
                box = QRectF(point.x() - radius, point.y() - radius, 2 * radius, 2 * radius)
                if is_thread:
                    painter.drawEllipse(box)
                else:
                    painter.drawRect(box.adjusted(2, 2, -2, -2))
                painter.setPen(QColor("#000000"))  # dark text on the light fills, in any theme
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)

    @staticmethod
    def _arrow(
        painter: QPainter,
        start: QPointF,
        end: QPointF,
        radius: float,
        colour: str,
        hot: bool,
        dashed: bool,
    ) -> None:
        """A straight arrow between two node rims."""
        dx, dy = end.x() - start.x(), end.y() - start.y()
        length = math.hypot(dx, dy)
        if length < 2 * radius + 1:
            return
        ux, uy = dx / length, dy / length
        a = QPointF(start.x() + ux * radius, start.y() + uy * radius)
        b = QPointF(end.x() - ux * radius, end.y() - uy * radius)
        pen = QPen(QColor(colour), 3.0 if hot else 1.6)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(a, b)
        head = QPainterPath(b)
        for side in (1, -1):
            angle = math.atan2(uy, ux) + math.pi - side * math.radians(25)
            head.lineTo(b.x() + ARROW_PX * math.cos(angle), b.y() + ARROW_PX * math.sin(angle))
            head.moveTo(b)
        painter.setPen(QPen(QColor(colour), 3.0 if hot else 1.6))
        painter.drawPath(head)
