"""Levels on waiting: a condition waited on under 'if', a semaphore released twice, a barrier a
thread never reaches, a bounded queue nobody drains, and a check-then-act across an await."""

from __future__ import annotations

from demos.levels.level import Level

WAKEUP_IF = """\
cond = threading.Condition()
jobs = []
done = []

def consumer():
    with cond:
        if not jobs:           # 'if': checked once, before waiting
            cond.wait()
        done.append(jobs.pop())

def producer():
    with cond:
        jobs.append("job")
        cond.notify()
"""

SEMAPHORE = """\
room = threading.Semaphore(1)    # one visitor at a time
inside = []

def visit(name):
    room.acquire()
    inside.append(name)
    inside.remove(name)
    room.release()
    room.release()               # a second release, copied from an error path
"""

BARRIER = """\
start = threading.Barrier(3)
ready = []

def runner(name):
    ready.append(name)
    start.wait()

def referee():
    if len(ready) < 2:
        return                   # "nobody here yet": the referee leaves
    start.wait()
"""

QUEUE = """\
jobs = queue.Queue(maxsize=1)

def producer():
    jobs.put("a")
    jobs.put("b")

def consumer():
    while not jobs.empty():      # "nothing queued: the work must be done"
        jobs.get()
"""

AWAIT_RACE = """\
import asyncio

seat = {"12A": None}
tickets = []

async def book(name):
    if seat["12A"] is None:               # check ...
        await asyncio.sleep(0)            # (ask the payment service)
        seat["12A"] = name                # ... act
        tickets.append(name)
"""

AWAIT_FIXED = """\
import asyncio

seat = {"12A": None}
tickets = []

async def book(name):
    if seat["12A"] is None:               # check and act
        seat["12A"] = name                # with no await between
        tickets.append(name)
        await asyncio.sleep(0)            # (send the ticket)
"""

LEVELS = (
    Level(
        "wakeup-if",
        "Stolen wake-up",
        "Two consumers, one job. Make a consumer pop from an empty list.",
        WAKEUP_IF,
        ("consumer()", "consumer()", "producer()"),
        lambda v: v.raised("IndexError"),
        "Let the second consumer take the lock before the woken one takes it back.",
        ("jobs", "done"),
        (1, 1, 1, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1),
        lesson="A woken thread must check again: wait in a 'while' loop, not under 'if'.",
    ),
    Level(
        "semaphore",
        "Too many inside",
        "The room holds one visitor. Get two visitors inside at once.",
        SEMAPHORE,
        ('visit("ann")', 'visit("bob")', 'visit("cy")'),
        lambda v: len(v.ns["inside"]) >= 2,
        "A visitor who leaves releases twice: the room now has two free places.",
        ("room", "inside"),
        (1, 1, 1, 1, 1, 2, 3, 2, 3),
        lesson="A Semaphore counts past its start; a BoundedSemaphore raises on the extra release.",
    ),
    Level(
        "barrier",
        "Nobody starts",
        "Three threads meet at a barrier. Make the runners wait forever.",
        BARRIER,
        ('runner("A")', 'runner("B")', "referee()"),
        lambda v: v.stuck,
        "The referee decides early whether to come at all.",
        ("start", "ready"),
        (3, 3, 1, 1, 2, 2),
        lesson="A barrier waits for every party: one that never arrives blocks all the others.",
    ),
    Level(
        "queue",
        "Producer blocked forever",
        "The queue holds one item. Leave the producer stuck on put().",
        QUEUE,
        ("producer()", "consumer()"),
        lambda v: v.stuck and v.status[0] == "blocked",
        "The consumer stops as soon as it sees an empty queue.",
        ("jobs",),
        (2, 1, 1),
        lesson="'Empty now' is not 'no more work': end a consumer with a sentinel.",
    ),
    Level(
        "await-race",
        "Check, await, act",
        "One seat, two coroutines. Book it twice.",
        AWAIT_RACE,
        ('book("ann")', 'book("bob")'),
        lambda v: len(v.ns["tickets"]) == 2,
        "A coroutine can only be switched at an await.",
        ("seat", "tickets"),
        (1, 2, 1, 2),
        kind="coroutines",
        lesson="Coroutines switch only at await; an await between check and act is a race.",
    ),
    Level(
        "await-fixed",
        "Check and act, then await",
        "The await now comes after the booking. Book the seat twice.",
        AWAIT_FIXED,
        ('book("ann")', 'book("bob")'),
        lambda v: len(v.ns["tickets"]) == 2,
        "Where can a coroutine be switched?",
        ("seat", "tickets"),
        kind="coroutines",
        lesson="No schedule wins: nothing can run between a check and an act with no await.",
    ),
)
