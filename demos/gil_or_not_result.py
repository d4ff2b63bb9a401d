"""The "GIL or no GIL" result: one interpreter, one job, four ways, and the verdict those
figures support. The verdict reads the figures and the interpreter's GIL as reported; it never
assumes what a build "should" do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from demos.result_json import from_json

MODELS = ("baseline", "threads", "processes", "subinterpreters")
MODEL_LABELS = {
    "baseline": "one thread",
    "threads": "threads",
    "processes": "processes",
    "subinterpreters": "subinterpreters",
}
# Above this speedup workers ran at the same time: taking turns measures about 1.0x.
SPEEDUP_GAIN = 1.3


@dataclass(frozen=True)
class ModelFigures:
    """One model's figures (seconds), or why it could not run and how to get it."""

    available: bool
    elapsed_s: float = 0.0
    speedup: float = 0.0
    startup_s: float = 0.0  # to get every worker ready; not in elapsed_s
    data_s: float = 0.0  # one round of the payload to every worker and back; not in elapsed_s
    why: str = ""
    how: str = ""

    def gained(self) -> bool:
        """Ran measurably in parallel."""
        return self.available and self.speedup > SPEEDUP_GAIN

    def as_json(self) -> dict[str, Any]:
        """Figures when it ran; ``{"available": false, "why", "how"}`` when it could not."""
        if not self.available:
            return {"available": False, "why": self.why, "how": self.how}
        return {
            "available": True,
            "elapsed_s": self.elapsed_s,
            "speedup": self.speedup,
            "startup_s": self.startup_s,
            "data_s": self.data_s,
        }

    @classmethod
    def from_json(cls, data: object) -> ModelFigures:
        """Read back :meth:`as_json` (KeyError/TypeError/ValueError when it does not fit)."""
        if not isinstance(data, dict):
            raise TypeError("a model's figures must be a dictionary")
        if data.get("available") is False:
            return cls(False, why=str(data["why"]), how=str(data["how"]))
        return from_json(cls, {"why": "", "how": "", **data})


@dataclass(frozen=True)
class Interpreter:
    """The Python the job ran on, as it reported itself."""

    version: str
    implementation: str
    executable: str
    gil_enabled: bool
    free_threaded: bool

    @property
    def label(self) -> str:
        """ "Python 3.13.0 (GIL on)", "Python 3.14.1t (free-threaded, GIL off)"."""
        build = "free-threaded, " if self.free_threaded else ""
        name = "Python" if self.implementation == "cpython" else self.implementation
        return f"{name} {self.version}{'t' if self.free_threaded else ''} ({build}GIL " + (
            "on)" if self.gil_enabled else "off)"
        )


@dataclass(frozen=True)
class GilOrNotResult:
    """The job's settings, where it ran, and each model's figures."""

    workers: int
    total_ms: int
    data_kb: int
    usable_cores: int
    interpreter: Interpreter
    models: dict[str, ModelFigures] = field(default_factory=dict)

    def model(self, name: str) -> ModelFigures:
        """A model's figures (not available, if it was not run)."""
        return self.models.get(name, ModelFigures(False, why="not run"))

    def verdict(self) -> str:
        """What the figures show, one sentence per model, conditioned on the GIL as reported."""
        if self.workers < 2:
            return "One worker: nothing can overlap. Give the job two or more workers."
        return " ".join(
            [self._threads(), self._processes(), self._subinterpreters(), self._room()]
        ).strip()

    def _threads(self) -> str:
        t = self.model("threads")
        if not t.available:
            return ""
        if t.gained() and not self.interpreter.gil_enabled:
            return f"Threads {t.speedup:.1f}x: they ran in parallel (the GIL is off)."
        if t.gained():
            # More than taking turns can give: the one-thread run was slowed by other programs.
            return (
                f"Threads {t.speedup:.1f}x with the GIL on: more than taking turns can give, so "
                "other programs slowed the one-thread run. Run again on a quieter machine."
            )
        if self.interpreter.gil_enabled:
            return f"Threads {t.speedup:.1f}x: the GIL serialises them, one runs at a time."
        return f"Threads {t.speedup:.1f}x with the GIL off: no gain measured (too few free cores?)."

    def _processes(self) -> str:
        p = self.model("processes")
        if not p.available:
            return ""
        cost = f"after {p.startup_s:.2f} s to start and {p.data_s * 1000:.0f} ms to pass the data"
        if p.gained():
            return f"Processes {p.speedup:.1f}x, in parallel on separate cores ({cost})."
        return f"Processes {p.speedup:.1f}x: no gain here ({cost})."

    def _subinterpreters(self) -> str:
        s = self.model("subinterpreters")
        if not s.available:
            return f"Subinterpreters: not available ({s.why})."
        if s.gained():
            return (
                f"Subinterpreters {s.speedup:.1f}x: each has its own GIL, so they ran in "
                f"parallel in one process (start-up {s.startup_s:.2f} s)."
            )
        return f"Subinterpreters {s.speedup:.1f}x: no gain here."

    def _room(self) -> str:
        """Say so when the machine could not show more than it did."""
        if self.usable_cores < 2:
            return "This machine lets us use one core: nothing could run in parallel."
        if self.workers > self.usable_cores:
            return f"Only {self.usable_cores} cores: at best about {self.usable_cores}x."
        return ""

    def as_json(self) -> dict[str, Any]:
        """Settings, interpreter, one entry per model and the verdict."""
        return {
            "workers": self.workers,
            "total_ms": self.total_ms,
            "data_kb": self.data_kb,
            "usable_cores": self.usable_cores,
            "interpreter": {**vars(self.interpreter), "label": self.interpreter.label},
            **{name: figures.as_json() for name, figures in self.models.items()},
            "verdict": self.verdict(),
        }

    @classmethod
    def from_json(cls, data: object) -> GilOrNotResult:
        """Read back :meth:`as_json` (KeyError/TypeError/ValueError when it does not fit)."""
        if not isinstance(data, dict):
            raise TypeError("a GIL-or-not result must be a dictionary")
        interp = {k: v for k, v in data["interpreter"].items() if k != "label"}
        return cls(
            workers=_int(data, "workers"),
            total_ms=_int(data, "total_ms"),
            data_kb=_int(data, "data_kb"),
            usable_cores=_int(data, "usable_cores"),
            interpreter=from_json(Interpreter, interp),
            models={m: ModelFigures.from_json(data[m]) for m in MODELS if m in data},
        )


def _int(data: dict[str, Any], key: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key} is not a whole number")
    return value
