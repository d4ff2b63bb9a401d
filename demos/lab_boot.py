"""The lab on another interpreter: take its handles from stdin, then run demos.lab.lab_main.

app.foreign_lab starts ``PYTHON -m demos.lab_boot`` with the repository on PYTHONPATH and the
lab's pipe, socket and shared memory as inherited file descriptors; stdin carries one pickle
(multiprocessing's own reductions of those handles) saying which descriptor is which. Only the
standard library is imported here, as in every module the lab imports.
"""

from __future__ import annotations

import pickle
import sys
from multiprocessing import process


def boot() -> None:
    """Rebuild the handles as spawn would, then be the lab."""
    data = sys.stdin.buffer.read()
    me = process.current_process()
    me._inheriting = True  # type: ignore[attr-defined]  # what spawn sets while unpickling
    try:
        args = pickle.loads(data)
    finally:
        me._inheriting = False  # type: ignore[attr-defined]
    from demos.lab import lab_main

    lab_main(*args)


if __name__ == "__main__":
    boot()
