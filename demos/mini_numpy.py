"""The few numpy operations demos.intervals uses, on lists: for interpreters without numpy.

A twin run with ``--python`` on another interpreter (demos.other_python) has only the standard
library there. Its store of intervals is small (one run of a twin), so lists are fast enough.
Slices are copies, not views: the store only reads them, or assigns whole slices.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import Any

int64, int32, int8 = "int64", "int32", "int8"


class ndarray:  # noqa: N801 - named as numpy names it, for the annotations in demos.intervals
    """A one-dimensional array over a list."""

    def __init__(self, items: Iterable[Any], dtype: str = int64) -> None:
        self.items = list(items)
        self.dtype = dtype

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, ndarray):  # a boolean mask
            return ndarray((v for v, keep in zip(self.items, key.items, strict=True) if keep))
        if isinstance(key, slice):
            return ndarray(self.items[key], self.dtype)
        return self.items[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, ndarray):
            self.items = [
                value if keep else v for v, keep in zip(self.items, key.items, strict=True)
            ]
        elif isinstance(key, slice):
            self.items[key] = value.items if isinstance(value, ndarray) else value
        else:
            self.items[key] = value

    def copy(self) -> ndarray:
        """A copy (numpy's ``.copy()``)."""
        return ndarray(self.items, self.dtype)

    def sum(self) -> Any:
        """The sum of the items."""
        return sum(self.items)

    def _map(self, other: Any, op: Callable[[Any, Any], Any]) -> ndarray:
        if isinstance(other, ndarray):
            return ndarray(op(a, b) for a, b in zip(self.items, other.items, strict=True))
        return ndarray(op(a, other) for a in self.items)

    def __eq__(self, other: object) -> ndarray:  # type: ignore[override]
        return self._map(other, lambda a, b: a == b)

    def __le__(self, other: Any) -> ndarray:
        return self._map(other, lambda a, b: a <= b)

    def __ge__(self, other: Any) -> ndarray:
        return self._map(other, lambda a, b: a >= b)

    def __and__(self, other: Any) -> ndarray:
        return self._map(other, lambda a, b: bool(a and b))

    def __sub__(self, other: Any) -> ndarray:
        return self._map(other, lambda a, b: a - b)

    def __truediv__(self, other: Any) -> ndarray:
        return self._map(other, lambda a, b: a / b)

    __hash__ = None  # type: ignore[assignment]


def zeros(size: int, dtype: str = int64) -> ndarray:
    """``size`` zeros."""
    return ndarray([0] * size, dtype)


def nonzero(array: ndarray) -> tuple[ndarray]:
    """The indices of the true items, as numpy gives them (a 1-tuple)."""
    return (ndarray(i for i, v in enumerate(array.items) if v),)


def any(array: ndarray) -> bool:  # noqa: A001 - numpy's name
    """True if any item is true."""
    return builtins.any(array.items)
