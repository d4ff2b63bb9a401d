"""Whether a file can be written where the user asked (a twin's ``--trace FILE``), checked
before the run: finding out after a long run, as a traceback, wastes the run."""

from __future__ import annotations

import os
from pathlib import Path


def output_path_problem(path: str | None) -> str | None:
    """Why a file cannot be written at ``path`` (None when it can, or when there is no path)."""
    if not path:
        return None
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        return "is a folder"
    if not folder.is_dir():
        return f"no folder {folder}"
    if target.exists() and not os.access(target, os.W_OK):
        return "not writable"
    if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in {folder}"
    return None
