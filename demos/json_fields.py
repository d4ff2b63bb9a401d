"""Typed reads of a lesson result's JSON (``from_json``): the wrong type or a missing key raises.

The lab sends a run's figures between processes as plain JSON-able data, and saved runs store
them, so a result type rebuilds itself from a dict it does not control. These helpers check each
value's type as they read it: a missing key raises KeyError, a value of the wrong type TypeError
and an impossible value ValueError, which saved-run loading turns into a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def mapping(data: object, what: str = "result") -> Mapping[str, Any]:
    """``data`` itself, if it is a dict (a result's JSON always is)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"{what} must be a JSON object, not {type(data).__name__}")
    return data


def read_int(data: Mapping[str, Any], key: str, minimum: int | None = 0) -> int:
    """An int (not a bool), at least ``minimum`` unless that is None."""
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} must be an integer, not {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{key} must be at least {minimum}, not {value}")
    return value


def read_float(data: Mapping[str, Any], key: str, minimum: float | None = 0.0) -> float:
    """A number (int or float, not a bool) as a float, at least ``minimum`` unless None."""
    return as_float(data[key], key, minimum)


def as_float(value: object, key: str, minimum: float | None = 0.0) -> float:
    """``value`` as a float, checked as :func:`read_float` checks it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number, not {value!r}")
    number = float(value)
    if number != number or (minimum is not None and number < minimum):  # NaN, or too small
        raise ValueError(f"{key} must be a number of at least {minimum}, not {value!r}")
    return number


def read_optional_float(data: Mapping[str, Any], key: str) -> float | None:
    """A non-negative number, or None when the key is absent or null."""
    value = data.get(key)
    return None if value is None else as_float(value, key)


def read_optional_int(data: Mapping[str, Any], key: str) -> int | None:
    """A non-negative int, or None when the key is absent or null."""
    return None if data.get(key) is None else read_int(data, key)


def read_bool(data: Mapping[str, Any], key: str) -> bool:
    """A bool."""
    value = data[key]
    if not isinstance(value, bool):
        raise TypeError(f"{key} must be true or false, not {value!r}")
    return value


def read_str(data: Mapping[str, Any], key: str) -> str:
    """A string."""
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be a string, not {value!r}")
    return value


def read_list(data: Mapping[str, Any], key: str) -> list[Any]:
    """A list (a tuple, as a result built in this process may hold, is accepted too)."""
    value = data[key]
    if not isinstance(value, list | tuple):
        raise TypeError(f"{key} must be a list, not {value!r}")
    return list(value)


def read_int_list(data: Mapping[str, Any], key: str, length: int | None = None) -> tuple[int, ...]:
    """A list of non-negative ints, of ``length`` items unless that is None."""
    items = read_list(data, key)
    if length is not None and len(items) != length:
        raise ValueError(f"{key} must hold {length} numbers, not {len(items)}")
    return tuple(read_int({key: item}, key) for item in items)
