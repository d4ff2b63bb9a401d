"""Typed results from JSON: rebuild a frozen result dataclass from what its ``as_json`` wrote.

The lab sends a lesson's figures between processes as plain JSON-able data, and saved runs store
them; a result class checks that data field by field as it comes back. Anything that does not fit
raises KeyError (a field is missing), TypeError (a field has the wrong type) or ValueError (a
number is not finite): saved-run loading turns those into a clear message.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def from_json(cls: type[T], data: object) -> T:
    """An instance of the dataclass ``cls`` from ``data``; keys it does not know are ignored
    (``as_json`` adds the verdict, which is derived, never read back)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"{cls.__name__} needs a dictionary, not {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _value(hints[f.name], data[f.name], f"{cls.__name__}.{f.name}")
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]  # cls is a dataclass
    }
    return cls(**values)


def _value(kind: Any, value: object, where: str) -> Any:
    """``value`` checked against the annotation ``kind`` (and nested dataclasses rebuilt)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _value(inner, value, where)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise TypeError(f"{where} is not a list")
        item = args[0]
        return tuple(_value(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_json(kind, value)
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{where} is not true or false")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} is not a whole number")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} is not a number")
        if not math.isfinite(value):
            raise ValueError(f"{where} is not a finite number")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise TypeError(f"{where} is not text")
        return value
    raise TypeError(f"{where}: no JSON reading for {kind!r}")
