"""The lab's message kinds, one enum for both ends (the lab and the GUI's lab client).

Commands go GUI -> lab over a pipe; replies and announcements come back as frames on a socket.
Events themselves travel through the shared-memory ring (``demos.ring``), not as messages. On the
wire a kind is its plain string value, so the other end needs no class of ours to read it.

A VALUE carries a lesson's figure (a counter, an answer, a sample) as JSON-able data: int, float,
str, bool, None, or lists and dicts (with str keys) of those. Lessons read their figures from
these values, never back from the short display text of events and marks.
"""

from __future__ import annotations

from enum import StrEnum


class Msg(StrEnum):
    """Every message kind the lab and its client exchange."""

    # GUI -> lab: commands
    START = "start"  # {"run_id", "scenario", "params"}
    JOIN = "join"  # {"timeout_s"}
    RESET = "reset"  # {}
    QUIT = "quit"  # {}
    # lab -> GUI: replies and announcements
    HELLO = "hello"  # {"pid", "calibration", "t_ns"}: the lab is ready
    LANE = "lane"  # a Lane as a tuple: a worker's name and kind
    MARK = "mark"  # (t_ns, label): a moment on the timeline
    VALUE = "value"  # (t_ns, lane_id, name, value): a figure a worker reports, as plain data
    STARTED = "started"  # {"run_id", "t_start_ns"}
    FINISHED = "finished"  # {"run_id", "t_start_ns", "t_end_ns", "outcomes", "result", ...}
    JOINED = "joined"  # {"run_id", "ended", "waited_s"}
    RESET_DONE = "reset_done"  # {"clean"}
    ERROR = "error"  # a message for the user
    BYE = "bye"  # {"pid"}: the lab is leaving (after quit)
    OUTCOME = "outcome"  # (lane_id, state, message, t_ns, work_s): how a worker process ended
    EVENTS = "events"  # (batch, dropped): events over a socket (twins' process workers)
