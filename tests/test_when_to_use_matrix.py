"""The When to use what matrix: its empty cells sit where their figures will."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.lessons.when_to_use_matrix import MatrixBox

pytestmark = [pytest.mark.timeout(30), pytest.mark.gui]


def test_empty_and_measured_cells_are_centred_alike(qtbot) -> None:  # noqa: ANN001
    # Before: the "-" of an empty cell sat at its left edge, under a centred header, and jumped
    # to the middle once measured ("measuring..." in one cell, "-" beside it at the edge).
    box = MatrixBox()
    qtbot.addWidget(box)
    table = box.table
    box.set_cell("io", "threads", "0.152 s\n7.9x")
    for row in range(table.rowCount()):
        for col in range(table.columnCount()):
            item = table.item(row, col)
            assert item is not None
            assert Qt.AlignmentFlag(item.textAlignment()) & Qt.AlignmentFlag.AlignHCenter, (
                row,
                col,
                item.text(),
            )
