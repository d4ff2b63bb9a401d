"""Remembered settings: one QSettings, grouped keys, a schema version with a migration step.

Values read back are checked: a corrupt or hand-edited settings file falls back to defaults
instead of breaking start-up.

One store for every way the app starts (``python -m app``, the frozen bundle, ``--self-test``):
QSettings files itself under the application's organisation and name, so those are set in one
place, ``name_application``. A QSettings made before them lands in "Unknown Organization/<the
program's file name>.conf" (``__main__.py`` from ``python -m``); ``open_settings`` names the
application itself when no one has, so that cannot happen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings

SCHEMA_VERSION = 2
APP_NAME = "Concurrency Lab"
ORG_NAME = "Concurrency Lab"  # Linux: ~/.config/Concurrency Lab/Concurrency Lab.conf
log = logging.getLogger(__name__)


def name_application() -> None:
    """File the settings under the app's own names (every entry calls this, or open_settings).

    Static setters: they work before and after the QApplication exists.
    """
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)


def open_settings() -> QSettings:
    """The app's settings store; names the application first if no entry has."""
    # Tests and benchmarks name theirs on purpose (a store of their own): keep those.
    if not QCoreApplication.organizationName():
        name_application()
    settings = QSettings()
    _migrate(settings)
    return settings


def _migrate(settings: QSettings) -> None:
    version = _to_int(settings.value("schema_version"), 0)
    if version > SCHEMA_VERSION or version < 0:
        log.warning("settings schema %s unknown; starting from defaults", version)
        settings.clear()
    # Version 0 (no key) needs no change: the first schema only adds keys.
    if version < 2:
        # Version 2 remembers the last lesson by id: the tab order changed to the deck's.
        settings.remove("window/last_tab")
    settings.setValue("schema_version", SCHEMA_VERSION)


def _to_int(value: object, default: int) -> int:
    # QSettings gives back what it stored, or a str when it read the value from an INI file.
    if not isinstance(value, int | float | str):
        return default
    try:
        return int(value)
    except (ValueError, OverflowError):  # "abc", NaN, infinity
        return default


def read_int(settings: QSettings, key: str, default: int, low: int, high: int) -> int:
    """An int setting clamped to ``[low, high]``; anything unreadable gives ``default``."""
    value = _to_int(settings.value(key, default), default)
    return min(high, max(low, value))


def read_float(settings: QSettings, key: str, default: float, low: float, high: float) -> float:
    """A float setting clamped to ``[low, high]``; anything unreadable gives ``default``."""
    raw = settings.value(key, default)
    try:
        value = float(raw) if isinstance(raw, int | float | str) else default
    except ValueError:
        value = default
    if value != value:  # NaN
        value = default
    return min(high, max(low, value))


def read_choice(settings: QSettings, key: str, default: str, choices: tuple[str, ...]) -> str:
    """A string setting that must be one of ``choices``."""
    value = settings.value(key, default)
    return value if isinstance(value, str) and value in choices else default


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """Binary state (window geometry); None if missing or of the wrong type."""
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None
