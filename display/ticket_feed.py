"""The live feed of one patient's ticket (/ws/tickets), for the ticket page on their phone.

The page sends ``{"type": "hello", "token": "<link token>"}`` first (the token stays out of
URLs, which proxies and access logs keep). The feed rides on the screens' hub: it follows its
centre's events, heartbeats and refreshes like a screen, and after each batch sends the
ticket's own view (``{"type": "ticket", ...}``: number, people ahead, estimate, room) when it
changed. Same limits as the screens' feeds: frames, pings, a cap of feeds per ticket.

Close codes: 4400 no hello, 4404 no such ticket, 4410 the link was for another day, 4429 too
many feeds for this ticket; 4408, 4008, 1012, 1013 as for the screens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket

from display.access import digest
from display.feed import UNREACHABLE, error, handle_client_message
from display.hub import DisplayHub, Outgoing, Screen, to_text
from queues import reads as queue_reads
from service.db import database_unreachable
from service.limits import ConnectionLimiter
from service.state import shell

log = logging.getLogger("walkin.display")

HELLO_TIMEOUT_S = 10.0
FEEDS_PER_TICKET = 3


class Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _hello(socket: WebSocket[Any, Any, Any]) -> str:
    try:
        async with asyncio.timeout(HELLO_TIMEOUT_S):
            message: dict[str, Any] = dict(await socket.receive())
    except TimeoutError as exc:
        raise Closed(4400, "send hello first / message hello attendu") from exc
    text = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
    try:
        hello = msgspec.json.decode(str(text)[:512])
        token = hello.get("token") if hello.get("type") == "hello" else None
    except (msgspec.DecodeError, AttributeError):
        token = None
    if not isinstance(token, str):
        raise Closed(4400, 'send {"type": "hello", "token": …} first / hello attendu')
    return token


class TicketWatch:
    """Reads the ticket's view afresh and says whether it changed since last sent."""

    def __init__(self, hub: DisplayHub, token: str) -> None:
        self.hub = hub
        self.token = token
        self.last = ""

    async def read(self) -> tuple[int, str]:
        async with self.hub.db_session() as session:
            found = await queue_reads.ticket_by_token(session, self.token)
            if found is None:
                raise Closed(4404, "no ticket for this link / lien inconnu")
            ticket, centre = found
            now = self.hub.clock()
            if queue_reads.link_expired(ticket, centre, now):
                raise Closed(4410, "this ticket was for another day / ticket d'un autre jour")
            view = await queue_reads.patient_view(session, ticket, centre, now, self.hub.estimates)
        return centre.id, to_text(view)

    async def changed(self) -> str | None:
        _, text = await self.read()
        # The server time changes every read: compare what the patient sees.
        seen = text.split('"server_time"')[0]
        if seen == self.last:
            return None
        self.last = seen
        return text


async def _send_views(
    socket: WebSocket[Any, Any, Any], screen: Screen, watch: TicketWatch, timeout_s: float
) -> None:
    while True:
        item = await screen.next()
        if item.kind == "message" and '"type":"waits"' not in item.text:
            text: str | None = item.text  # ping, pong, error: as they are
        else:
            # Any change at the centre (an event, a snapshot, the waits' refresh) may move
            # this ticket: drain the batch, then read the ticket once.
            while screen.backlog:
                extra = screen.backlog.pop(0)
                if extra.kind == "message" and '"type":"waits"' not in extra.text:
                    await socket.send_text(extra.text)
            text = await watch.changed()
        if text is None:
            continue
        try:
            async with asyncio.timeout(timeout_s):
                await socket.send_text(text)
        except TimeoutError:
            screen.close(4008, "too slow to keep up / trop lent")
            return


async def _receive(socket: WebSocket[Any, Any, Any], screen: Screen) -> None:
    while True:
        message: dict[str, Any] = dict(await socket.receive())
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", "replace")
        handle_client_message(screen, str(text))


@websocket("/ws/tickets", name="ticket_feed", opt={"access": "token"})
async def ticket_feed(socket: WebSocket[Any, Any, Any]) -> None:
    hub = shell(socket.app).part(DisplayHub)
    await socket.accept()
    try:
        token = await _hello(socket)
        watch = TicketWatch(hub, token)
        async with hub.handshakes:
            centre_id, first = await watch.read()
    except Closed as closed:
        await socket.send_text(error(closed.reason, closed.code - 4000).text)
        await socket.close(code=closed.code, reason=closed.reason[:120])
        return
    except Exception as exc:
        if not database_unreachable(exc):
            raise
        await socket.send_text(error(UNREACHABLE, 503).text)
        await socket.close(code=1013, reason="try again later / réessayez plus tard")
        return
    limiter = ConnectionLimiter(shell(socket.app).counters, "ticket", FEEDS_PER_TICKET)
    lease = await limiter.acquire(digest(token)[:32])
    if lease is None:
        reason = "too many pages open for this ticket / trop de connexions"
        await socket.send_text(error(reason, 429).text)
        await socket.close(code=4429, reason=reason)
        return
    await socket.send_text(first)
    watch.last = first.split('"server_time"')[0]
    screen = Screen(centre_id, None, hub.timings.outbox_limit)
    screen.last_heard = time.monotonic()
    hub.hold_lease(screen, lease)
    await hub.attach(screen)
    tasks = {
        asyncio.create_task(_receive(socket, screen)),
        asyncio.create_task(_send_views(socket, screen, watch, hub.timings.send_timeout_s)),
    }
    code, reason = 1000, ""
    try:
        closing: asyncio.Future[Any] = screen.closing
        done, _ = await asyncio.wait({*tasks, closing}, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks & done:
            if task.cancelled():
                continue
            failure = task.exception()
            if isinstance(failure, Closed):
                code, reason = failure.code, failure.reason
            elif failure is not None:
                log.debug("ticket feed ended: %r", failure)
    finally:
        hub.detach(screen)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await lease.release()
    if screen.closing.done():
        code, reason = screen.closing.result()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2):
            await socket.close(code=code, reason=reason)


__all__ = ["Outgoing", "ticket_feed"]
