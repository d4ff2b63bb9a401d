"""Levels on shared data and locks: lost update, check-then-act, lazy singleton, a lock left held
after an exception, two locks in opposite order; and the fixed versions no schedule can break."""

from __future__ import annotations

from demos.levels.level import Level, View


def _counter_lost(v: View) -> bool:
    return v.finished and v.ns["counter"] == 1


COUNTER = """\
counter = 0

def worker():
    global counter
    value = counter        # counter += 1 is a read ...
    counter = value + 1    # ... and a write: two steps
"""

COUNTER_LOCK = """\
counter = 0
lock = threading.Lock()

def worker():
    global counter
    with lock:
        value = counter
        counter = value + 1
"""

STOCK = """\
stock = {"apple": 1}
sold = []

def buy(customer):
    if stock["apple"] > 0:        # check ...
        stock["apple"] -= 1       # ... then act
        sold.append(customer)
"""

SINGLETON = """\
config = None
created = []

class Config:
    def __init__(self):
        created.append(self)

def get_config():
    global config
    if config is None:
        config = Config()
    return config

def worker():
    mine = get_config()
"""

SINGLETON_LOCK = """\
config = None
created = []
lock = threading.Lock()

class Config:
    def __init__(self):
        created.append(self)

def get_config():
    global config
    with lock:
        if config is None:
            config = Config()
    return config

def worker():
    mine = get_config()
"""

EXCEPTION = """\
lock = threading.Lock()
todo = ["oops", "1"]
total = 0

def worker():
    global total
    item = todo.pop()
    lock.acquire()
    total += int(item)     # int("oops") raises ValueError
    lock.release()         # ... and this line never runs
"""

EXCEPTION_WITH = """\
lock = threading.Lock()
todo = ["oops", "1"]
total = 0

def worker():
    global total
    item = todo.pop()
    with lock:             # released however the block ends
        total += int(item)
"""

OPPOSITE = """\
a = threading.Lock()
b = threading.Lock()
moved = []

def transfer(first, second, name):
    with first:
        with second:
            moved.append(name)
"""

ORDERED = """\
a = threading.Lock()
b = threading.Lock()
moved = []

def transfer(first, second, name):
    first, second = sorted([first, second], key=id)   # one global order
    with first:
        with second:
            moved.append(name)
"""


def _stuck_after_exception(v: View) -> bool:
    return v.stuck and bool(v.errors)


LEVELS = (
    Level(
        "counter",
        "Lost update",
        "Both threads add one to the counter. Make it end at 1.",
        COUNTER,
        ("worker()", "worker()"),
        _counter_lost,
        "Let both threads read before either writes.",
        ("counter",),
        (1, 2, 1, 2),
        lesson="counter += 1 is a read then a write; a switch between them loses an update.",
    ),
    Level(
        "counter-lock",
        "Lost update, fixed with a lock",
        "Both threads add one under a lock. Make the counter end at 1.",
        COUNTER_LOCK,
        ("worker()", "worker()"),
        _counter_lost,
        "Try to get both threads between the read and the write.",
        ("counter", "lock"),
        lesson="No schedule wins: the lock lets only one thread between the read and the write.",
    ),
    Level(
        "stock",
        "Check, then act",
        "One apple in stock, two customers. Sell two apples.",
        STOCK,
        ('buy("ann")', 'buy("bob")'),
        lambda v: v.ns["stock"]["apple"] < 0,
        "Let both customers pass the check before either takes the apple.",
        ("stock", "sold"),
        (1, 2, 1, 2),
        lesson="What a thread checked can change before it acts on it.",
    ),
    Level(
        "singleton",
        "Two singletons",
        "get_config() should create one Config. Make it create two.",
        SINGLETON,
        ("worker()", "worker()"),
        lambda v: len(v.ns["created"]) == 2,
        "Both threads must see config is None.",
        ("config", "created"),
        (1, 1, 2, 2, 1, 1, 2, 2),
        lesson="Lazy initialisation is a check-then-act too.",
    ),
    Level(
        "singleton-lock",
        "Two singletons, fixed with a lock",
        "The check and the creation are under one lock. Make it create two Configs.",
        SINGLETON_LOCK,
        ("worker()", "worker()"),
        lambda v: len(v.ns["created"]) == 2,
        "Try to get the second thread past the check before the first one creates.",
        ("config", "created", "lock"),
        lesson="No schedule wins: check and creation happen under the same lock.",
    ),
    Level(
        "exception",
        "A lock left held",
        "A thread raises while holding the lock. Leave the other one waiting forever.",
        EXCEPTION,
        ("worker()", "worker()"),
        _stuck_after_exception,
        "The thread that pops 'oops' must take the lock first.",
        ("lock", "todo", "total"),
        (1, 2, 2, 2, 1),
        lesson="acquire() with no matching release on the error path: use with lock.",
    ),
    Level(
        "exception-with",
        "A lock left held, fixed with 'with'",
        "Same program with 'with lock'. Leave a thread waiting forever.",
        EXCEPTION_WITH,
        ("worker()", "worker()"),
        _stuck_after_exception,
        "Let the thread with 'oops' take the lock first, as before.",
        ("lock", "todo", "total"),
        lesson="No schedule wins: 'with' releases the lock when the block raises.",
    ),
    Level(
        "deadlock",
        "Opposite order",
        "Two transfers take two locks. Make them wait for each other forever.",
        OPPOSITE,
        ('transfer(a, b, "a->b")', 'transfer(b, a, "b->a")'),
        lambda v: v.stuck,
        "Each thread must hold its first lock before either takes its second.",
        ("a", "b", "moved"),
        (1, 2, 1, 2),
        lesson="Two locks taken in opposite orders can deadlock.",
    ),
    Level(
        "deadlock-ordered",
        "Opposite order, fixed with one order",
        "Both transfers now sort their locks first. Make them deadlock.",
        ORDERED,
        ('transfer(a, b, "a->b")', 'transfer(b, a, "b->a")'),
        lambda v: v.stuck,
        "Look at which lock each thread takes first now.",
        ("a", "b", "moved"),
        lesson="No schedule wins: with one global order of locks, no cycle of waits can form.",
    ),
)
