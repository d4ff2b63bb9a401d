"""Typed reads from the plain JSON a lesson's result travels as (between processes, in saved runs).

Each read raises KeyError for a missing key and TypeError for a value of the wrong type, so a
result's ``from_json`` turns nonsense into an error the saved-run loader can report clearly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

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


def mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
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
