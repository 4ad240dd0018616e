"""The WebSocket feed of one centre for waiting-room screens.

Messages to the screen: `snapshot` (everything; on connect, on request, after any gap),
queue events as published (`ticket.*`, `checkin.*`, consecutive `seq`), `waits` (calls,
counts, estimate and doctors, after each batch of events and every ~30 s), `ping`, `pong`,
`error`. From the screen: `{"type": "pong"}`, `{"type": "ping"}`, `{"type": "resync"}`,
each at most MAX_CLIENT_MESSAGE characters (frames beyond WALKIN_WS_MAX_FRAME_BYTES close 1009).

Close codes the pages map (an `error` message with the same detail comes first where it can):
- 4401 not signed in / not paired, or the staff session ended (sign-out, expiry, account
  disabled): stop and send the user to sign in or pair again;
- 4403 token revoked or for another centre, or not the staff member's centre: stop;
- 4404 no such centre: stop;
- 4429 too many feeds open on this display token or staff session: reconnect later, with
  backoff (a connection of a replica that died stops counting within ~90 s);
- 4408 the screen was silent too long, 4008 it could not keep up with its feed (backlog),
  1012 the service restarts, 1013 the database is unreachable (try again later), 1009 a
  frame too large: reconnect with backoff and jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import msgspec
from litestar import WebSocket, websocket
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from display.access import Refused, authorise_viewer, staff_principal
from display.hub import FRESH_SNAPSHOT, DisplayHub, Outgoing, Screen, to_text
from service.db import database_unreachable
from service.params import PathText
from service.sessions import SESSION_COOKIE
from service.state import shell

log = logging.getLogger("walkin.display")

MAX_CLIENT_MESSAGE = 512
PONG = Outgoing("message", -1, to_text({"type": "pong"}))
UNREACHABLE = "the database cannot be reached, retrying / base de données injoignable"


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


def _forget_handshake(socket: WebSocket[Any, Any, Any]) -> None:
    """A paired screen reads nothing more of its handshake: Litestar's parsed copies of it
    (headers, cookies, URL, query) would otherwise stay as long as the connection, weeks."""
    state = ScopeState.from_scope(socket.scope)
    state.headers = state.cookies = state.url = state.parsed_query = Empty


@websocket("/ws/centres/{centre_slug:str}", name="display_feed")
async def centre_feed(socket: WebSocket[Any, Any, Any], centre_slug: PathText) -> None:
    hub = shell(socket.app).part(DisplayHub)
    await socket.accept()
    try:
        # A few handshakes at a time: a reconnect storm (a replica died and its pages move
        # here) must leave most of the pool to sign-ins and check-ins.
        async with hub.handshakes, hub.shell.db.get_session() as session:
            viewer = await authorise_viewer(socket, centre_slug, session)
    except Refused as refused:
        await socket.send_text(error(refused.message, refused.status).text)
        await socket.close(code=refused.close_code, reason=refused.message[:120])
        return
    except Exception as exc:
        if not database_unreachable(exc):
            raise
        # Not the screen's fault and not ours to log as a crash: it retries with backoff.
        await socket.send_text(error(UNREACHABLE, 503).text)
        await socket.close(code=1013, reason="try again later / réessayez plus tard")
        return
    lease = await hub.admit(viewer, socket.cookies.get(SESSION_COOKIE))
    if lease is None:
        full = Refused(429, "too many feeds open for this screen or session / trop de connexions")
        await socket.send_text(error(full.message, full.status).text)
        await socket.close(code=full.close_code, reason=full.message[:120])
        return
    screen = Screen(viewer.centre.id, viewer.token_id, hub.timings.outbox_limit)
    if viewer.principal is not None:
        slug = viewer.centre.slug

        async def still_allowed() -> bool:
            # Sign-out deletes the session, expiry and a disabled account make it worthless.
            principal = await staff_principal(socket)
            return principal is not None and principal.may_act_at(slug)

        screen.still_allowed = still_allowed
        screen.account_id = viewer.principal.account_id
    else:
        _forget_handshake(socket)
    # This frame lives as long as the feed: not the handshake's rows and session with it.
    del viewer, session
    hub.hold_lease(screen, lease)
    await hub.attach(screen)
    hub.serve(screen, socket.send_text)
    # The screen's one task of its own: a sender exists only while it has a backlog.
    receiving = asyncio.create_task(_receive(socket, screen))
    try:
        closing: asyncio.Future[Any] = screen.closing
        await asyncio.wait({receiving, closing}, return_when=asyncio.FIRST_COMPLETED)
        if receiving.done() and not receiving.cancelled() and receiving.exception() is not None:
            log.debug("screen feed ended: %r", receiving.exception())
    finally:
        screen.close(1000, "")  # unless closed already: no sender starts after this
        hub.detach(screen)
        tasks = [receiving] if screen.sender is None else [receiving, screen.sender]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):  # a lease not released goes stale by itself
            await lease.release()
    code, reason = screen.closing.result() if screen.closing.done() else (1000, "")
    with contextlib.suppress(Exception):  # the screen may be gone already
        async with asyncio.timeout(2):
            await socket.close(code=code, reason=reason)
