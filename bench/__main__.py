"""``make bench``: every benchmark in one run, printed as a table with the machine it ran on.

Figures, not assertions: this machine is shared and noisy, so goals are checked here and quoted
in the README, never in timed tests.
"""

from __future__ import annotations

import os
import platform
import sys

import psutil


def machine() -> str:
    """One line naming the machine the figures came from."""
    freq = psutil.cpu_freq()
    mhz = f", {freq.max or freq.current:.0f} MHz" if freq else ""
    return (
        f"{platform.processor() or platform.machine()}, {psutil.cpu_count()} logical cores"
        f"{mhz}, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _format(row: dict) -> tuple[str, str, str, str]:
    if "value" in row:
        return row["name"], row["value"], row["goal"], "yes" if row["ok"] else "NO"
    key = "p99_ms" if "p99_ms" in row else "median_ms"
    value = row[key]
    label = "p99" if key == "p99_ms" else "median"
    text = f"{label} {value:.1f} ms (median {row['median_ms']:.1f} ms)"
    return row["name"], text, f"<= {row['goal_ms']} ms", "yes" if value <= row["goal_ms"] else "NO"


def main() -> int:
    """Run everything and print a Markdown table."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bench import gui_load, idle_cpu, overhead, pause_latency, startup, timeline_frame

    rows: list[dict] = []
    for module in (gui_load, idle_cpu, timeline_frame, overhead, pause_latency, startup):
        print(f"running {module.__name__} ...", file=sys.stderr, flush=True)
        rows.extend(module.run())
    print(f"\nMachine: {machine()}\n")
    print("| benchmark | measured | goal | met |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(_format(row)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
