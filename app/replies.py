"""Awaiting the lab's replies by kind, with a deadline, without blocking the window's loop."""

from __future__ import annotations

import asyncio
import collections
from typing import Any


class Replies:
    """Futures waiting for a message kind; a message of that kind completes all of them."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[asyncio.Future[Any]]] = collections.defaultdict(list)

    async def wait(self, kind: str, timeout_s: float) -> Any:
        """The payload of the next ``kind`` message; TimeoutError past ``timeout_s``."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[kind].append(future)
        try:
            return await asyncio.wait_for(future, timeout_s)
        finally:
            if future in self._waiting.get(kind, []):
                self._waiting[kind].remove(future)

    def deliver(self, kind: str, payload: Any) -> None:
        """A message arrived: everyone waiting for its kind gets it."""
        for future in self._waiting.pop(kind, []):
            if not future.done():
                future.set_result(payload)

    def cancel_all(self) -> None:
        """The lab is gone: nothing will answer."""
        for futures in self._waiting.values():
            for future in futures:
                if not future.done():
                    future.cancel()
        self._waiting.clear()
