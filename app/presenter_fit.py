"""How much presenter type the screen has room for.

The presenter scale a speaker chooses is remembered per screen size (a talk on a 1024x768
projector and rehearsal on a 1920x1080 monitor keep their own). When the layout at that scale
needs more than the screen, the scale steps down to the largest that fits: the window's least
size inside the screen, and the side panel at most ``SIDE_SHARE`` of its width, so the timeline
and the plots keep the room.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QMainWindow

from app.settings import read_float

SIDE_SHARE = 0.45  # of the screen's width, at most, for the side panel
STEP = 0.05  # scales step down on this grid
MIN_SCALE, MAX_SCALE = 1.0, 3.0


def screen_size(window: QMainWindow) -> QSize:
    """The full size of the screen the window is on (presenter mode is full screen)."""
    screen = window.screen()
    return screen.geometry().size() if screen is not None else QSize(1920, 1080)


def scale_key(size: QSize) -> str:
    """Where the speaker's choice for a screen of this size is remembered."""
    return f"presenter/scale/{size.width()}x{size.height()}"


def chosen_scale(settings: QSettings, size: QSize, default: float) -> float:
    """The speaker's choice for this screen size, else their last choice anywhere."""
    fallback = read_float(settings, "presenter/scale", default, MIN_SCALE, MAX_SCALE)
    return read_float(settings, scale_key(size), fallback, MIN_SCALE, MAX_SCALE)


def remember_scale(settings: QSettings, size: QSize, scale: float) -> None:
    """Keep the choice for this screen size (and as the default for new ones)."""
    settings.setValue(scale_key(size), scale)
    settings.setValue("presenter/scale", scale)


def room_ratio(window: QMainWindow, side_width: int) -> float:
    """1.0 when the layout fits the screen; below 1, the share of its width (or height) it has."""
    room = screen_size(window)
    need = window.minimumSizeHint()
    ratios = [1.0]
    if need.width() > room.width():
        ratios.append(room.width() / need.width())
    if need.height() > room.height():
        ratios.append(room.height() / need.height())
    if side_width > SIDE_SHARE * room.width():
        ratios.append(SIDE_SHARE * room.width() / side_width)
    return min(ratios)


def smaller_scale(scale: float, ratio: float) -> float:
    """The next scale to try: ``scale`` times ``ratio``, on the STEP grid, at least a step down."""
    target = math.floor(scale * ratio / STEP + 1e-6) * STEP
    return max(MIN_SCALE, min(round(target, 2), round(scale - STEP, 2)))
