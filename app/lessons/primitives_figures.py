"""The Synchronization primitives tab's figures: the rows of each primitive's results box and
the words each run's measured figures become (the verdict is the result's own).
"""

from __future__ import annotations

from app.palette import BLUISH_GREEN, VERMILLION
from demos.primitives.results import (
    BarrierResult,
    LockResult,
    PrimitiveResult,
    QueueResult,
    SemaphoreResult,
)

GOOD_COLOUR = BLUISH_GREEN  # bluish green (Okabe-Ito): the primitive kept its promise
BAD_COLOUR = VERMILLION  # vermillion: it did not (never expected)

# Rows of each page's ResultBox (app.result_box): (key, caption); the first is the big figure.
FIGURES = {
    "lock": [
        ("overlaps", "Overlapping holds:"),
        ("acquisitions", "Acquisitions:"),
        ("max_waiters", "Most waiters at once:"),
        ("busy", "Lock held:"),
        ("per_worker", "Per thread:"),
    ],
    "semaphore": [
        ("max_occupancy", "Most inside at once:"),
        ("permits", "Permits:"),
        ("times_blocked", "Times blocked:"),
        ("wait", "Waiting in total:"),
    ],
    "barrier": [
        ("release_spread_ms", "Release spread:"),
        ("arrivals", "Arrival spread:"),
        ("rounds_released", "Rounds released:"),
        ("broken", "BrokenBarrierError:"),
    ],
    "queue": [
        ("max_depth", "Deepest queue:"),
        ("capacity", "Capacity:"),
        ("mean_depth", "Mean depth:"),
        ("producers_blocked", "Producers blocked:"),
        ("consumers_blocked", "Consumers blocked:"),
        ("consumed", "Items consumed:"),
    ],
}
# The Condition, Event and RLock pages' rows are in app.lessons.primitives_more.


def big(text: str, good: bool) -> str:
    """A large coloured figure (relative size, so it grows with the presenter's font)."""
    colour = GOOD_COLOUR if good else BAD_COLOUR
    return f'<span style="font-size: xx-large; font-weight: bold; color: {colour};">{text}</span>'


def figure_texts(result: PrimitiveResult) -> dict[str, str]:
    """The text of each of the result's figure rows (its page is ``result.primitive``)."""
    if isinstance(result, LockResult):
        return lock_figures(result)
    if isinstance(result, SemaphoreResult):
        return semaphore_figures(result)
    if isinstance(result, BarrierResult):
        return barrier_figures(result)
    if isinstance(result, QueueResult):
        return queue_figures(result)
    # Imported here: that module takes big() from this one.
    from app.lessons.primitives_more import more_figure_texts

    return more_figure_texts(result)


def lock_figures(r: LockResult) -> dict[str, str]:
    """Mutual exclusion: overlapping holds (none), acquisitions, waiters, how busy the lock was."""
    per_worker = "<br>".join(
        f"{t.name}: held {t.held_s:.2f} s, waited {t.waited_s:.2f} s" for t in r.per_thread
    )
    return {
        "overlaps": big(str(r.overlaps), r.overlaps == 0),
        "acquisitions": str(r.acquisitions),
        "max_waiters": str(r.max_waiters),
        "busy": f"{r.total_hold_s:.2f} s of {r.locked_span_s:.2f} s ({r.busy_share:.0%})",
        "per_worker": per_worker,
    }


def semaphore_figures(r: SemaphoreResult) -> dict[str, str]:
    """The most threads inside at once against the permits, and how often threads waited."""
    return {
        "max_occupancy": big(f"{r.max_occupancy} / {r.permits}", r.max_occupancy <= r.permits),
        "permits": str(r.permits),
        "times_blocked": str(r.times_blocked),
        "wait": f"{r.wait_s_total:.2f} s (longest {r.wait_s_max:.2f} s)",
    }


def barrier_figures(r: BarrierResult) -> dict[str, str]:
    """How far apart threads arrived and how close together they left, or how it broke."""
    spread = r.release_spread_ms
    return {
        "release_spread_ms": big(f"{spread:.2f} ms", True) if spread is not None else "-",
        "arrivals": ", ".join(f"{a:.0f} ms" for a in r.arrival_spread_ms_per_round) or "-",
        "rounds_released": f"{r.rounds_released} of {r.rounds}",
        "broken": f"caught by {', '.join(r.handled_by)}" if r.broken else "none",
    }


def queue_figures(r: QueueResult) -> dict[str, str]:
    """The deepest queue against its capacity, and how long each side waited."""
    return {
        "max_depth": big(f"{r.max_depth} / {r.capacity}", r.max_depth <= r.capacity),
        "capacity": str(r.capacity),
        "mean_depth": f"{r.mean_depth:.1f}",
        "producers_blocked": f"{r.producer_blocks} times, {r.producer_blocked_s:.2f} s",
        "consumers_blocked": f"{r.consumer_blocks} times, {r.consumer_blocked_s:.2f} s",
        "consumed": f"{r.consumed} of {r.items}",
    }
