"""Caps on the feed (issue 11, item 9): frame size, connections per token and per session."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import update
from websockets.exceptions import ConnectionClosed

from display.hub import DisplayHub
from service.accounts import StaffAccount
from service.cli import server_options
from service.settings import Settings
from service.state import shell
from tests.conftest import WallClock, World
from tests.display.conftest import (
    ScreenClient,
    Served,
    make_token,
    serving,
    session_cookie,
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def served_as_in_production(
    app: Litestar, world: World, settings: Settings
) -> AsyncIterator[Served]:
    """The app behind uvicorn with the options `walkin serve` gives it (logging aside)."""
    options = {
        key: value
        for key, value in server_options(settings).items()
        if key not in ("log_config", "log_level")  # the test run keeps its own logging
    }
    async with serving(app, **options) as served:
        yield served


async def test_a_large_frame_is_refused_before_it_is_read(
    served_as_in_production: Served, db: Any, world: World
) -> None:
    _, token = await make_token(db, world, "paris")
    screen = await served_as_in_production.screen("paris", token=token)
    assert (await screen.next())["type"] == "snapshot"
    await screen.ws.send("x" * (1024 * 1024))
    with pytest.raises(ConnectionClosed) as closed:
        await screen.until(lambda m: False, wait_s=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


async def closed_with(screen: Any) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        await screen.until(lambda m: False, wait_s=10)
    assert closed.value.rcvd is not None
    code: int = closed.value.rcvd.code
    return code


async def test_a_display_token_holds_a_few_feeds_and_no_more(
    served: Served, db: Any, world: World, settings: Settings
) -> None:
    _, token = await make_token(db, world, "paris")
    screens = [
        await served.screen("paris", token=token) for _ in range(settings.feeds_per_display_token)
    ]
    for screen in screens:
        assert (await screen.next())["type"] == "snapshot"
    extra = await served.screen("paris", token=token)
    refusal = await extra.next()
    assert refusal["type"] == "error" and refusal["status"] == 429
    assert await closed_with(extra) == 4429
    await screens.pop().close()
    await asyncio.sleep(0.2)  # its lease is released as it closes
    again = await served.screen("paris", token=token)
    assert (await again.next())["type"] == "snapshot"
    for screen in (*screens, again):
        await screen.close()


async def test_a_staff_session_holds_its_pages_feeds_and_no_more(
    served: Served, world: World, settings: Settings
) -> None:
    desk = await served.http("reception-paris")
    cookie = session_cookie(desk)
    pages = [
        await served.screen("paris", cookie=cookie) for _ in range(settings.feeds_per_staff_session)
    ]
    for page in pages:
        assert (await page.next())["type"] == "snapshot"
    extra = await served.screen("paris", cookie=cookie)
    assert (await extra.next())["status"] == 429
    assert await closed_with(extra) == 4429
    colleague = await served.http("doctor-paris")  # another session has its own allowance
    other = await served.screen("paris", cookie=session_cookie(colleague))
    assert (await other.next())["type"] == "snapshot"
    for page in (*pages, other):
        await page.close()


@pytest.fixture
def quick_staff_checks(served: Served) -> None:
    hub = shell(served.app).part(DisplayHub)
    hub.timings = replace(hub.timings, staff_check_s=0.2)


async def desk_feed(served: Served) -> tuple[httpx.AsyncClient, ScreenClient]:
    """Paris's reception signed in, and a feed opened with its session, past the snapshot."""
    desk = await served.http("reception-paris")
    page = await served.screen("paris", cookie=session_cookie(desk))
    assert (await page.next())["type"] == "snapshot"
    return desk, page


async def test_a_staff_feed_closes_on_sign_out(
    served: Served, world: World, quick_staff_checks: None
) -> None:
    desk, page = await desk_feed(served)
    assert (await desk.post("/api/auth/logout")).status_code == 204
    assert await closed_with(page) == 4401


async def test_a_staff_feed_closes_when_the_account_is_disabled(
    served: Served, db: Any, world: World, quick_staff_checks: None
) -> None:
    _, page = await desk_feed(served)
    async with db() as session:
        await session.execute(
            update(StaffAccount)
            .where(StaffAccount.id == world.accounts["reception-paris"].id)
            .values(active=False)
        )
        await session.commit()
    assert await closed_with(page) == 4401


async def test_a_staff_feed_closes_when_the_session_expires(
    served: Served, world: World, quick_staff_checks: None, wall_clock: WallClock
) -> None:
    _, page = await desk_feed(served)
    wall_clock.offset = shell(served.app).settings.session_idle_s + 1
    assert await closed_with(page) == 4401


SLOW_READERS = 20


def never_reading_feed(port: int, token: str) -> socket.socket:
    """A WebSocket client that completes nothing but its request and never reads a byte."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        (
            f"GET /ws/centres/paris?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return sock


@pytest.mark.timeout(90)
async def test_clients_that_never_read_are_dropped_within_seconds(
    served_as_in_production: Served, db: Any, world: World
) -> None:
    served = served_as_in_production
    hub = shell(served.app).part(DisplayHub)
    port = int(served.base.rsplit(":", 1)[1])
    tokens = [(await make_token(db, world, "paris", f"slow {n}")) for n in range(SLOW_READERS)]
    slow_ids = {token_id for token_id, _ in tokens}
    sockets = [never_reading_feed(port, token) for _, token in tokens]
    _, healthy_token = await make_token(db, world, "paris", "healthy")
    healthy = await served.screen("paris", token=healthy_token)
    events: list[dict[str, Any]] = []

    async def read_like_a_screen() -> None:
        while True:
            message = await healthy.next(wait_s=60)
            if message["type"] == "ping":
                await healthy.send({"type": "pong"})
            elif message["type"].startswith("ticket."):
                events.append(message)

    reader = asyncio.create_task(read_like_a_screen())
    desk = await served.http("reception-paris")
    started = time.monotonic()
    dropped_after: float | None = None
    try:
        while time.monotonic() - started < 60:
            await desk.post("/api/centres/paris/tickets", json={})
            if not any(screen.token_id in slow_ids for screen in hub.screens()):
                dropped_after = time.monotonic() - started
                break
            await asyncio.sleep(0.2)
        print(f"\n{SLOW_READERS} clients that never read were dropped after {dropped_after} s")
        assert dropped_after is not None and dropped_after < 30  # uvicorn's default took ~40 s
        seen = len(events)
        await desk.post("/api/centres/paris/tickets", json={})
        for _ in range(50):  # the healthy screen, which reads, is still served
            if len(events) > seen:
                break
            await asyncio.sleep(0.1)
        assert len(events) > seen and not reader.done()
    finally:
        reader.cancel()
        for sock in sockets:
            sock.close()
        await healthy.close()
