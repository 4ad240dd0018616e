"""The WebSocket feed of one centre for waiting-room screens.

Messages to the screen: `snapshot` (everything; on connect, on request, after any gap),
queue events as published (`ticket.*`, `checkin.*`, consecutive `seq`), `waits` (calls,
counts, estimate and doctors, after each batch of events and every ~30 s), `ping`, `pong`,
`error`. From the screen: `{"type": "pong"}`, `{"type": "ping"}`, `{"type": "resync"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.params import FromPath

from display.access import Refused, authorise_viewer
from display.hub import FRESH_SNAPSHOT, DisplayHub, Outgoing, Screen, to_text

log = logging.getLogger("walkin.display")

MAX_CLIENT_MESSAGE = 512
PONG = Outgoing("message", -1, to_text({"type": "pong"}))


def error(detail: str, status: int = 400) -> Outgoing:
    return Outgoing("message", -1, to_text({"type": "error", "status": status, "detail": detail}))


def handle_client_message(screen: Screen, text: str) -> None:
    screen.last_heard = time.monotonic()
    if len(text) > MAX_CLIENT_MESSAGE:
        screen.offer(error("message too long / message trop long"))
        return
    try:
        kind = msgspec.json.decode(text).get("type")
    except (msgspec.DecodeError, AttributeError):
        screen.offer(error('send JSON like {"type": "pong"} / JSON attendu'))
        return
    if kind == "pong":
        return
    if kind == "ping":
        screen.offer(PONG)
    elif kind == "resync":
        screen.offer(FRESH_SNAPSHOT)
    else:
        screen.offer(error(f"unknown message type {str(kind)[:32]!r}; expected pong, ping, resync"))


async def _receive(socket: WebSocket[Any, Any, Any], screen: Screen) -> None:
    while True:
        message: dict[str, Any] = dict(await socket.receive())
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", "replace")
        handle_client_message(screen, str(text))


@websocket("/ws/centres/{centre_slug:str}", name="display_feed")
async def centre_feed(socket: WebSocket[Any, Any, Any], centre_slug: FromPath[str]) -> None:
    hub: DisplayHub = socket.app.state["display_hub"]
    await socket.accept()
    try:
        # A few handshakes at a time: a reconnect storm (a replica died and its pages move
        # here) must leave most of the pool to sign-ins and check-ins.
        async with hub.handshakes, socket.app.state["db_config"].get_session() as session:
            viewer = await authorise_viewer(socket, centre_slug, session)
    except Refused as refused:
        await socket.send_text(error(refused.message, refused.status).text)
        await socket.close(code=refused.close_code, reason=refused.message[:120])
        return
    screen = Screen(viewer.centre.id, viewer.token_id, hub.timings.outbox_limit)
    await hub.attach(screen)
    tasks = {
        asyncio.create_task(_receive(socket, screen)),
        asyncio.create_task(hub.run_sender(screen, socket.send_text)),
    }
    try:
        closing: asyncio.Future[Any] = screen.closing
        done, _ = await asyncio.wait({*tasks, closing}, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks & done:
            if not task.cancelled() and task.exception() is not None:
                log.debug("screen feed ended: %r", task.exception())
    finally:
        hub.detach(screen)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    code, reason = screen.closing.result() if screen.closing.done() else (1000, "")
    with contextlib.suppress(Exception):  # the screen may be gone already
        async with asyncio.timeout(2):
            await socket.close(code=code, reason=reason)
