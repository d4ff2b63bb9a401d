"""The lessons' small bar charts go dark with the rest of the stage (presenter mode, dark theme):
they stayed white, a bright slab across the top of "GIL or no GIL" on the presenter's screen."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

from app.lessons.challenge_bars import BarChart
from app.main_window import MainWindow
from app.theme import PLOT_DARK, PLOT_LIGHT

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


def backgrounds(win: MainWindow) -> dict[str, str]:
    """Each bar chart's background colour, by lesson and chart."""
    found = {}
    for lesson in win.lessons:
        for k, chart in enumerate(lesson.findChildren(BarChart)):
            found[f"{lesson.title} #{k}"] = chart.backgroundBrush().color().name()
    return found


def test_bar_charts_follow_the_stage_dark_and_back(qtbot, qloop) -> None:  # noqa: ANN001
    win = MainWindow(start_lab=False)
    qtbot.addWidget(win)
    assert len(list(win.lessons)) == len(win.lessons.titles)  # build every lesson
    titles = {name.split(" #")[0] for name in backgrounds(win)}
    assert {"GIL or no GIL", "Challenges"} <= titles, titles
    for lesson in win.lessons:
        lesson.set_dark(True)
    dark = pg.mkColor(PLOT_DARK[0]).name()
    assert set(backgrounds(win).values()) == {dark}, backgrounds(win)
    for lesson in win.lessons:
        lesson.set_dark(False)
    assert set(backgrounds(win).values()) == {pg.mkColor(PLOT_LIGHT[0]).name()}, backgrounds(win)
    win.close()
