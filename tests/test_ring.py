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


def test_many_threads_write_past_a_lap_without_reordering_or_uncounted_loss() -> None:
    # More events per lane than its region has slots: the writers lap the reader while it
    # drains, so whatever the reader misses must be counted, and nothing comes out of order.
    per_lane = 3 * SLOTS_PER_REGION + 7
    lanes = range(1, 33)
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
        for i in range(per_lane):
            writer.emit((i, lane, 2, f"{lane}:{i}"))

    workers = [threading.Thread(target=work, args=(lane,)) for lane in lanes]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    stop.set()
    drainer.join()
    assert len(seen) + reader.dropped == per_lane * len(lanes)
    for lane in lanes:
        steps = [e[0] for e in seen if e[1] == lane]
        assert steps, lane
        assert steps[-1] == per_lane - 1, "the last lap is read in full"
        assert all(a < b for a, b in zip(steps, steps[1:], strict=False)), "in order, no repeats"
        assert all(e[3] == f"{lane}:{e[0]}" for e in seen if e[1] == lane), "no torn records"
