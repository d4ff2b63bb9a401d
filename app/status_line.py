"""The status line: the lab's pid, workers alive, events per second, events dropped."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QWidget

from app.lab_client import LabClient
from demos.events import MAIN_LANE_ID, now_ns


class StatusLine:
    """Permanent figures at the right of the status bar, updated twice a second while a run goes
    (the window's heartbeat stops between runs, after one last update)."""

    def __init__(self, bar: QStatusBar, lab: LabClient) -> None:
        self.lab = lab
        self.lab_label = QLabel()
        self.workers_label = QLabel()
        self.rate_label = QLabel()
        self.dropped_label = QLabel()
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        for label in (self.lab_label, self.workers_label, self.rate_label, self.dropped_label):
            box.addWidget(label)
        bar.addPermanentWidget(row)
        self._last_event_count = 0
        self._last_status_ns = now_ns()

    def update(self) -> None:
        """New figures from the lab client."""
        lab = self.lab
        t = now_ns()
        rate = (lab.events_received - self._last_event_count) / max(
            1e-9, (t - self._last_status_ns) / 1e9
        )
        self._last_event_count, self._last_status_ns = lab.events_received, t
        store = lab.store
        alive = (
            sum(
                1
                for lane in store.lanes
                if lane.lane_id != MAIN_LANE_ID  # the lab's own main thread is no worker
                if (state := store.current_state(lane.lane_id)) is not None
                and not state.is_terminal
            )
            if lab.running
            else 0
        )
        _set(self.lab_label, f"lab pid {lab.pid or '-'}")
        _set(self.workers_label, f"  workers alive {alive}")
        _set(self.rate_label, f"  events/s {rate:,.0f}")
        _set(self.dropped_label, f"  dropped {lab.dropped:,}")


def _set(label: QLabel, text: str) -> None:
    """Only a changed text is set: the status bar then repaints nothing."""
    if label.text() != text:
        label.setText(text)
