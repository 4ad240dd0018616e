"""Disabling an account from the accounts administration closes its open staff feeds within a
second (the hub hears it from the change, not at its periodic check, 5 s by default), and a
new password closes the feeds of the account's other sessions too. Runs on both tiers."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import PASSWORD, World
from tests.display.conftest import ScreenClient, Served, session_cookie

pytestmark = pytest.mark.timeout(30)

WITHIN_S = 1.0


async def _closed_within(screen: ScreenClient, seconds: float) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        await screen.until(lambda m: False, wait_s=seconds)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def _opened(served: Served, username: str) -> tuple[httpx.AsyncClient, ScreenClient]:
    client = await served.http(username)
    feed = await served.screen("paris", cookie=session_cookie(client))
    assert (await feed.next())["type"] == "snapshot"
    return client, feed


async def test_disabling_closes_the_accounts_feeds_within_a_second(
    served: Served, world: World
) -> None:
    _, tablet = await _opened(served, "reception-paris")
    _, second_tablet = await _opened(served, "reception-paris")
    _, doctor = await _opened(served, "doctor-paris")
    manager = await served.http("manager")
    desk_id = world.accounts["reception-paris"].id
    answer = await manager.post(f"/api/accounts/{desk_id}/disable")
    assert answer.status_code == 200, answer.text
    for feed in (tablet, second_tablet):
        assert await _closed_within(feed, WITHIN_S) == 4401
    # Someone else's feed carries on.
    await asyncio.sleep(0.2)
    assert doctor.ws.close_code is None
    await doctor.close()


async def test_a_new_password_closes_the_other_sessions_feeds(served: Served, world: World) -> None:
    doctor, own_feed = await _opened(served, "doctor-paris")
    _, other_feed = await _opened(served, "doctor-paris")
    changed = await doctor.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "un cheval bleu qui danse"},
    )
    assert changed.status_code == 204, changed.text
    assert await _closed_within(other_feed, WITHIN_S) == 4401
    # This page's own feed closes too, and reopens at once with the renewed session.
    assert await _closed_within(own_feed, WITHIN_S) == 4401
    again = await served.screen("paris", cookie=session_cookie(doctor))
    assert (await again.next())["type"] == "snapshot"
    await again.close()
