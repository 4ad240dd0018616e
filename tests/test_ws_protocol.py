"""The lean WebSocket protocol against the installed uvicorn and websockets: it keeps nothing
of the handshake once accepted, and still receives, answers pings and flow-controls."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from service.cli import server_options
from service.settings import Settings
from service.ws_protocol import Flag, Inbox, LeanWebSocketProtocol


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": "echo " + message["text"]})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[tuple[uvicorn.Server, int]]:
    port = free_port()
    options = server_options(Settings.from_env())
    config = uvicorn.Config(
        echo, port=port, ws=options["ws"], ws_ping_interval=0.2, ws_ping_timeout=1, log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers no event for it
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield server, port
    finally:
        server.should_exit = True
        await task


@pytest.mark.timeout(20)
async def test_the_service_serves_websockets_with_the_lean_protocol() -> None:
    assert server_options(Settings.from_env())["ws"].endswith(":LeanWebSocketProtocol")
    async with served() as (server, port), connect(f"ws://127.0.0.1:{port}/") as client:
        await client.send("one")
        assert await client.recv() == "echo one"
        (protocol,) = server.server_state.connections
        assert isinstance(protocol, LeanWebSocketProtocol)
        assert protocol.request is None and protocol.response is None
        # The parser no longer holds the handshake's request among its locals.
        assert "request" not in (protocol.conn.parser.gi_frame.f_locals or {})
        await asyncio.sleep(0.5)  # pings sent and answered (the client answers itself)
        assert protocol.last_ping_rtt > 0
        for n in range(50):
            await client.send(f"m{n}")
        assert [await client.recv() for _ in range(50)] == [f"echo m{n}" for n in range(50)]


@pytest.mark.timeout(5)
async def test_inbox_hands_items_over_in_order_and_survives_a_cancelled_reader() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert not inbox.empty()
    assert [await inbox.get(), await inbox.get()] == [1, 2]
    waiting = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait(3)
    assert await waiting == 3 and inbox.empty()


@pytest.mark.timeout(5)
async def test_flag_blocks_writers_while_cleared() -> None:
    flag = Flag()
    assert await flag.wait()
    flag.clear()
    writer = asyncio.create_task(flag.wait())
    await asyncio.sleep(0.01)
    assert not writer.done()
    flag.set()
    assert await writer
