"""The exception hook: a repeating error shows one dialog, not one after every OK, and is logged
at most once a second."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMessageBox

from app import startup

pytestmark = [pytest.mark.timeout(30), pytest.mark.gui]


def test_a_repeating_error_is_shown_once_and_logged_at_most_once_a_second(
    qapp,
    monkeypatch,
    caplog,  # noqa: ANN001
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    clock = [1000.0]
    monkeypatch.setattr(startup.time, "monotonic", lambda: clock[0])
    hook = startup.ExceptionDialog()
    error = OverflowError("int too big to convert")
    with caplog.at_level(logging.ERROR, logger="app"):
        for _ in range(50):  # a timer tick failing ten times a second, for five seconds
            hook(OverflowError, error, None)
            clock[0] += 0.1
    assert shown == ["An unexpected error happened: OverflowError: int too big to convert"]
    logged = [r for r in caplog.records if r.getMessage().startswith("uncaught exception")]
    assert 4 <= len(logged) <= 6, "about once a second over five seconds"
    assert "more times" in logged[-1].getMessage()
    other = ValueError("another")
    hook(ValueError, other, None)
    assert len(shown) == 2, "a different error still gets its dialog"
    clock[0] += startup.ExceptionDialog.QUIET_S + 1
    hook(OverflowError, error, None)
    assert len(shown) == 3, "after a quiet minute the first error is shown again"
