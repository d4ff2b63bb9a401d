"""Finds bundled files both from a source checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon


def resource_path(name: str) -> Path:
    """Path of a file under ``resources/`` (``sys._MEIPASS`` when frozen)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "resources" / name


def app_icon() -> QIcon:
    """The window and taskbar icon."""
    return QIcon(str(resource_path("icon.svg")))
