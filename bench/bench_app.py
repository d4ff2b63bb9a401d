"""The QApplication and qasync loop a benchmark runs the real window in, with settings of its own
so a benchmark never reads or writes the user's."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication


def bench_application() -> tuple[QApplication, Any]:
    """(the application, a qasync loop marked running) with settings in a fresh folder."""
    import qasync

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="bench-")
    )
    app.setOrganizationName("Concurrency Lab Bench")
    app.setApplicationName("Concurrency Lab Bench")
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    return app, loop
