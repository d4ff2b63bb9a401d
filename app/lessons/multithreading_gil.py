"""The Multithreading tab's GIL figures: per thread, time running, time waiting, hand-offs/s.

Read from the run's own intervals (the READY slices the CPU steps emit), so the table says
what the timeline draws.
"""

from __future__ import annotations

from html import escape
from typing import Any

from demos.events import MAIN_LANE_ID
from demos.intervals import IntervalStore
from demos.multithreading_gil import GilFigures, measure

MAX_ROWS = 8  # beyond this many threads the table shows the first ones and a summary line


def gil_figures(
    store: IntervalStore, elapsed_s: float, lab_figures: dict[str, Any], params: dict[str, Any]
) -> GilFigures:
    """The figures of a lab run: its worker lanes, under the setting the lab reported."""
    workers = {lane.lane_id for lane in store.lanes if lane.lane_id != MAIN_LANE_ID}
    interval = lab_figures.get("switch_interval_ms") or params.get("switch_interval_ms", 5)
    return measure(
        store,
        workers,
        enabled=bool(lab_figures.get("gil_enabled", True)),
        switch_interval_ms=float(interval),
        elapsed_s=elapsed_s,
    )


def handoffs_text(gil: GilFigures) -> str:
    """The summary figure: hand-offs in all and per second of the run."""
    rate = gil.handoffs / gil.elapsed_s if gil.elapsed_s > 0 else 0.0
    return f"{gil.handoffs} ({rate:.0f}/s, switch interval {gil.switch_interval_ms:g} ms)"


def table_html(gil: GilFigures) -> str:
    """One row per thread (the first MAX_ROWS): running, waiting for the GIL, waiting for a
    CPU, hand-offs per second."""
    head = (
        "<tr><th align='left'>thread</th><th>running</th><th>waiting: GIL</th>"
        "<th>waiting: CPU</th><th>hand-offs/s</th></tr>"
    )
    rows = [
        f"<tr><td>{escape(t.name)}</td><td align='right'>{t.running_s:.2f} s</td>"
        f"<td align='right'>{t.gil_wait_s:.2f} s</td>"
        f"<td align='right'>{t.cpu_wait_s:.2f} s</td>"
        f"<td align='right'>{t.handoffs_per_s:.0f}</td></tr>"
        for t in gil.threads[:MAX_ROWS]
    ]
    more = len(gil.threads) - MAX_ROWS
    if more > 0:
        rates = [t.handoffs_per_s for t in gil.threads]
        rows.append(
            f"<tr><td colspan='5'>... and {more} more; hand-offs/s from {min(rates):.0f} "
            f"to {max(rates):.0f}</td></tr>"
        )
    return f"<table cellspacing='4'>{head}{''.join(rows)}</table>"
