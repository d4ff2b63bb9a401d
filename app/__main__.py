"""Start-up in one place: freeze support, logging, the exception hook, the QApplication, qasync."""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m app`` and the ``concurrency-lab`` script."""
    # First of all: in a frozen app, a spawned child must run its target, not a second GUI.
    multiprocessing.freeze_support()
    # A crash in Qt's C++ (a paint, a layout) then leaves the Python stacks on stderr, not
    # nothing. A frozen app started by a double-click may have no stderr to write to.
    with contextlib.suppress(AttributeError, OSError, RuntimeError, ValueError):
        faulthandler.enable()
    argv = sys.argv if argv is None else argv
    if "--self-test" in argv[1:]:
        from app.self_test import run_self_test

        return run_self_test(argv)
    from app.startup import run_app

    return run_app(argv)


if __name__ == "__main__":
    raise SystemExit(main())
