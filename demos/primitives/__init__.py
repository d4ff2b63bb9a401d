"""Synchronization primitives lesson: Lock, Semaphore(N), Barrier(parties), and a bounded
buffer built on Queue (Condition and Event inside), one scenario each, chosen by ``primitive``.

The lab calls :func:`build_workers` with the tab's parameters and, once every thread has ended,
:func:`result` with the same specs. Every blocking call is a short timed wait in a loop (or a
barrier that a leaving thread aborts), so Cancel always ends a run.

    python -m demos.primitives lock|semaphore|barrier|queue [options] [--json]
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from demos.events import Kind
from demos.primitives import barrier, bounded_buffer, lock, semaphore
from demos.worker import WorkerSpec

KIND = Kind.THREAD
SCENARIOS: dict[str, ModuleType] = {
    "lock": lock,
    "semaphore": semaphore,
    "barrier": barrier,
    "queue": bounded_buffer,
}
PRIMITIVES = tuple(SCENARIOS)


def scenario(primitive: str) -> ModuleType:
    """The module of one primitive's scenario."""
    try:
        return SCENARIOS[primitive]
    except KeyError:
        choices = ", ".join(PRIMITIVES)
        raise ValueError(f"primitive must be one of {choices}, not {primitive!r}") from None


def validate(primitive: str, params: dict[str, Any]) -> None:
    """Reject settings outside the scenario's limits with a clear message."""
    for name, (low, high) in scenario(primitive).LIMITS.items():
        value = params.get(name)
        if value is not None and not low <= value <= high:
            raise ValueError(f"{name} must be between {low:,} and {high:,}, not {value:,}")


def build_workers(primitive: str, **params: Any) -> list[WorkerSpec]:
    """The threads of one run of ``primitive``, all sharing one new shared object."""
    module = scenario(primitive)
    validate(primitive, params)
    specs: list[WorkerSpec] = module.build(**params)
    return specs


def result(specs: list[WorkerSpec]) -> dict[str, Any]:
    """The run's figures, read from the object its threads shared."""
    shared = specs[0].params["shared"]
    module = next(m for name, m in SCENARIOS.items() if specs[0].fn.__module__ == m.__name__)
    primitive = next(name for name, m in SCENARIOS.items() if m is module)
    figures: dict[str, Any] = shared.result()
    return {"primitive": primitive, **figures}


def deadline_s(primitive: str, **params: Any) -> float:
    """A generous bound on one run's duration, for joins."""
    module = scenario(primitive)
    merged = {**module.DEFAULTS, **params}
    merged.pop("seed", None)
    if primitive == "barrier":
        merged.pop("late", None)
    value: float = module.deadline_s(**merged)
    return value


__all__ = ["PRIMITIVES", "SCENARIOS", "build_workers", "deadline_s", "result", "scenario"]
