"""Fault trials of the feed (issue 11): a reconnect storm, events in transit under load.

Bounded in count and time, loopback only. Figures are printed (run with -s to see them);
the bounds asserted are generous on purpose: the machine is shared.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.conftest import PASSWORD, World
from tests.display.conftest import Served, session_cookie

STORM = 200


async def _timed(work: Any) -> float:
    started = time.monotonic()
    await work
    return time.monotonic() - started


@pytest.mark.timeout(90)
async def test_a_reconnect_storm_leaves_sign_in_and_check_in_answering(
    served: Served, world: World
) -> None:
    desk = await served.http("reception-paris")
    cookie = session_cookie(desk)
    url = f"{served.ws_base}/ws/centres/paris"

    async def feed() -> Any:
        socket = await connect(url, additional_headers={"Cookie": cookie}, open_timeout=60)
        await asyncio.wait_for(socket.recv(), 60)  # the snapshot: it was let in
        return socket

    storm = [asyncio.create_task(feed()) for _ in range(STORM)]
    try:
        await asyncio.sleep(0.05)  # the burst is under way
        newcomer = await served.http()
        sign_in = await _timed(
            newcomer.post(
                "/api/auth/login", json={"username": "doctor-paris", "password": PASSWORD}
            )
        )
        check_in = await _timed(desk.post("/api/centres/paris/tickets", json={}))
        sockets = await asyncio.gather(*storm)
    finally:
        for task in storm:
            task.cancel()
    print(
        f"\n{STORM} feeds at once: sign-in {sign_in * 1e3:.0f} ms, check-in {check_in * 1e3:.0f} ms"
    )
    assert newcomer.cookies.get("session")
    # Generous: before the fix both waited for the pool's 30 s timeout.
    assert sign_in < 10 and check_in < 10
    for socket in sockets:
        await socket.close()
