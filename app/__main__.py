"""Start-up in one place: freeze support, logging, the exception hook, the QApplication, qasync."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m app`` and the ``concurrency-lab`` script."""
    # First of all: in a frozen app, a spawned child must run its target, not a second GUI.
    multiprocessing.freeze_support()
    argv = sys.argv if argv is None else argv
    if "--self-test" in argv[1:]:
        from app.self_test import run_self_test

        return run_self_test(argv)
    from app.startup import run_app

    return run_app(argv)


if __name__ == "__main__":
    raise SystemExit(main())
