"""asyncio talking to the outside: a bounded ``asyncio.Queue`` between a producer and a
consumer (its depth recorded at every put and get), and real sockets: an echo server on
127.0.0.1 (a free port) with N clients echoing through it at once.
"""

from __future__ import annotations

import asyncio
import time

from demos.asyncio_board import Board
from demos.asyncio_results import QueueResult, SocketsResult
from demos.events import State

DEPTH = "queue_depth"  # the store's value name for the queue's depth
HOST = "127.0.0.1"


async def queue(
    board: Board, maxsize: int, items: int, produce_s: float, consume_s: float
) -> QueueResult:
    """A producer puts ``items`` into ``asyncio.Queue(maxsize)``; a consumer takes them."""
    t0 = time.perf_counter()
    q: asyncio.Queue[int | None] = asyncio.Queue(maxsize)
    producer_lane = board.lane("producer: await queue.put()")
    consumer_lane = board.lane("consumer: await queue.get()")
    depth_lane = producer_lane
    figures = {"max": 0, "blocked": 0.0, "consumed": 0}

    def note_depth() -> None:
        depth = q.qsize()
        figures["max"] = max(figures["max"], depth)
        board.value(depth_lane, DEPTH, depth)

    async def put(item: int | None) -> None:
        if q.full():
            board.set(producer_lane, State.BLOCKED, f"queue full ({maxsize}): await put()")
            start = time.perf_counter()
            await q.put(item)
            figures["blocked"] += time.perf_counter() - start
        else:
            await q.put(item)
        note_depth()

    async def producer() -> None:
        for item in range(items):
            board.set(producer_lane, State.WAITING, f"making item {item + 1}")
            await asyncio.sleep(produce_s)
            await put(item)
        await put(None)  # the end, for the consumer
        board.set(producer_lane, State.DONE, f"put {items} items")

    async def consumer() -> None:
        while True:
            if q.empty():
                board.set(consumer_lane, State.BLOCKED, "queue empty: await get()")
            item = await q.get()
            note_depth()
            if item is None:
                break
            board.set(consumer_lane, State.WAITING, f"handling item {item + 1}")
            await asyncio.sleep(consume_s)
            figures["consumed"] += 1
        board.set(consumer_lane, State.DONE, f"handled {figures['consumed']} items")

    note_depth()
    await asyncio.gather(producer(), consumer())
    return QueueResult(
        maxsize=maxsize,
        items=items,
        consumed=int(figures["consumed"]),
        max_depth=int(figures["max"]),
        producer_blocked_s=round(float(figures["blocked"]), 4),
        elapsed_s=round(time.perf_counter() - t0, 4),
    )


async def sockets(board: Board, clients: int, latency_s: float) -> SocketsResult:
    """An echo server that answers each line after ``latency_s``; ``clients`` connect at once."""
    server_lane = board.lane("server: asyncio.start_server")
    lanes = [board.lane(f"client {i + 1}") for i in range(clients)]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            await asyncio.sleep(latency_s)  # the server's think time: what the clients wait on
            writer.write(line)
            await writer.drain()
        finally:
            writer.close()

    async def client(index: int, lane: int, port: int) -> bool:
        message = f"hello from client {index + 1}\n".encode()
        board.set(lane, State.WAITING, "await open_connection()")
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(message)
            await writer.drain()
            board.set(lane, State.WAITING, "await reader.readline(): the echo")
            reply = await reader.readline()
        finally:
            writer.close()
            await writer.wait_closed()
        ok = reply == message
        board.set(lane, State.DONE if ok else State.FAILED, "echoed" if ok else f"got {reply!r}")
        return ok

    server = await asyncio.start_server(handle, HOST, 0)
    port = int(server.sockets[0].getsockname()[1])
    board.set(server_lane, State.WAITING, f"listening on {HOST}:{port}")
    t0 = time.perf_counter()
    try:
        async with server:
            replies = await asyncio.gather(*(client(i, lane, port) for i, lane in enumerate(lanes)))
        elapsed = time.perf_counter() - t0
    except asyncio.CancelledError:
        board.set(server_lane, State.CANCELLED, "closed by Cancel")
        raise
    board.set(server_lane, State.DONE, "closed")
    return SocketsResult(
        clients=clients,
        latency_ms=round(latency_s * 1000),
        echoed=sum(replies),
        elapsed_s=round(elapsed, 4),
        one_at_a_time_s=round(clients * latency_s, 4),
        port=port,
    )
