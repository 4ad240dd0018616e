"""Every change is published after commit on the centre's channel, in sequence, without names."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from litestar import Litestar

from service.state import shell
from tests.conftest import StaffClients, World

pytestmark = pytest.mark.timeout(30)


async def _next_events(subscriber: Any, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    async def read() -> None:
        async for raw in subscriber.iter_events():
            events.append(json.loads(raw))
            if len(events) == count:
                return

    await asyncio.wait_for(read(), timeout=10)
    return events


async def test_changes_are_published_in_order_without_patient_data(
    app: Litestar, clients: StaffClients, world: World
) -> None:
    desk = await clients("reception-paris")
    channel = shell(app).channels.centre_channel(world.centres["paris"].id)
    async with shell(app).channels.start_subscription([channel]) as subscriber:
        first = await desk.post(
            "/api/centres/paris/tickets",
            json={"priority": "standard", "label": "Jeanne D.", "phone": "+33 6 12 34 56 78"},
        )
        ticket_id = first.json()["id"]
        await desk.post(f"/api/centres/paris/tickets/{ticket_id}/call", json={"room": "2"})
        await desk.post(f"/api/centres/paris/tickets/{ticket_id}/start")
        await desk.post("/api/centres/paris/tickets", json={"label": "Paul"})
        await desk.post("/api/centres/paris/call-next", json={"room": "2"})
        refused = await desk.post(f"/api/centres/paris/tickets/{ticket_id}/start")
        assert refused.status_code == 409
        events = await _next_events(subscriber, 5)
    assert [e["type"] for e in events] == [
        "ticket.checked_in",
        "ticket.call",
        "ticket.start",
        "ticket.checked_in",
        "ticket.called",
    ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert events[1]["ticket"]["room"] == "2"
    # The call to room 2 ended the consultation under way there, in the same change.
    assert [t["status"] for t in events[4]["finished"]] == ["done"]
    text = json.dumps(events)
    for secret in ("Jeanne", "Paul", "56 78", "label", "phone"):
        assert secret not in text
