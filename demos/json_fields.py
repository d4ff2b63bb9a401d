"""Typed reads of a lesson result's JSON (``from_json``): the wrong type or a missing key raises.

The lab sends a run's figures between processes as plain JSON-able data, and saved runs store
them, so a result type rebuilds itself from a dict it does not control. These helpers check each
value's type as they read it: a missing key raises KeyError, a value of the wrong type TypeError
and an impossible value ValueError, which saved-run loading turns into a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast


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


# Generic reads by type (the deadlock, primitives and thread-states results use these).
T = TypeVar("T")


def check(value: object, kind: type[T], key: str) -> T:
    """``value``, which must be a ``kind`` (an int is accepted as a float); ``key`` names it."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return cast(T, float(value))  # JSON writes 2.0 as 2 in some encoders
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise TypeError(f"{key}: expected {kind.__name__}, not {type(value).__name__}")
    return value


def need(data: Mapping[str, Any], key: str, kind: type[T]) -> T:
    """``data[key]``, which must be a ``kind`` (an int is accepted as a float)."""
    return check(data[key], kind, key)


def maybe(data: Mapping[str, Any], key: str, kind: type[T]) -> T | None:
    """``data[key]`` as :func:`need`, or None when it is None (the key must be there)."""
    value = data[key]
    return None if value is None else check(value, kind, key)


def items(data: Mapping[str, Any], key: str, kind: type[T]) -> tuple[T, ...]:
    """``data[key]``, a list of ``kind``, as a tuple."""
    value = data[key]
    if not isinstance(value, list | tuple):
        raise TypeError(f"{key}: expected a list, not {type(value).__name__}")
    return tuple(check(v, kind, f"{key}[{i}]") for i, v in enumerate(value))


def member(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]``, which must be a JSON object."""
    value = data[key]
    if not isinstance(value, dict):
        raise TypeError(f"{key}: expected an object, not {type(value).__name__}")
    return value


def one_of(data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str:
    """``data[key]``, a string among ``choices``; ValueError for any other."""
    value = need(data, key, str)
    if value not in choices:
        raise ValueError(f"{key}: {value!r} is not one of {', '.join(choices)}")
    return value
