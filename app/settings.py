"""Remembered settings: one QSettings, grouped keys, a schema version with a migration step.

Values read back are checked: one that is unreadable, of the wrong type, not finite or out of
range falls back to its default, its key is removed (so it is not written back), and the key is
kept in a list the window shows once in its status line (``take_reset_keys``).

One store for every way the app starts (``python -m app``, the frozen bundle, ``--self-test``):
QSettings files itself under the application's organisation and name, so those are set in one
place, ``name_application``. A QSettings made before them lands in "Unknown Organization/<the
program's file name>.conf" (``__main__.py`` from ``python -m``); ``open_settings`` names the
application itself when no one has, so that cannot happen.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings

SCHEMA_VERSION = 2
APP_NAME = "Concurrency Lab"
ORG_NAME = "Concurrency Lab"  # Linux: ~/.config/Concurrency Lab/Concurrency Lab.conf
log = logging.getLogger(__name__)
_reset_keys: list[str] = []  # read back unusable since the window last said so


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
    raw = settings.value("schema_version", 0)
    version = _to_int(raw)
    if version is None:  # the key alone is damaged: the others are checked as they are read
        _reset(settings, "schema_version", raw, "not a whole number")
        version = 0
    if version > SCHEMA_VERSION or version < 0:
        log.warning("settings schema %s unknown; starting from defaults", version)
        settings.clear()
        _reset_keys.append("every setting (a settings file this version cannot read)")
    # Version 0 (no key) needs no change: the first schema only adds keys.
    if version < 2:
        # Version 2 remembers the last lesson by id: the tab order changed to the deck's.
        settings.remove("window/last_tab")
    settings.setValue("schema_version", SCHEMA_VERSION)


def take_reset_keys() -> list[str]:
    """The keys put back to their defaults since the last call (for one message to the user)."""
    keys = list(_reset_keys)
    _reset_keys.clear()
    return keys


def _reset(settings: QSettings, key: str, value: object, why: str) -> None:
    log.warning("setting %s = %r is %s: back to its default", key, value, why)
    settings.remove(key)
    if key not in _reset_keys:
        _reset_keys.append(key)


def _to_int(value: object) -> int | None:
    # QSettings gives back what it stored, or a str when it read the value from an INI file.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value) if isinstance(value, float | str) else value
        return int(number) if number == int(number) else None
    except (ValueError, OverflowError):  # "abc", NaN, infinity
        return None


def read_int(settings: QSettings, key: str, default: int, low: int, high: int) -> int:
    """An int setting in ``[low, high]``; anything else gives ``default`` (and is reported)."""
    raw = settings.value(key)
    if raw is None:
        return default
    value = _to_int(raw)
    if value is None:
        _reset(settings, key, raw, "not a whole number")
        return default
    if not low <= value <= high:
        _reset(settings, key, raw, f"outside {low}-{high}")
        return default
    return value


def read_float(settings: QSettings, key: str, default: float, low: float, high: float) -> float:
    """A float setting in ``[low, high]``; anything else gives ``default`` (and is reported)."""
    raw = settings.value(key)
    if raw is None:
        return default
    try:
        value = float(raw) if isinstance(raw, int | float | str) else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        _reset(settings, key, raw, "not a finite number")
        return default
    if not low <= value <= high:
        _reset(settings, key, raw, f"outside {low:g}-{high:g}")
        return default
    return value


def read_choice(settings: QSettings, key: str, default: str, choices: tuple[str, ...]) -> str:
    """A string setting that must be one of ``choices`` (else ``default``, reported)."""
    value = settings.value(key)
    if value is None:
        return default
    if isinstance(value, str) and value in choices:
        return value
    _reset(settings, key, value, "not one of the choices")
    return default


def read_bytes(settings: QSettings, key: str) -> QByteArray | None:
    """Binary state (window geometry); None if missing or of the wrong type (reported)."""
    value = settings.value(key)
    if value is None:
        return None
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    _reset(settings, key, value, "not saved window state")
    return None
