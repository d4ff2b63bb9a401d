"""Colours for states, from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies), plus a neutral grey for states that only bracket a worker's life."""

from __future__ import annotations

from demos.events import State

# The Okabe-Ito palette: every colour the app draws with comes from here.
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#999999"
LIGHT_GREY = "#BBBBBB"
# The banner: a pale orange note with dark brown text (contrast above 12:1).
NOTE_BACKGROUND = "#FFF4D6"
NOTE_TEXT = "#402800"

STATE_COLOURS: dict[State, str] = {
    State.NEW: LIGHT_GREY,
    State.READY: YELLOW,  # runnable, waiting for its turn
    State.RUNNING: BLUISH_GREEN,  # on the CPU
    State.WAITING: SKY_BLUE,  # sleeping or waiting on I/O
    State.BLOCKED: VERMILLION,  # waiting on a lock or a join
    State.PAUSED: REDDISH_PURPLE,  # held by the Pause control
    State.DONE: BLUE,
    State.CANCELLED: ORANGE,
    State.FAILED: BLACK,  # with a red outline in the timeline
}

STATE_HELP: dict[State, str] = {
    State.NEW: "created, not started",
    State.READY: "wants to run: waiting for the GIL (GIL build) or for a CPU",
    State.RUNNING: "running Python code (holding the GIL, on a GIL build)",
    State.WAITING: "sleeping or waiting on I/O (no GIL held)",
    State.BLOCKED: "waiting on a lock, a semaphore or a join",
    State.PAUSED: "held by Pause (inside a step or between steps)",
    State.DONE: "returned normally",
    State.CANCELLED: "stopped by Cancel",
    State.FAILED: "raised an exception",
}

CORE_COLOURS = [BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW, GREY]
