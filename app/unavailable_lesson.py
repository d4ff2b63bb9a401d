"""What a tab shows when its lesson cannot be built: the error, once, in that tab.

A lesson that raised while it was built used to be built again on every tick of the timers that
ask for the lesson on screen (hundreds of tracebacks and a dialog a minute). The window puts this
page in its place instead: it says what went wrong and where the log is, it is built once, and
Start there only repeats the message; a button clears the lesson's remembered settings (the
usual culprit) and tries once more.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout

from app.lesson import LessonTab, heading, paragraph
from app.startup import log_file
from demos import registry

if TYPE_CHECKING:
    from app.main_window import MainWindow


class UnavailableLesson(LessonTab):
    """Stands in for a lesson whose tab raised while it was built."""

    runs_locally = True  # nothing goes to the lab: Start only says why nothing runs
    retryRequested = Signal()  # the lesson's settings were cleared: build it again

    def __init__(self, title: str, error: str, *args: Any, **kwargs: Any) -> None:
        self.title = title
        self.error = error
        super().__init__(*args, **kwargs)

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """The error and what to do about it."""
        layout.addWidget(heading(self.title))
        self.message = paragraph(
            f"This lesson could not be opened: <b>{html.escape(self.error)}</b>.<br><br>"
            "The other lessons work. The details are in the log, "
            f"<code>{html.escape(str(log_file()))}</code>."
        )
        layout.addWidget(self.message)
        self.retry = QPushButton("Forget this lesson's settings and try again")
        self.retry.setToolTip("Its sliders and choices go back to their defaults")
        self.retry.clicked.connect(self.retryRequested.emit)
        layout.addWidget(self.retry)

    def params(self) -> dict[str, Any]:
        """No settings: none could be read."""
        return {}

    def param_defaults(self) -> dict[str, Any]:
        """No settings: none could be read."""
        return {}

    def start_local(self) -> None:
        """Nothing to start: show the reason again."""
        self.message.setStyleSheet("font-weight: bold;")

    def is_running_locally(self) -> bool:
        """Never runs."""
        return False

    def is_paused_locally(self) -> bool:
        """Never runs."""
        return False


def unavailable_page(window: MainWindow, index: int, error: Exception) -> UnavailableLesson:
    """The page for the lesson at ``index`` that raised ``error`` while it was built; its
    button forgets the lesson's remembered settings and builds it again."""
    entry = registry.LESSONS[index]
    page = UnavailableLesson(
        entry.title,
        f"{type(error).__name__}: {error}",
        window.lab,
        window.sampler,
        window.settings,
    )

    def retry() -> None:
        window.settings.remove(entry.id)  # the lesson's sliders and choices
        window.lessons.rebuild(index)

    page.retryRequested.connect(retry)
    return page
