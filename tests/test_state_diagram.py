"""The state diagram's names fit their nodes at any type size (the presenter's is large)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont, QFontMetricsF

from app.state_diagram import StateDiagram
from demos.events import State

pytestmark = [pytest.mark.timeout(30), pytest.mark.gui]


@pytest.mark.parametrize("point_size", [9, 17, 28])
def test_every_state_name_and_count_fit_inside_its_node(qtbot, point_size: int) -> None:  # noqa: ANN001
    # Before: nodes were 17 % of the width and 38 px tall whatever the type, so presenting at
    # 1366x768 (side panel about 500 px, type 1.75x) cut RUNNING and BLOCKED at both ends.
    diagram = StateDiagram()
    qtbot.addWidget(diagram)
    font = QFont(diagram.font())
    font.setPointSize(point_size)
    diagram.setFont(font)
    diagram.resize(500, 200)
    diagram.set_counts({State.RUNNING: 3, State.BLOCKED: 1})
    diagram.grab()  # paints once, as on screen
    metrics = QFontMetricsF(diagram.label_font())
    for state in StateDiagram.NODES:
        rect = diagram._node_rect(state)
        assert metrics.horizontalAdvance(state.name) <= rect.width() - 4, (state, point_size)
        assert 2 * metrics.lineSpacing() <= rect.height(), (state, point_size)
        assert rect.left() >= 0, state
        assert rect.right() <= diagram.width(), state
