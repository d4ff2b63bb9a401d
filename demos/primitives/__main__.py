"""The terminal twin of the Synchronization primitives tab.

    python -m demos.primitives lock      [--workers 4] [--rounds 3] [--hold-ms 100] [--work-ms 50]
    python -m demos.primitives semaphore [--permits 3] [--workers 8] [--rounds 3] [--hold-ms 150]
    python -m demos.primitives barrier   [--parties 5] [--rounds 2] [--work-ms 800] [--late]
                                         [--timeout-ms 1000] [--seed N]
    python -m demos.primitives queue     [--capacity 5] [--producers 2] [--consumers 2]
                                         [--produce-ms 50] [--consume-ms 150] [--items 15]
    python -m demos.primitives condition [--producers 1] [--consumers 3] [--items 10]
                                         [--produce-ms 100] [--consume-ms 20] [--if-not-while]
    python -m demos.primitives event     [--waiters 8] [--rounds 3] [--delay-ms 300]
    python -m demos.primitives rlock     [--depth 4] [--level-ms 100] [--detect-ms 500]

Each prints what the threads did and the primitive's figures; ``--json`` adds one JSON line.
"""

from __future__ import annotations

import argparse
from typing import Any

from demos.primitives import KIND, PRIMITIVES, build_workers, deadline_s, declaration, summarize
from demos.twin import add_common_arguments, finish, print_lane_summary, run_locally, twin_main


def build_parser() -> argparse.ArgumentParser:
    """One sub-command per primitive, with an option per declared parameter of its scenario."""
    parser = argparse.ArgumentParser(
        prog="python -m demos.primitives",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="primitive", required=True, metavar="PRIMITIVE")
    for name in PRIMITIVES:
        scenario = declaration(name)
        command = sub.add_parser(name, help=scenario.summary, description=scenario.summary)
        scenario.add_arguments(command)
        if name == "barrier":
            command.add_argument("--seed", type=int, default=None, help="repeatable work times")
        add_common_arguments(command)
    return parser


def describe(figures: dict[str, Any]) -> list[str]:
    """The figures that matter for each primitive, one per line."""
    kind = figures["primitive"]
    if kind == "lock":
        lines = [
            f"  {name:<10} held {s:.3f} s, waited {figures['wait_s'][name]:.3f} s"
            for name, s in figures["hold_s"].items()
        ]
        return [
            *lines,
            f"acquisitions {figures['acquisitions']}, max_waiters {figures['max_waiters']}",
            f"held {figures['total_hold_s']:.3f} s of a {figures['locked_span_s']:.3f} s span "
            f"({figures['busy_share']:.0%}); overlapping holds: {figures['overlaps']}",
        ]
    if kind == "semaphore":
        return [
            f"permits {figures['permits']}, max_occupancy {figures['max_occupancy']}",
            f"{figures['entries']} entries, blocked {figures['times_blocked']} times, "
            f"{figures['wait_s_total']:.3f} s waiting in total",
        ]
    if kind == "barrier":
        lines = [
            f"release_spread_ms {figures['release_spread_ms']} "
            f"(per round {figures['release_spread_ms_per_round']}; "
            f"arrivals spread {figures['arrival_spread_ms_per_round']} ms)"
        ]
        if figures["broken"]:
            lines.append(f"BrokenBarrierError handled by {', '.join(figures['handled_by'])}")
        return lines
    return [
        f"capacity {figures['capacity']}, max_depth {figures['max_depth']}, "
        f"mean depth {figures['mean_depth']}",
        f"{figures['consumed']} of {figures['items']} items consumed",
        f"producers blocked {figures['producer_blocks']} times "
        f"({figures['producer_blocked_s']:.3f} s), consumers {figures['consumer_blocks']} times "
        f"({figures['consumer_blocked_s']:.3f} s)",
    ]


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin."""
    parser = build_parser()
    args = parser.parse_args(argv)
    params = declaration(args.primitive).from_args(parser, args)
    specs = build_workers(args.primitive, getattr(args, "seed", None), **params)
    run, store = run_locally(KIND, specs, timeout_s=deadline_s(args.primitive, **params))
    elapsed_s = ((run.t_end_ns() or store.t_last_ns) - run.t_start_ns) / 1e9
    measured = summarize(specs)
    figures = measured.as_json()
    figures.pop("holds", None)  # raw intervals: for tests and the tab, too long to print
    figures["elapsed_s"] = round(elapsed_s, 4)
    print(f"{args.primitive}: {declaration(args.primitive).summary}")
    print_lane_summary(store)
    lines = measured.lines() if hasattr(measured, "lines") else describe(figures)
    for line in lines:
        print(line)
    print(f"elapsed {elapsed_s:.2f} s")
    print(measured.verdict())
    return finish(args, store, figures)


if __name__ == "__main__":
    raise SystemExit(main())
