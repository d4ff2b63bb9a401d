"""A recorded run: lanes, events, marks, settings and figures, saved to one file and read back.

The file is gzip-compressed JSON (``.clrun``), versioned, so a presenter can replay a run on a
machine where a live demo misbehaves. Events are rebuilt from the store's intervals: every
interval starts with the event that opened it, so nothing is lost.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from demos.events import Event, Lane, Mark
from demos.intervals import IntervalStore

FORMAT = "concurrency-lab-run"
VERSION = 1
SUFFIX = ".clrun"


class RecordingError(ValueError):
    """The file is not a run this version can read; the message says why."""


@dataclass
class Recording:
    """Everything needed to replay a run without running workers."""

    lesson: str
    params: dict[str, Any]
    lanes: list[Lane]
    events: list[Event]  # sorted by time
    marks: list[Mark] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @functools.cached_property
    def times_ns(self) -> np.ndarray:
        """Event times, for binary searches while replaying."""
        return np.fromiter((e[0] for e in self.events), dtype=np.int64, count=len(self.events))

    def cut(self, until_ns: int) -> int:
        """How many events happened within ``until_ns`` of the start."""
        return int(np.searchsorted(self.times_ns, self.t0_ns + until_ns, side="right"))

    @property
    def t0_ns(self) -> int:
        """Time of the first event."""
        return self.events[0][0] if self.events else 0

    @property
    def duration_ns(self) -> int:
        """From the first event to the last."""
        return self.events[-1][0] - self.t0_ns if self.events else 0


def from_store(
    store: IntervalStore, lesson: str, params: dict[str, Any], result: dict[str, Any]
) -> Recording:
    """Capture a store's run."""
    n = store.count
    order = np.argsort(store.start_ns[:n], kind="stable")
    lane_ids = [lane.lane_id for lane in store.lanes]
    events: list[Event] = [
        (
            int(store.start_ns[i]),
            lane_ids[int(store.row[i])],
            int(store.state[i]),
            store.detail[i],
        )
        for i in order
    ]
    return Recording(lesson, dict(params), list(store.lanes), events, list(store.marks), result)


def save(recording: Recording, path: str | Path) -> None:
    """Write a ``.clrun`` file."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "lesson": recording.lesson,
        "params": recording.params,
        "lanes": [lane.as_tuple() for lane in recording.lanes],
        "events": recording.events,
        "marks": [(m.t_ns, m.label) for m in recording.marks],
        "result": recording.result,
    }
    with gzip.open(path, "wt", encoding="utf-8") as file:
        json.dump(data, file)


def load(path: str | Path) -> Recording:
    """Read a ``.clrun`` file; anything malformed raises RecordingError with a clear message."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{Path(path).name} is not a Concurrency Lab run ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f"{Path(path).name} is not a Concurrency Lab run")
    if data.get("version") != VERSION:
        raise RecordingError(
            f"{Path(path).name} was saved by another version (format {data.get('version')})"
        )
    try:
        lanes = [Lane.from_tuple(item) for item in data["lanes"]]
        events: list[Event] = [
            (int(t), int(lane), int(state), str(detail))
            for t, lane, state, detail in data["events"]
        ]
        marks = [Mark(int(t), str(label)) for t, label in data.get("marks", [])]
        return Recording(
            str(data.get("lesson", "")),
            dict(data.get("params", {})),
            lanes,
            sorted(events, key=lambda e: e[0]),
            marks,
            dict(data.get("result", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{Path(path).name} is damaged: {exc}") from exc


def fill_store(store: IntervalStore, recording: Recording, until_ns: int) -> None:
    """Put the recording into ``store`` up to ``until_ns`` after its start (for replay)."""
    store.clear()
    for lane in recording.lanes:
        store.add_lane(lane)
    store.add_events(recording.events[: recording.cut(until_ns)])
    limit = recording.t0_ns + until_ns
    for mark in recording.marks:
        if mark.t_ns <= limit:
            store.add_mark(mark)
