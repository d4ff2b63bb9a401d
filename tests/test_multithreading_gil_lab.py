"""A CPU run through the real lab fills the Multithreading tab's GIL figures, under the switch
interval the slider asked for."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


def test_a_lab_run_shows_each_threads_gil_figures(lab_window, qtbot) -> None:  # noqa: ANN001
    win = lab_window
    win.tabs.setCurrentIndex([tab.title for tab in win.lessons].index("Multithreading"))
    tab = win.current_lesson()
    before = {s: s.value() for s in (tab.threads, tab.steps, tab.step_ms, tab.switch_interval)}
    try:
        tab.threads.setValue(2)
        tab.steps.setValue(1)
        tab.step_ms.setValue(100)
        tab.switch_interval.setValue(2)
        tab.kind_cpu.setChecked(True)
        qtbot.keyClick(win, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: tab.handoffs_label.text() != "-", timeout=30_000)
        assert win.last_result["report"]["result"]["switch_interval_ms"] == 2  # set in the lab
        assert "switch interval 2 ms" in tab.handoffs_label.text()
        table = tab.gil_table.text()
        assert "Thread-1" in table
        assert "Thread-2" in table
        assert "MainThread" not in table
    finally:
        for slider, value in before.items():
            slider.setValue(value)
        tab.kind_io.setChecked(True)
