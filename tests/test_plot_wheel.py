"""The mouse wheel over a plot in a side panel scrolls the panel: the plots there are fixed
(no zoom or pan), yet pyqtgraph's view took the wheel, and scrolling stopped wherever one came
under the pointer (Multiprocessing: the speedup plot hid the figures below it)."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QWheelEvent
from wheel_events import wheel_down

from app.main_window import MainWindow
from app.plot_wheel import PASSES_WHEEL, pass_wheel_to_panel

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


class Recorder(pg.PlotWidget):
    """A plot that notes every wheel event its view is given."""

    def __init__(self) -> None:
        super().__init__()
        self.wheels = 0

    def wheelEvent(self, ev: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        self.wheels += 1
        super().wheelEvent(ev)


@pytest.mark.parametrize("wired", [False, True])
def test_a_wired_plot_leaves_the_wheel_to_its_panel(qtbot, wired: bool) -> None:  # noqa: ANN001
    plot = Recorder()
    plot.setMouseEnabled(x=False, y=False)
    if wired:
        pass_wheel_to_panel(plot)
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    qtbot.waitExposed(plot)
    event = wheel_down(plot.viewport())
    # Unwired, the view takes it (and a real wheel stops there); wired, it never sees it and
    # Qt offers the ignored event to the scroll area around.
    assert plot.wheels == (0 if wired else 1)
    if wired:
        assert not event.isAccepted()


def test_every_side_panel_plot_is_wired(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    assert len(list(win.lessons)) == len(win.lessons.titles)  # build every lesson
    found, unwired = 0, []
    for lesson in win.lessons:
        for plot in lesson.side_scroll.findChildren(pg.PlotWidget):
            found += 1
            if not plot.property(PASSES_WHEEL):
                unwired.append(f"{lesson.title}: {type(plot).__name__}")
    win.close()
    assert found >= 5, found
    assert not unwired, unwired
