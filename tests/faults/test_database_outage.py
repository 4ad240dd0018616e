"""PostgreSQL unreachable (issue 11, fault 2): 503 with Retry-After, readiness fails, recovery.

The app reaches PostgreSQL through a loopback proxy that the test cuts and restores.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.engine import make_url
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from service.app import create_app
from service.settings import Settings
from tests.conftest import FakeClock, StaffClients, World
from tests.display.conftest import free_port
from tests.faults.tcp_proxy import CuttableProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[CuttableProxy]:
    url = make_url(settings.database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
async def staff(
    settings: Settings, clock: FakeClock, world: World, proxy: CuttableProxy
) -> AsyncIterator[StaffClients]:
    through_proxy = make_url(settings.database_url).set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        replace(settings, database_url=through_proxy.render_as_string(hide_password=False)),
        clock=clock,
    )
    clients = StaffClients(app)
    await clients.start()
    yield clients
    await clients.close()


async def screen_refusal(app: Litestar) -> tuple[int, int]:
    """What a screen connecting now is told: (error status, close code)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # raises why the server could not start
            await asyncio.sleep(0.02)
        async with connect(f"ws://127.0.0.1:{port}/ws/centres/paris", open_timeout=5) as ws:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None
        return int(message["status"]), closed.value.rcvd.code
    finally:
        server.should_exit = True
        await task


async def test_an_unreachable_database_answers_503_and_fails_readiness(
    staff: StaffClients, proxy: CuttableProxy
) -> None:
    desk = await staff("reception-paris")
    anonymous = await staff()
    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    assert (await anonymous.get("/health/ready")).status_code == 200

    await proxy.cut()
    started = time.monotonic()
    refused = await desk.post("/api/centres/paris/tickets", json={})
    print(
        f"\ncheck-in with the database cut: {refused.status_code} in "
        f"{(time.monotonic() - started) * 1000:.0f} ms"
    )
    assert refused.status_code == 503, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert "database" in refused.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).status_code == 503
    ready = await anonymous.get("/health/ready")
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    assert (await anonymous.get("/health/live")).status_code == 200
    assert await screen_refusal(staff.app) == (503, 1013)

    await proxy.restore()
    for _ in range(20):  # the pool notices dead connections on checkout (pre-ping)
        if (await anonymous.get("/health/ready")).status_code == 200:
            break
        await asyncio.sleep(0.25)
    again = await desk.post("/api/centres/paris/tickets", json={})
    assert again.status_code == 201, again.text
    assert again.json()["number"] == "A002"  # nothing lost, nothing doubled
