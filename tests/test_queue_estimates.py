"""The queue API gives each waiting patient, and a newcomer, an estimated wait."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FakeClock, StaffClients

pytestmark = pytest.mark.timeout(30)


async def _day_so_far(clients: StaffClients, clock: FakeClock, waiting: int) -> None:
    """Two doctors have seen a few patients; `waiting` patients are in the queue."""
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    manager = await clients("manager")
    for _ in range(6):
        await desk.post("/api/centres/paris/tickets", json={})
    for room, caller in (("1", doctor), ("2", manager)):
        for _ in range(3):
            called = (await caller.post("/api/centres/paris/call-next", json={"room": room})).json()
            clock.advance(10)
            await caller.post(f"/api/centres/paris/tickets/{called['id']}/finish")
    for _ in range(waiting):
        await desk.post("/api/centres/paris/tickets", json={})
        clock.advance(1)


async def test_waits_grow_with_position_and_newcomer_is_last(
    clients: StaffClients, clock: FakeClock
) -> None:
    await _day_so_far(clients, clock, waiting=6)
    desk = await clients("reception-paris")
    queue = (await desk.get("/api/centres/paris/queue")).json()
    waits = [t["estimate"]["wait_min"] for t in queue["tickets"] if t["status"] == "waiting"]
    assert len(waits) == 6
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]
    newcomer = queue["newcomer"]["standard"]
    assert newcomer["wait_min"] >= waits[-1]
    assert newcomer["low_min"] <= newcomer["wait_min"] <= newcomer["high_min"]
    assert queue["newcomer"]["urgent"]["wait_min"] <= newcomer["wait_min"]


async def test_check_in_answer_carries_the_estimate(
    clients: StaffClients, clock: FakeClock
) -> None:
    await _day_so_far(clients, clock, waiting=2)
    desk = await clients("reception-paris")
    answer = (await desk.post("/api/centres/paris/tickets", json={})).json()
    assert answer["estimate"]["wait_min"] is not None
    assert answer["estimate"]["after_closing"] is False


async def test_check_in_that_would_be_seen_after_closing_is_flagged(
    clients: StaffClients, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 17:00 in Paris, closes at 20:00
    await _day_so_far(clients, clock, waiting=40)
    desk = await clients("reception-paris")
    answer = (await desk.post("/api/centres/paris/tickets", json={})).json()
    assert answer["estimate"]["after_closing"] is True


async def test_with_nobody_calling_the_wait_is_unknown_not_an_error(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    answer = await desk.post("/api/centres/paris/tickets", json={})
    assert answer.status_code == 201
    assert answer.json()["estimate"]["wait_min"] is None
