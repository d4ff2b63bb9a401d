"""One typed reader for remembered settings: bad values fall back, are removed and are told."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QByteArray, QSettings

from app import settings as store
from app.main_window import MainWindow

pytestmark = [pytest.mark.timeout(60)]


@pytest.fixture
def fresh(tmp_path) -> QSettings:  # noqa: ANN001
    store.take_reset_keys()
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


@pytest.mark.parametrize(
    "raw",
    [math.inf, -math.inf, math.nan, "abc", "1e400", str(2**70), 2.5, [1, 2], "", True, 99, -1],
)
def test_read_int_falls_back_removes_and_reports(fresh, raw) -> None:  # noqa: ANN001
    fresh.setValue("lesson/threads", raw)
    assert store.read_int(fresh, "lesson/threads", 4, 1, 64) == 4
    assert fresh.value("lesson/threads") is None, "the bad key is removed, not written back"
    assert store.take_reset_keys() == ["lesson/threads"]


@pytest.mark.parametrize("raw", [math.inf, math.nan, "Infinity", "x", 0.2, 9.0, [1.0]])
def test_read_float_falls_back_removes_and_reports(fresh, raw) -> None:  # noqa: ANN001
    fresh.setValue("presenter/scale", raw)
    assert store.read_float(fresh, "presenter/scale", 1.75, 1.0, 3.0) == 1.75
    assert fresh.value("presenter/scale") is None
    assert store.take_reset_keys() == ["presenter/scale"]


def test_good_values_are_read_and_kept(fresh) -> None:  # noqa: ANN001
    fresh.setValue("a", 7)
    fresh.setValue("b", "2.5")
    fresh.setValue("c", "dark")
    fresh.setValue("d", QByteArray(b"geometry"))
    assert store.read_int(fresh, "a", 1, 1, 64) == 7
    assert store.read_float(fresh, "b", 1.0, 1.0, 3.0) == 2.5
    assert store.read_choice(fresh, "c", "system", ("system", "light", "dark")) == "dark"
    assert store.read_bytes(fresh, "d") == QByteArray(b"geometry")
    assert store.read_int(fresh, "missing", 3, 1, 64) == 3
    assert store.take_reset_keys() == [], "missing or good values are not news"


def test_wrong_choices_and_bytes_are_reset(fresh) -> None:  # noqa: ANN001
    fresh.setValue("view/theme", "purple")
    fresh.setValue("window/geometry", "???")
    assert store.read_choice(fresh, "view/theme", "system", ("system", "dark")) == "system"
    assert store.read_bytes(fresh, "window/geometry") is None
    assert store.take_reset_keys() == ["view/theme", "window/geometry"]
    assert fresh.value("view/theme") is None
    assert fresh.value("window/geometry") is None


@pytest.mark.gui
def test_the_window_says_once_which_settings_were_reset(qtbot, qloop) -> None:  # noqa: ANN001
    settings = QSettings()
    settings.setValue("view/theme", "purple")
    settings.setValue("multithreading/threads", math.inf)
    settings.sync()
    store.take_reset_keys()
    window = MainWindow(start_lab=False)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(window.lessons.titles.index("Multithreading"))
    message = window.statusBar().currentMessage()
    assert "multithreading/threads" in message
    shown = message
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(window.lessons.titles.index("Multithreading"))
    assert window.current_lesson().threads.value() == 2, "the default"
    assert window.statusBar().currentMessage() == shown, "said once, not again"
    assert QSettings().value("multithreading/threads") is None
    window.close()
