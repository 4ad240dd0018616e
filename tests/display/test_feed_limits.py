"""Caps on the feed (issue 11, item 9): frame size, connections per token and per session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from litestar import Litestar
from websockets.exceptions import ConnectionClosed

from service.cli import server_options
from service.settings import Settings
from tests.conftest import World
from tests.display.conftest import FAST, Served, free_port, make_token

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def served_as_in_production(
    app: Litestar, world: World, settings: Settings
) -> AsyncIterator[Served]:
    """The app behind uvicorn with the options `walkin serve` gives it (logging aside)."""
    app.state["display_timings"] = FAST
    options = {
        key: value
        for key, value in server_options(settings).items()
        if key not in ("log_config", "log_level")  # the test run keeps its own logging
    }
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    served = Served(app, f"http://127.0.0.1:{port}")
    yield served
    for client in served._http:
        await client.aclose()
    server.should_exit = True
    await task


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
