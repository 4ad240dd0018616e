"""uvicorn's sans-I/O WebSocket protocol, lighter per connection.

A waiting-room screen keeps its connection for weeks, and a replica holds thousands: what
uvicorn keeps per connection is most of a screen's memory (bench/bench_display.py). This
subclass keeps its behaviour (pings, close codes, flow control) and drops two costs:

- the handshake's request and response (their header objects), kept by uvicorn for the
  connection's lifetime though only the scope's headers are read after the accept, and by
  the `websockets` parser too: its handshake step stays suspended in the frame parser, with
  the request among its locals (`ServerProtocol.parse`);
- an `asyncio.Queue` for incoming messages and an `asyncio.Event` for flow control, five
  deques of ~0.7 KiB each (a deque allocates a 64-slot block even when empty): the one
  reader and the one writer of a connection need a list and a future.

It relies on the attributes of uvicorn's `WebSocketsSansIOProtocol` (`queue`, `writable`,
`request`, `response`); tests/test_ws_protocol.py checks them against the installed uvicorn.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import Protocol


class Inbox:
    """What uvicorn's protocol uses of an `asyncio.Queue`: put_nowait, get, empty."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiters: list[asyncio.Future[None]] = []

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                break

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    async def get(self) -> Any:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                if self._items and not waiter.cancelled():
                    self._wake_next()
                raise
        return self._items.pop(0)

    def _wake_next(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
                return


class Flag:
    """What the protocol uses of an `asyncio.Event` (flow control): set, clear, wait."""

    __slots__ = ("_set", "_waiters")

    def __init__(self) -> None:
        self._set = True
        self._waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return True


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue: Any = Inbox()
        self.writable: Any = Flag()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept" and self.handshake_complete:
            # Read only by the accept above (and a refused handshake, which ends at once).
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
            self._restart_parser()

    def _restart_parser(self) -> None:
        """The frame parser without the handshake's frame, when it waits between frames.

        A client sends no frame before the handshake's response (RFC 6455, 4.1), so here the
        parser is idle: nothing buffered, suspended in `at_eof`. Otherwise it is left as is.
        """
        conn = self.conn
        parser: Any = conn.parser
        inner = parser
        while getattr(inner, "gi_yieldfrom", None) is not None:
            inner = inner.gi_yieldfrom
        if conn.reader.buffer or getattr(inner, "gi_code", None) is None:
            return
        if inner.gi_code.co_name != "at_eof":
            return
        fresh = Protocol.parse(conn)
        next(fresh)  # runs to its wait for the first frame, as the protocol starts it
        conn.parser = fresh
        parser.close()
