"""The live feed of one patient's ticket: the token in a first message, the ticket's own view
after each change at its centre, and the screens' limits."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from .conftest import ScreenClient, Served

pytestmark = pytest.mark.timeout(30)


async def ticket_link(served: Served) -> tuple[str, int]:
    desk = await served.http("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    answer = await desk.post("/api/centres/paris/tickets", json={"label": "Zoé"})
    return answer.json()["link"].removeprefix("/t/"), answer.json()["id"]


async def follow(served: Served, token: str) -> ScreenClient:
    client = ScreenClient(await connect(f"{served.ws_base}/ws/tickets", open_timeout=5))
    await client.send({"type": "hello", "token": token})
    return client


async def test_the_feed_sends_the_ticket_then_its_call(served: Served) -> None:
    token, _ = await ticket_link(served)
    phone = await follow(served, token)
    first = await phone.until(lambda m: m["type"] == "ticket")
    assert first["ahead"] == 1 and first["status"] == "waiting"
    doctor = await served.http("doctor-paris")
    await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    moved = await phone.until(lambda m: m["type"] == "ticket" and m["ahead"] == 0)
    assert moved["status"] == "waiting"
    await doctor.post("/api/centres/paris/tickets/1/finish")
    await doctor.post("/api/centres/paris/call-next", json={"room": "2"})
    called = await phone.until(lambda m: m["type"] == "ticket" and m["status"] == "called")
    assert called["room_name"] == "Cabinet 2"
    assert "Zoé" not in "".join(phone.seen) and '"label"' not in "".join(phone.seen)
    await phone.close()


async def closed_with(client: ScreenClient) -> int:
    try:
        while True:
            await client.next()
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        return closed.rcvd.code


async def test_a_wrong_token_or_no_hello_is_refused(served: Served) -> None:
    assert await closed_with(await follow(served, "A" * 43)) == 4404
    silent = ScreenClient(await connect(f"{served.ws_base}/ws/tickets", open_timeout=5))
    await silent.send({"type": "pong"})
    assert await closed_with(silent) == 4400


async def test_at_most_three_feeds_per_ticket(served: Served) -> None:
    token, _ = await ticket_link(served)
    phones = [await follow(served, token) for _ in range(3)]
    for phone in phones:
        await phone.until(lambda m: m["type"] == "ticket")
    assert await closed_with(await follow(served, token)) == 4429
    for phone in phones:
        await phone.close()
