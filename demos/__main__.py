"""``python -m demos``: the lessons, in tab order, and the commands that run them in a terminal.

``python -m demos --json`` prints the same list as one JSON array of ``{"id", "title", "twin"}``.
"""

from __future__ import annotations

import argparse
import json

from demos.registry import LESSONS


def main(argv: list[str] | None = None) -> int:
    """Print the lesson list (``--json``: as one JSON array)."""
    parser = argparse.ArgumentParser(prog="python -m demos", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps([entry.as_json() for entry in LESSONS]))
        return 0
    print("Concurrency Lab lessons, in the app's tab order (each twin prints a summary;")
    print("--json ends it with one JSON line, --trace FILE writes a Chrome trace):\n")
    for number, entry in enumerate(LESSONS, start=1):
        print(f"{number}. {entry.title}\n     {entry.summary}")
        if entry.pages:
            for page in entry.pages:
                print(f"     - {page.title}: {page.summary}\n         {page.twin}")
        else:
            print(f"     {entry.twin}")
        for view in entry.views:
            print(f"     - {view.title}: {view.summary}\n         {view.twin}")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
