"""A scenario the lab runs as worker processes, for the tests (lessons define their own)."""

from __future__ import annotations

from demos.events import Kind
from demos.multithreading import step_worker
from demos.runtime import WorkerSpec


def worker_kind(**_params: object) -> Kind:
    """This scenario's workers are processes."""
    return Kind.PROCESS


def build_workers(processes: int, steps: int, step_ms: int, kind: str) -> list[WorkerSpec]:
    """``processes`` workers doing the Multithreading lesson's steps."""
    params = {"steps": steps, "step_ms": step_ms, "kind": kind}
    return [WorkerSpec(f"Process-{i + 1}", step_worker, params) for i in range(processes)]
