"""``python -m demos.snippets``: list the programs, or run one unmodified and time it.

    python -m demos.snippets --list [--json]
    python -m demos.snippets --run ID [--json] [--deadline-s S]

A run prints each line of the program with its time since the start, then the exit code and
the wall time beside the lesson's prediction; ``--json`` prints one JSON object instead. Exit
status: 0 when the program ended by itself with 0, 1 otherwise, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from demos.snippets.registry import SNIPPETS, Snippet, snippet_by_id
from demos.snippets.runner import Line, RunReport, command, run


def build_parser() -> argparse.ArgumentParser:
    """``--list`` or ``--run ID``, with ``--json`` and ``--deadline-s``."""
    parser = argparse.ArgumentParser(
        prog="python -m demos.snippets",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="the programs and their lessons")
    what.add_argument("--run", metavar="ID", choices=[s.id for s in SNIPPETS], help="run one")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--deadline-s", type=float, help="stop the program after this long (default: its own)"
    )
    return parser


def summary(snippet: Snippet, report: RunReport) -> str:
    """One line: how it ended, and the wall time against the prediction."""
    if report.stopped:
        ended = f"stopped at the {report.deadline_s:g} s deadline ({report.stopped})"
    else:
        ended = f"exit code {report.exit_code}"
    verdict = "as predicted" if snippet.is_about(report.wall_s) else "NOT as predicted"
    return (
        f"{ended}; wall {report.wall_s:.2f} s (predicted about {snippet.predicted_s:g} s: "
        f"{verdict})"
    )


def report_json(snippet: Snippet, report: RunReport) -> dict[str, object]:
    """The run as JSON-able values."""
    return {
        "id": snippet.id,
        "command": shlex.join(command(snippet.path)),
        "exit_code": report.exit_code,
        "stopped": report.stopped,
        "deadline_s": report.deadline_s,
        "wall_s": round(report.wall_s, 4),
        "predicted_s": snippet.predicted_s,
        "as_predicted": snippet.is_about(report.wall_s),
        "lines": [{"t_s": round(line.t_s, 4), "text": line.text} for line in report.lines],
    }


def print_line(line: Line) -> None:
    """One streamed line, with its time."""
    print(f"{line.t_s:7.2f} s | {line.text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.list:
        if args.json:
            print(json.dumps([s.as_json() for s in SNIPPETS]))
        else:
            for s in SNIPPETS:
                where = s.lesson + (f" ({s.when[0]} {s.when[1]})" if s.when else "")
                print(f"{s.id:10} {where:34} {s.title}")
        return 0
    snippet = snippet_by_id(args.run)
    deadline = args.deadline_s if args.deadline_s is not None else snippet.deadline_s
    if not args.json:
        print(f"$ {shlex.join(command(snippet.path))}", flush=True)
    report = run(snippet.path, deadline, None if args.json else print_line)
    if args.json:
        print(json.dumps(report_json(snippet, report)))
    else:
        print(summary(snippet, report))
    return 0 if report.completed else 1


if __name__ == "__main__":
    sys.exit(main())
