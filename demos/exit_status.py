"""How a terminal twin's run ended, and the exit status that says so.

- 0: the run completed as the lesson intends (including outcomes a lesson designs, such as a
  deadlock recovered by Cancel or a barrier broken on purpose);
- 1: a worker failed, the run missed its deadline and had to be cancelled (or its processes
  terminated), or Ctrl+C cancelled it; one ``error: ...`` line on stderr says which;
- 2: bad arguments (argparse's ``parser.error``).

Each twin's ``main`` is wrapped by :func:`twin_main`, which opens a :class:`TwinOutcome` for the
call. ``run_locally`` (demos.twin) and the twins' own code note what went wrong in it; ``finish``
turns it into the exit status. This module imports only the standard library and demos.events,
so lesson modules whose worker processes must import quickly can use it at module level.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from demos.events import State
from demos.output_path import output_path_problem

if TYPE_CHECKING:
    from demos.context import Control
    from demos.worker import Worker

EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REPORT_VARIABLE = "CONCURRENCY_LAB_REPORT_PYTHON"  # set by --python: the twin names its Python
INTERRUPTED = "cancelled by Ctrl+C"


@dataclass
class TwinOutcome:
    """What went wrong during one twin invocation (nothing, for a completed run)."""

    failures: list[str] = field(default_factory=list)
    missed_deadline: str = ""
    interrupted: bool = False

    @property
    def reason(self) -> str:
        """One line saying why the run did not complete; empty when it did."""
        if self.interrupted:
            return INTERRUPTED
        if self.missed_deadline:
            return self.missed_deadline
        if self.failures:
            more = len(self.failures) - 1
            return self.failures[0] + (f" (and {more} more failed)" if more else "")
        return ""

    @property
    def exit_status(self) -> int:
        """0 when the run completed as the lesson intends, else 1."""
        return EXIT_FAILED if self.reason else EXIT_COMPLETED


_current: TwinOutcome | None = None


def current() -> TwinOutcome:
    """The outcome of the twin being run; a throwaway one outside :func:`twin_main`."""
    return _current if _current is not None else TwinOutcome()


def note_failure(reason: str) -> None:
    """Record an unexpected failure, e.g. ``"Thread-3 failed: ZeroDivisionError: ..."``."""
    current().failures.append(reason)


def note_missed_deadline(reason: str) -> None:
    """Record that a run overran its deadline and was cancelled (the first one is reported)."""
    outcome = current()
    if not outcome.missed_deadline:
        outcome.missed_deadline = reason


def note_interrupted() -> None:
    """Record that the user pressed Ctrl+C."""
    current().interrupted = True


def note_failed_workers(
    workers: Iterable[Worker], details: Mapping[int, str] | None = None
) -> None:
    """Record every worker that ended FAILED (no twin fails a worker on purpose by default).

    ``details`` (lane id -> last event detail) names the error when the worker's outcome does
    not, as for a process that caught its own exception and exited normally.
    """
    details = details or {}
    for worker in workers:
        if worker.outcome.state is State.FAILED:
            detail = worker.outcome.message or details.get(worker.lane_id, "") or "no detail"
            note_failure(f"{worker.spec.name} failed: {detail}")


def deadline_text(seconds: float) -> str:
    """A deadline for people: ``12`` or ``0.5``, not ``12.000000001``."""
    return f"{round(seconds, 1):g}"


def cancel_on_sigint(control: Control) -> Callable[[int, Any], None]:
    """A SIGINT handler that cancels a run cooperatively and remembers that Ctrl+C did it."""

    def handler(_signum: int, _frame: Any) -> None:
        note_interrupted()
        control.cancel()

    return handler


def report(outcome: TwinOutcome) -> int:
    """Write the ``error:`` line for an incomplete run; returns the exit status."""
    if outcome.reason:
        print(f"error: {outcome.reason}", file=sys.stderr)
        sys.stderr.flush()
    return outcome.exit_status


def _abort(outcome: TwinOutcome, argv: list[str] | None) -> int:
    """End a twin that could not produce its result: the JSON line holds only the reason."""
    words = sys.argv[1:] if argv is None else argv
    if "--json" in words:
        print(json.dumps({"exit_reason": outcome.reason}))
        sys.stdout.flush()
    return report(outcome)


def _trace_problem(words: list[str]) -> str | None:
    """Why the ``--trace`` file named on the command line cannot be written, if it cannot."""
    for index, word in enumerate(words):
        path = None
        if word == "--trace" and index + 1 < len(words):
            path = words[index + 1]
        elif word.startswith("--trace="):
            path = word.split("=", 1)[1]
        problem = output_path_problem(path)
        if problem:
            return f"--trace {path}: {problem}"
    return None


def _program(main: Callable[..., Any]) -> str:
    module = getattr(main, "__module__", "") or "the twin"
    if module == "__main__":  # run with -m: the module's real name is in its spec
        spec = getattr(sys.modules.get("__main__"), "__spec__", None)
        module = spec.name if spec is not None else "the twin"
    return f"python -m {module.removesuffix('.__main__')}"


class TwinMain(Protocol):
    """A twin's ``main``: command-line words (``sys.argv[1:]`` when None) in, exit status out."""

    def __call__(self, argv: list[str] | None = None) -> int: ...


def twin_main(main: TwinMain) -> TwinMain:
    """Wrap a twin's ``main`` so each call gets its own :class:`TwinOutcome`.

    Ctrl+C outside a run (``KeyboardInterrupt``) exits 1 with "cancelled by Ctrl+C". An exception
    raised after a failure was noted (a run cancelled half-way leaves figures that cannot be
    summarised) exits 1 with the noted reason; any other exception is a bug and propagates.
    """

    @functools.wraps(main)
    def wrapper(argv: list[str] | None = None) -> int:
        words = sys.argv[1:] if argv is None else list(argv)
        if any(w == "--python" or w.startswith("--python=") for w in words):
            # The same twin on another interpreter. Imported here, not at the top: worker
            # processes import this module and must not pay for subprocess and the rest.
            from demos.other_python import run_on, split_python

            python, rest = split_python(words)
            if python is not None:
                return run_on(python, _program(main).split()[-1], rest, _program(main))
        problem = _trace_problem(words)
        if problem:  # said before the run, not as a traceback after it
            print(f"{_program(main)}: error: {problem}", file=sys.stderr)
            return 2
        global _current
        outer, _current = _current, TwinOutcome()
        outcome = _current
        try:
            if os.environ.get(REPORT_VARIABLE):  # in here: a Ctrl+C as it prints is a cancel
                from demos.other_python import python_line

                print(python_line(), flush=True)
            return main(argv)
        except KeyboardInterrupt:
            outcome.interrupted = True
            return _abort(outcome, argv)
        except Exception:
            if not outcome.reason:
                raise
            return _abort(outcome, argv)
        finally:
            _current = outer

    return wrapper


__all__ = [
    "EXIT_COMPLETED",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "TwinOutcome",
    "cancel_on_sigint",
    "current",
    "deadline_text",
    "note_failed_workers",
    "note_failure",
    "note_interrupted",
    "note_missed_deadline",
    "report",
    "twin_main",
]
