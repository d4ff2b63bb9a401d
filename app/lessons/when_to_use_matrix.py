"""The "When to use what" tab's result matrix: elapsed time and speedup per workload (rows)
and model (columns), the winner of each row in bold on green, and the recommendation under it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.lesson import paragraph
from app.palette import BLUISH_GREEN
from demos import when_to_use_result as results
from demos.when_to_use_result import WhenToUseResult

COLUMNS = ("sequential", "threads", "asyncio", "processes")  # the table's order, not the cost's
WINNER_BACKGROUND = BLUISH_GREEN  # Okabe-Ito bluish green: safe for colour-blind viewers
WINNER_TEXT = "#000000"  # dark text on it keeps the contrast above 4.5:1


class MatrixBox(QFrame):
    """The table, the recommendation and a status line, in one framed box."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        self.table = QTableWidget(len(results.WORKLOADS), len(COLUMNS))
        self.table.setAccessibleName("Elapsed time and speedup per workload and model")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setVerticalHeaderLabels([results.WORKLOAD_LABELS[w] for w in results.WORKLOADS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recommendation_label = paragraph("Press Start (Space) to measure the matrix.")
        self.recommendation_label.setObjectName("bigFigure")
        self.status_label = QLabel("")
        column.addWidget(self.table)
        column.addWidget(self.recommendation_label)
        column.addWidget(self.status_label)
        self.clear()

    def _fit(self) -> None:
        """Exactly as tall as its rows: no scroll bar, no empty space."""
        table = self.table
        height = table.horizontalHeader().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height)

    def clear(self) -> None:
        """Every cell back to "-", centred as the figures that replace it (and the headers)."""
        for row in range(self.table.rowCount()):
            for col in range(self.table.columnCount()):
                item = QTableWidgetItem("-")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self._fit()

    def set_cell(self, work: str, model: str, text: str, winner: bool = False) -> None:
        """One cell's text; the winner of its row in bold on green."""
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        if winner:
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
            item.setBackground(QBrush(QColor(WINNER_BACKGROUND)))
            item.setForeground(QBrush(QColor(WINNER_TEXT)))
            item.setToolTip("Winner: the lightest model within 10% of the fastest")
        self.table.setItem(results.WORKLOADS.index(work), COLUMNS.index(model), item)

    def cell_text(self, work: str, model: str) -> str:
        """What a cell shows (for tests and screen readers)."""
        item = self.table.item(results.WORKLOADS.index(work), COLUMNS.index(model))
        return item.text() if item is not None else ""

    def show_result(self, result: WhenToUseResult) -> None:
        """The whole measured matrix, its winners, the recommendation and the run's facts."""
        winners, speedups, startup = result.winners(), result.speedups(), result.startup()
        for work, row in result.matrix().items():
            for model in COLUMNS:
                text = f"{row[model]:.3f} s\n{speedups[work][model]:.1f}x"
                if model == "processes" and work in startup:
                    text += f" (+{startup[work]:.2f} s start-up)"
                self.set_cell(work, model, text, winner=winners[work] == model)
        self.table.resizeRowsToContents()
        self._fit()
        self.recommendation_label.setText(f"<b>Recommendation</b>: {result.verdict()}")
        gil = "enabled" if result.gil_enabled else "disabled (free-threaded)"
        self.status_label.setText(
            f"Measured in {result.total_s:.1f} s on {result.cores} cores, Python "
            f"{result.python}, GIL {gil}, switch interval {result.switch_interval_ms:g} ms"
        )
