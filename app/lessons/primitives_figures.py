"""The Synchronization primitives tab's figures: the rows of each primitive's results box and
the words and verdict each run's measurements become.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.palette import BLUISH_GREEN, VERMILLION

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


def big(text: str, good: bool) -> str:
    """A large coloured figure (relative size, so it grows with the presenter's font)."""
    colour = GOOD_COLOUR if good else BAD_COLOUR
    return f'<span style="font-size: xx-large; font-weight: bold; color: {colour};">{text}</span>'


def figure_texts(name: str, figures: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The text of each of ``name``'s figure rows, and a verdict, from the run's figures."""
    return FIGURE_TEXTS[name](figures)


def lock_figures(f: dict[str, Any]) -> tuple[dict[str, str], str]:
    """Mutual exclusion: overlapping holds (none), acquisitions, waiters, how busy the lock was."""
    per_worker = "<br>".join(
        f"{name}: held {held:.2f} s, waited {f['wait_s'][name]:.2f} s"
        for name, held in f["hold_s"].items()
    )
    texts = {
        "overlaps": big(str(f["overlaps"]), f["overlaps"] == 0),
        "acquisitions": str(f["acquisitions"]),
        "max_waiters": str(f["max_waiters"]),
        "busy": f"{f['total_hold_s']:.2f} s of {f['locked_span_s']:.2f} s ({f['busy_share']:.0%})",
        "per_worker": per_worker,
    }
    verdict = (
        "Mutual exclusion held: no two threads held the lock at once, and the holds fill "
        f"{f['busy_share']:.0%} of the time between the first acquire and the last release."
    )
    return texts, verdict


def semaphore_figures(f: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The most threads inside at once against the permits, and how often threads waited."""
    ok = f["max_occupancy"] <= f["permits"]
    texts = {
        "max_occupancy": big(f"{f['max_occupancy']} / {f['permits']}", ok),
        "permits": str(f["permits"]),
        "times_blocked": str(f["times_blocked"]),
        "wait": f"{f['wait_s_total']:.2f} s (longest {f['wait_s_max']:.2f} s)",
    }
    verdict = (
        f"At most {f['max_occupancy']} of {f['workers']} threads were inside at once: "
        f"Semaphore({f['permits']}) made the others wait {f['times_blocked']} times."
    )
    return texts, verdict


def barrier_figures(f: dict[str, Any]) -> tuple[dict[str, str], str]:
    """How far apart threads arrived and how close together they left, or how it broke."""
    spread = f["release_spread_ms"]
    arrivals = f["arrival_spread_ms_per_round"]
    texts = {
        "release_spread_ms": big(f"{spread:.2f} ms", True) if spread is not None else "-",
        "arrivals": ", ".join(f"{a:.0f} ms" for a in arrivals) or "-",
        "rounds_released": f"{f['rounds_released']} of {f['rounds']}",
        "broken": f"caught by {', '.join(f['handled_by'])}" if f["broken"] else "none",
    }
    if f["broken"]:
        verdict = (
            f"The late thread missed the {f['timeout_ms']} ms timeout: the barrier broke and "
            f"{f['broken_barrier_errors']} threads caught BrokenBarrierError and ended."
        )
    else:
        verdict = (
            f"Threads arrived up to {max(arrivals, default=0):.0f} ms apart and left within "
            f"{spread:.2f} ms of each other."
        )
    return texts, verdict


def queue_figures(f: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The deepest queue against its capacity, and which side waited: the bottleneck."""
    texts = {
        "max_depth": big(f"{f['max_depth']} / {f['capacity']}", f["max_depth"] <= f["capacity"]),
        "capacity": str(f["capacity"]),
        "mean_depth": f"{f['mean_depth']:.1f}",
        "producers_blocked": f"{f['producer_blocks']} times, {f['producer_blocked_s']:.2f} s",
        "consumers_blocked": f"{f['consumer_blocks']} times, {f['consumer_blocked_s']:.2f} s",
        "consumed": f"{f['consumed']} of {f['items']}",
    }
    if f["producer_blocked_s"] > f["consumer_blocked_s"]:
        side = "consumers were the bottleneck: the queue filled and producers waited"
    else:
        side = "producers were the bottleneck: the queue ran empty and consumers waited"
    return texts, f"The depth stayed within the capacity; the {side}."


FIGURE_TEXTS: dict[str, Callable[[dict[str, Any]], tuple[dict[str, str], str]]] = {
    "lock": lock_figures,
    "semaphore": semaphore_figures,
    "barrier": barrier_figures,
    "queue": queue_figures,
}
