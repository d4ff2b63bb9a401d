"""Logging, Qt message routing, the exception hook, and the qasync event loop."""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import math
import os
import sys
import time
import traceback
from pathlib import Path
from types import TracebackType

import platformdirs

# PySide6 before qasync, so qasync picks this binding.
from PySide6.QtCore import QEvent, QObject, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.settings import APP_NAME, name_application

log = logging.getLogger("app")


def log_file() -> Path:
    """The app's log file, in the user's log folder."""
    return (
        Path(platformdirs.user_log_dir("concurrency-lab", appauthor=False)) / "concurrency-lab.log"
    )


def setup_logging() -> Path:
    """A rotating log file in the user's log folder, plus stderr when there is one."""
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3)
    ]
    if sys.stderr is not None:  # None in a windowed frozen build
        handlers.append(logging.StreamHandler())
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    return path


def _qt_message(mode: QtMsgType, _context: object, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.WARNING)
    logging.getLogger("qt").log(level, message)


class ExceptionDialog:
    """Logs uncaught exceptions and shows them in a dialog, so that a repeating error cannot flood
    the screen or the log: one dialog at a time; the same error (type and message) is not shown
    again for ``QUIET_S`` after its dialog closed, and is logged at most once a second (with how
    many times it happened meanwhile)."""

    QUIET_S = 60.0
    LOG_EVERY_S = 1.0

    def __init__(self) -> None:
        self.showing = False
        self.suppressed = 0
        self._shown_at: dict[str, float] = {}  # error -> when its dialog closed
        self._logged_at: dict[str, float] = {}
        self._repeats: dict[str, int] = {}

    def __call__(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        """The hook."""
        key = f"{kind.__name__}: {value}"
        now = time.monotonic()
        if now - self._logged_at.get(key, -math.inf) >= self.LOG_EVERY_S:
            repeats = self._repeats.pop(key, 0)
            note = f" (and {repeats} more times since the last report)" if repeats else ""
            log.error("uncaught exception%s", note, exc_info=(kind, value, tb))
            self._logged_at[key] = now
        else:
            self._repeats[key] = self._repeats.get(key, 0) + 1
        recent = now - self._shown_at.get(key, -math.inf) < self.QUIET_S
        if self.showing or recent or QApplication.instance() is None:
            self.suppressed += 1
            return
        self.showing = True
        try:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                APP_NAME,
                f"An unexpected error happened: {key}",
            )
            box.setDetailedText("".join(traceback.format_exception(kind, value, tb)))
            box.setInformativeText(
                "The details are in the log file. The app carries on; if this error happens "
                "again in the next minute it is only logged."
            )
            box.exec()
        finally:
            self.showing = False
            self._shown_at[key] = time.monotonic()


def make_application(argv: list[str]) -> QApplication:
    """The QApplication with its name, organisation, version and icon."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    name_application()  # the one settings store, whichever entry started the app
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("concurrency-lab")
    from app.resources import app_icon

    app.setWindowIcon(app_icon())
    return app


class _QuitAfterFirstPaint(QObject):
    """For the cold-start benchmark: say when the window first paints, then close it.

    With CONCURRENCY_LAB_QUIT_AFTER_PAINT=lesson it waits instead for the first paint of the
    first lesson's timeline (lessons are built just after the window first appears).
    """

    def __init__(self, window: QWidget, wait_for_lesson: bool) -> None:
        super().__init__(window)
        self.window = window
        self.wait_for_lesson = wait_for_lesson

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and self._counts(watched):
            print("painted", flush=True)
            app = QApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            QTimer.singleShot(0, self.window.close)
        return False

    def _counts(self, watched: QObject) -> bool:
        if not self.wait_for_lesson:
            return True
        from app.timeline import TimelineWidget

        return isinstance(watched, TimelineWidget)


def run_app(argv: list[str]) -> int:
    """Build the window and run the qasync loop until the window closes."""
    log_path = setup_logging()
    qInstallMessageHandler(_qt_message)
    sys.excepthook = ExceptionDialog()
    app = make_application(argv)
    import qasync  # after PySide6 (imported above), so qasync picks this binding

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from app import layout_report
    from app.launch import apply_launch, parse_launch, report
    from app.main_window import MainWindow

    window = MainWindow()
    app.aboutToQuit.connect(window.shutdown)
    if os.environ.get("CONCURRENCY_LAB_QUIT_AFTER_PAINT"):
        mode = os.environ["CONCURRENCY_LAB_QUIT_AFTER_PAINT"]
        app.installEventFilter(_QuitAfterFirstPaint(window, wait_for_lesson=mode == "lesson"))
    window.show()
    options = parse_launch(argv)
    report(window, apply_launch(window, options))
    if options.presenter:  # for a talk: a desktop shortcut can start straight in it
        window.presenter.enter()
    layout_report.watch(window)  # only when CONCURRENCY_LAB_LAYOUT_REPORT names a file
    log.info("Concurrency Lab %s started; log at %s", __version__, log_path)
    with loop:
        loop.run_forever()
    return 0
