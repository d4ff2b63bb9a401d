"""Events through shared memory: the lab's workers write, the GUI reads, nobody waits.

Measured: with 32 busy threads in the lab, batches sent over a socket sat for 300-500 ms.
Whoever held the flush lock released the GIL inside ``send()`` and then needed hundreds of ms
to win it back among 32 contenders, while every other thread's events waited behind the lock.

Here an event is one ``struct.pack_into`` into a slot of a shared byte array: a single C call,
under the GIL, no lock, no system call. Each lane writes its own region (one writer per region,
so slots never need reserving across threads), and the reader in the GUI polls every region.
A record ends with its sequence number, written last, so the reader only takes records that are
complete. A reader more than a region behind finds its slots overwritten and counts the loss.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from demos.events import IDENT_EVENT, Event, Lane, now_ns

if TYPE_CHECKING:
    # The buffer protocol (collections.abc.Buffer from Python 3.12 on): a bytearray in tests,
    # a shared RawArray("B") in the lab.
    from typing_extensions import Buffer

REGIONS = 128  # lanes are spread over this many regions (lane_id modulo REGIONS)
SLOTS_PER_REGION = 1024
DETAIL_BYTES = 44
# t_ns, lane_id, state, detail length, detail, then the sequence number (1-based), last.
RECORD = struct.Struct(f"<qHBB{DETAIL_BYTES}sq")
SEQ = struct.Struct("<q")
SEQ_OFFSET = RECORD.size - SEQ.size
REGION_BYTES = SLOTS_PER_REGION * RECORD.size
RING_BYTES = REGIONS * REGION_BYTES


def ring_size() -> int:
    """Bytes of shared memory one ring needs."""
    return RING_BYTES


class RingWriter:
    """Writes events into the shared ring; safe to call from any thread of one process.

    A region may pass from one process to another (the lab emits a worker process's first
    events, the child the rest): ``hand_over`` gives the next sequence number to the child,
    ``take_back`` resumes after the child's last record.
    """

    def __init__(self, buffer: Buffer, start: dict[int, int] | None = None) -> None:
        self.buffer = buffer
        self._view = memoryview(buffer).cast("B")
        # itertools.count's next() is one C call: atomic under the GIL.
        self._counters = [itertools.count((start or {}).get(r, 1)) for r in range(REGIONS)]

    def hand_over(self, lane_id: int) -> dict[int, int]:
        """The start a child process needs to go on writing this lane's region."""
        region = lane_id % REGIONS
        return {region: next(self._counters[region])}

    def take_back(self, lane_id: int) -> None:
        """After the child ended: continue after the last record it wrote."""
        region = lane_id % REGIONS
        base = region * REGION_BYTES
        last = max(
            SEQ.unpack_from(self._view, base + slot * RECORD.size + SEQ_OFFSET)[0]
            for slot in range(SLOTS_PER_REGION)
        )
        self._counters[region] = itertools.count(last + 1)

    def emit(self, event: Event) -> None:
        """Publish one event (about a microsecond; never blocks)."""
        t_ns, lane_id, state, detail = event
        region = lane_id % REGIONS
        seq = next(self._counters[region])
        data = detail.encode("utf-8", "replace")[:DETAIL_BYTES]
        offset = region * REGION_BYTES + ((seq - 1) % SLOTS_PER_REGION) * RECORD.size
        RECORD.pack_into(self._view, offset, t_ns, lane_id & 0xFFFF, state, len(data), data, seq)


class RingSink:
    """A Sink for a worker process that writes the lab's ring: events and its OS identity.

    Messages have no channel here; a process worker reports its outcome through shared memory.
    """

    def __init__(self, ring: RingWriter) -> None:
        self.ring = ring

    def emit(self, event: Event) -> None:
        """One event into the ring."""
        self.ring.emit(event)

    def send(self, kind: str, payload: Any) -> None:
        """No message channel from a ring-only worker: dropped by design."""

    def announce(self, lane: Lane) -> None:
        """The OS identity through the ring; names and kinds come from the owner."""
        if lane.ident:
            self.ring.emit((now_ns(), lane.lane_id, IDENT_EVENT, str(lane.ident)))

    def flush_if_due(self) -> None:
        """Nothing waits in a ring."""


class RingReader:
    """Reads every region in order; call :meth:`read` often (the GUI does, every frame)."""

    def __init__(self, buffer: Buffer) -> None:
        self._view = memoryview(buffer).cast("B")
        self._next = [1] * REGIONS  # the sequence number expected next, per region
        self.dropped = 0

    def read(self) -> list[Event]:
        """Every event published since the last call (per lane in order)."""
        events: list[Event] = []
        view, expected_next = self._view, self._next
        for region in range(REGIONS):
            # Most regions have nothing new (all of them, when idle): one read of the expected
            # slot's sequence number says so, without starting a generator per region.
            expected = expected_next[region]
            offset = region * REGION_BYTES + ((expected - 1) % SLOTS_PER_REGION) * RECORD.size
            if SEQ.unpack_from(view, offset + SEQ_OFFSET)[0] < expected:
                continue
            events.extend(self._read_region(region))
        return events

    def _read_region(self, region: int) -> Iterator[Event]:
        base = region * REGION_BYTES
        expected = self._next[region]
        view = self._view
        while True:
            offset = base + ((expected - 1) % SLOTS_PER_REGION) * RECORD.size
            (seq,) = SEQ.unpack_from(view, offset + SEQ_OFFSET)
            if seq < expected:
                break  # not written yet
            t_ns, lane_id, state, length, data, seq_again = RECORD.unpack_from(view, offset)
            if seq != expected or seq_again != seq:
                # Overwritten by a later lap: we lagged by more than a region. Skip ahead to
                # the oldest record still there and count what was lost.
                oldest = max(expected, seq - SLOTS_PER_REGION + 1)
                self.dropped += oldest - expected
                expected = oldest
                if seq != expected:
                    continue
            yield (t_ns, lane_id, state, data[:length].decode("utf-8", "replace"))
            expected += 1
        self._next[region] = expected
