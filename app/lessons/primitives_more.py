"""The Condition, Event and RLock pages of the Synchronization primitives tab: their titles,
explanations, speaker notes, figure rows and the words each run's figures become.
"""

from __future__ import annotations

from app.lessons.primitives_figures import big
from demos.primitives.results_more import ConditionResult, EventResult, RLockResult

TITLES = {
    "condition": "Condition: wait_for, not if",
    "event": "Event: one set() wakes all",
    "rlock": "RLock vs Lock: re-entry",
}
EXPLANATIONS = {
    "condition": (
        "Consumers take items from a deque guarded by one <code>threading.Condition</code>. "
        "A producer appends an item and calls <code>notify_all()</code>: every waiting "
        "consumer wakes, but only the first to get the lock back finds the item."
        "<br><br>The right way, <code>with cond: cond.wait_for(lambda: items)</code>, checks "
        "again after every wake-up and waits again if the item is gone. Tick <b>the bug</b> and "
        "each consumer checks once, <code>if not items: cond.wait()</code>, then calls "
        "<code>items.popleft()</code>: when another consumer got there first, that raises "
        "<code>IndexError</code>. The figures count those stolen wake-ups in the run."
    ),
    "event": (
        "A <code>threading.Event</code> is a flag threads can wait for. Every waiter calls "
        "<code>event.wait()</code> and is <b>blocked</b>; once all of them wait, the setter "
        "calls <code>event.set()</code> (the dashed line) and every waiter wakes at once. "
        "<code>wait()</code> on an Event already set returns at once, until "
        "<code>clear()</code>."
        "<br><br>The figures say how close together the waiters woke, and how long after "
        "<code>set()</code> the last one did. Each round uses a new Event."
    ),
    "rlock": (
        "A recursive function takes a lock, works, and calls itself: it takes the same lock "
        "again at every level. A <code>threading.RLock</code> knows its owner and counts: the "
        "owner may take it again, and it is free once released as many times."
        "<br><br>A plain <code>threading.Lock</code> has no owner: at depth 2 the thread waits "
        "for a lock only it could release, forever. Here each acquire waits at most the "
        "<b>detection</b> time, then raises; each <code>with</code> releases what it took on "
        "the way out, and the run ends with the verdict."
    ),
}
NOTES = (
    "<p><b>Condition.</b> With <code>wait_for</code>: zero stolen wake-ups, though many "
    "wake-ups found nothing and waited again. Tick <i>the bug</i>: the same wake-ups now end "
    "in <code>IndexError</code>. The fix is a <code>while</code>, which is what "
    "<code>wait_for</code> is.</p>"
    "<p><b>Event.</b> Eight lanes blocked, one <code>set()</code>, eight lanes running within "
    "a fraction of a millisecond or so. Compare with the barrier: here one thread decides.</p>"
    "<p><b>RLock.</b> The RLock lane goes all the way down; the Lock lane blocks at depth 2 "
    "waiting for itself, until the detection time raises and unwinds it.</p>"
)
# Rows of each page's ResultBox (app.result_box): (key, caption); the first is the big figure.
FIGURES = {
    "condition": [
        ("stolen", "Stolen wake-ups:"),
        ("wakeups", "Wake-ups by notify:"),
        ("rechecked", "Re-checked, waited again:"),
        ("consumed", "Items consumed:"),
        ("blocked", "Consumers blocked:"),
    ],
    "event": [
        ("spread", "Wake-up spread:"),
        ("latency", "Last wake-up after set():"),
        ("released", "Released per round:"),
        ("per_round", "Spread per round:"),
    ],
    "rlock": [
        ("rlock", "RLock depth reached:"),
        ("lock", "Lock:"),
        ("recovered", "Recovered:"),
    ],
}


def condition_figures(r: ConditionResult) -> dict[str, str]:
    """Stolen wake-ups (none with wait_for), and the wake-ups wait_for absorbed."""
    return {
        "stolen": big(str(r.stolen), r.stolen == 0),
        "wakeups": str(r.wakeups),
        "rechecked": str(r.rechecked) if not r.if_not_while else "none: if waits once",
        "consumed": f"{r.consumed} of {r.items}",
        "blocked": f"{r.consumer_blocked_s:.2f} s in all",
    }


def event_figures(r: EventResult) -> dict[str, str]:
    """How close together the waiters woke, and how soon after set()."""
    spread, latency = r.spread_ms, r.latency_ms
    everyone = all(n == r.waiters for n in r.released)
    return {
        "spread": big(f"{spread:.2f}&nbsp;ms", everyone) if spread is not None else "-",
        "latency": f"{latency:.2f} ms" if latency is not None else "-",
        "released": ", ".join(f"{n} of {r.waiters}" for n in r.released) or "-",
        "per_round": ", ".join(f"{s:.2f} ms" for s in r.spread_ms_per_round) or "-",
    }


def rlock_figures(r: RLockResult) -> dict[str, str]:
    """How deep the RLock went, where the Lock stuck, and whether it was free again."""
    if r.lock_stuck_at is None:
        lock = f"depth {r.lock_depth}, no deadlock"
    else:
        lock = f"deadlocked on itself at depth {r.lock_stuck_at} (after {r.detect_ms} ms)"
    return {
        "rlock": big(f"{r.rlock_depth} / {r.depth}", r.rlock_ok),
        "lock": lock,
        "recovered": "yes: unwound, then took the Lock again" if r.recovered else "no",
    }


def more_figure_texts(result: ConditionResult | EventResult | RLockResult) -> dict[str, str]:
    """The text of each figure row of a Condition, Event or RLock result."""
    if isinstance(result, ConditionResult):
        return condition_figures(result)
    if isinstance(result, EventResult):
        return event_figures(result)
    return rlock_figures(result)
