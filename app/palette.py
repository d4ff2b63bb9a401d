"""Colours for states, from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), plus a neutral grey for states that only bracket a worker's life."""

from __future__ import annotations

from demos.events import State

STATE_COLOURS: dict[State, str] = {
    State.NEW: "#BBBBBB",
    State.READY: "#F0E442",  # yellow: runnable, waiting for its turn
    State.RUNNING: "#009E73",  # bluish green: on the CPU
    State.WAITING: "#56B4E9",  # sky blue: sleeping or waiting on I/O
    State.BLOCKED: "#D55E00",  # vermillion: waiting on a lock or a join
    State.PAUSED: "#CC79A7",  # reddish purple: held by the Pause control
    State.DONE: "#0072B2",  # blue
    State.CANCELLED: "#E69F00",  # orange
    State.FAILED: "#000000",  # black, with a red outline in the timeline
}

STATE_HELP: dict[State, str] = {
    State.NEW: "created, not started",
    State.READY: "started, waiting for its first turn",
    State.RUNNING: "running Python code (needs the GIL)",
    State.WAITING: "sleeping or waiting on I/O (GIL released)",
    State.BLOCKED: "waiting on a lock, a semaphore or a join",
    State.PAUSED: "held at a step boundary by Pause",
    State.DONE: "returned normally",
    State.CANCELLED: "stopped by Cancel",
    State.FAILED: "raised an exception",
}

CORE_COLOURS = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
]
