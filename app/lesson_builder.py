"""Building a lesson tab for the window: the lesson's class, or in its place the page that
says why it could not be built (app.unavailable_lesson), styled like the window."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from app import theme
from app.lesson import LessonTab
from app.settings import take_reset_keys
from app.unavailable_lesson import unavailable_page
from demos import registry

if TYPE_CHECKING:
    from app.main_window import MainWindow

log = logging.getLogger(__name__)
RESET_MESSAGE_MS = 20_000
INDEX_OF_MODULE = {entry.app_module: index for index, entry in enumerate(registry.LESSONS)}


def build_lesson(window: MainWindow, module: str, name: str) -> LessonTab:
    """Build one lesson and give it the window's current theme, scale and slow motion."""
    try:
        cls: type[LessonTab] = getattr(importlib.import_module(module), name)
        lesson = cls(window.lab, window.sampler, window.settings)
    except Exception as error:  # noqa: BLE001 - any fault of one lesson stays in its tab
        log.exception("the lesson in %s could not be built", module)
        lesson = unavailable_page(window, INDEX_OF_MODULE[module], error)
    lesson.localRunChanged.connect(window.update_actions)
    lesson.lab.start_requested = lambda: window.runs.start(lesson)  # a sweep's next step
    if window.ready:
        style_lesson(window, lesson)
        tell_reset_settings(window)
    return lesson


def tell_reset_settings(window: MainWindow) -> None:
    """Say once, in the status line, which remembered settings could not be used."""
    keys = take_reset_keys()
    if keys:
        window.statusBar().showMessage(
            "Back to defaults (their saved values could not be used): " + ", ".join(keys),
            RESET_MESSAGE_MS,
        )


def style_lesson(window: MainWindow, lesson: LessonTab) -> None:
    """The window's presenter scale or theme, side panel and slow motion, on a new lesson."""
    presenter = window.presenter
    if presenter.active:
        lesson.set_scale(presenter.scale)
        lesson.set_presenting(True)
    else:
        lesson.set_dark(theme.is_dark(window.theme_choice))
    lesson.set_side_panel_shown(presenter.side_shown)
    control = getattr(lesson, "control", None)
    if control is not None:
        control.set_time_scale(presenter.time_scale)
