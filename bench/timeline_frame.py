"""Timeline frame time at 10^5 and 10^6 intervals, offscreen at 1600x900.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.timeline_frame``. A frame is
``refresh()`` plus a forced repaint of the plot, with "now" advanced so every frame redraws.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from app.timeline import TimelineWidget
from demos.events import Kind, Lane, State
from demos.intervals import IntervalStore

LANES = 32
SPAN_S = 60.0
FRAMES = 30
FRAME_STEP_NS = 33_000_000  # now advances one 30 Hz tick per frame
CYCLE = (State.RUNNING, State.WAITING, State.BLOCKED)


def build_store(segments: int) -> IntervalStore:
    """32 lanes of alternating RUNNING/WAITING/BLOCKED intervals spread over 60 s."""
    store = IntervalStore(capacity=segments + 1024)
    for lane_id in range(LANES):
        store.add_lane(Lane(lane_id, Kind.THREAD, f"Thread-{lane_id}", 10_000 + lane_id))
    per_lane = segments // LANES
    rng = np.random.default_rng(1)
    t0 = 1_000_000_000
    # Uneven interval lengths, like real workers; events interleaved across lanes by time.
    times = np.sort(rng.uniform(0, SPAN_S * 1e9, size=(LANES, per_lane)), axis=1).astype(np.int64)
    order = np.argsort(times, axis=None, kind="stable")
    lanes_of, steps = np.unravel_index(order, times.shape)
    events = [
        (t0 + int(times[lane, step]), int(lane), int(CYCLE[step % 3]), "work")
        for lane, step in zip(lanes_of.tolist(), steps.tolist(), strict=True)
    ]
    store.add_events(events)
    return store


class _PaintCounter(QObject):
    """Counts paint events of the plot's viewport, so a frame ends when its paint is done."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Count, never consume."""
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _frames(app: QApplication, widget: TimelineWidget, now_ns: int, follow: bool) -> list[float]:
    """Milliseconds per frame over FRAMES frames.

    A frame is what the draw timer costs in the app: ``refresh()``, then back to the event loop,
    which paints the plot once (we spin it until that paint has happened).
    """
    widget.set_follow(follow)
    counter = _PaintCounter()
    viewport = widget.plot_widget.viewport()
    viewport.installEventFilter(counter)
    app.processEvents()
    out = []
    for frame in range(FRAMES + 3):
        now = now_ns + frame * FRAME_STEP_NS
        if not follow:
            # Full view: nudge the range so each frame is a real redraw, not a cache hit.
            widget.view_box.setXRange(0.0, SPAN_S + frame * 1e-3, padding=0)
        began = time.perf_counter()
        painted = counter.count
        widget.refresh(now)
        for _ in range(100):
            app.processEvents()
            if counter.count > painted:
                break
        else:
            raise RuntimeError("the timeline did not repaint")
        if frame >= 3:  # warm-up frames excluded
            out.append((time.perf_counter() - began) * 1e3)
    viewport.removeEventFilter(counter)
    return out


def run() -> list[dict]:
    """Median and p95 frame times for follow mode and the full 60 s view."""
    app = QApplication.instance() or QApplication([])
    rows = []
    for segments, label, goal_ms in ((100_000, "1e5", 16.7), (1_000_000, "1e6", 50.0)):
        store = build_store(segments)
        widget = TimelineWidget(store)
        widget.resize(1600, 900)
        widget.show()
        app.processEvents()
        now_ns = store.t_last_ns
        for view, follow in (("follow 10 s", True), ("full 60 s", False)):
            times = _frames(app, widget, now_ns, follow)
            rows.append(
                {
                    "name": f"timeline frame, {label} segments, {view}",
                    "median_ms": round(statistics.median(times), 2),
                    "p95_ms": round(float(np.percentile(times, 95)), 2),
                    "goal_ms": goal_ms,
                }
            )
        widget.close()
        widget.deleteLater()
        app.processEvents()
    return rows


def main() -> None:
    """Print the rows as a table."""
    rows = run()
    print(f"{'benchmark':<48} {'median ms':>10} {'p95 ms':>8} {'goal ms':>8}")
    for row in rows:
        print(
            f"{row['name']:<48} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f} "
            f"{row['goal_ms']:>8.1f}"
        )


if __name__ == "__main__":
    main()
