"""The shared-memory event ring: order per lane, loss counted, never blocking."""

from __future__ import annotations

import threading

import pytest

from demos.ring import SLOTS_PER_REGION, RingReader, RingWriter, ring_size

pytestmark = pytest.mark.timeout(60)


def make_ring() -> tuple[RingWriter, RingReader]:
    buffer = bytearray(ring_size())
    return RingWriter(buffer), RingReader(buffer)


def test_events_come_back_in_order_per_lane() -> None:
    writer, reader = make_ring()
    for i in range(10):
        writer.emit((1000 + i, 3, 2, f"step {i}"))
        writer.emit((2000 + i, 4, 3, "é" * 30))  # non-ASCII is cut at the byte limit safely
    events = reader.read()
    lane3 = [e for e in events if e[1] == 3]
    assert [e[0] for e in lane3] == list(range(1000, 1010))
    assert lane3[4][3] == "step 4"
    assert all(e[3].startswith("é") for e in events if e[1] == 4)
    assert reader.read() == []


def test_a_reader_that_lags_counts_what_it_lost() -> None:
    writer, reader = make_ring()
    total = SLOTS_PER_REGION * 3 + 17
    for i in range(total):
        writer.emit((i, 1, 2, ""))
    events = reader.read()
    assert reader.dropped == total - SLOTS_PER_REGION
    assert [e[0] for e in events] == list(range(total - SLOTS_PER_REGION, total))


def test_many_threads_write_without_losing_or_reordering() -> None:
    writer, reader = make_ring()
    seen: list[tuple] = []
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            seen.extend(reader.read())
        seen.extend(reader.read())

    drainer = threading.Thread(target=drain)
    drainer.start()

    def work(lane: int) -> None:
        for i in range(500):
            writer.emit((i, lane, 2, "x"))

    workers = [threading.Thread(target=work, args=(lane,)) for lane in range(1, 33)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    stop.set()
    drainer.join()
    assert reader.dropped == 0
    for lane in range(1, 33):
        assert [e[0] for e in seen if e[1] == lane] == list(range(500))
