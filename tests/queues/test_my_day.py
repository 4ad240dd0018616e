"""GET /api/centres/{slug}/my-day: the tickets the signed-in account called today."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock, StaffClients

pytestmark = pytest.mark.timeout(30)


async def test_my_day_lists_my_calls_in_order_and_counts_the_finished(
    clients: StaffClients, clock: FakeClock
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    for _ in range(4):
        await desk.post("/api/centres/paris/tickets", json={})
    empty = (await doctor.get("/api/centres/paris/my-day")).json()
    assert (empty["seen"], empty["tickets"], empty["service_day"]) == (0, [], "2026-11-24")

    first = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    await doctor.post(f"/api/centres/paris/tickets/{first['id']}/start")
    clock.advance(10)
    second = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    await doctor.post(f"/api/centres/paris/tickets/{second['id']}/no-show")
    # Called by reception, not by this doctor: not in their day.
    await desk.post("/api/centres/paris/call-next", json={"room": "2"})

    day = (await doctor.get("/api/centres/paris/my-day")).json()
    assert [t["number"] for t in day["tickets"]] == ["A001", "A002"]
    assert [t["status"] for t in day["tickets"]] == ["done", "no_show"]
    assert day["seen"] == 1


async def test_a_released_ticket_leaves_my_day_and_yesterday_is_not_today(
    clients: StaffClients, clock: FakeClock
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    called = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    await doctor.post(f"/api/centres/paris/tickets/{called['id']}/release")
    assert (await doctor.get("/api/centres/paris/my-day")).json()["tickets"] == []

    called = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    await doctor.post(f"/api/centres/paris/tickets/{called['id']}/finish")
    assert len((await doctor.get("/api/centres/paris/my-day")).json()["tickets"]) == 1
    clock.advance(24 * 60)
    assert (await doctor.get("/api/centres/paris/my-day")).json()["tickets"] == []


async def test_my_day_is_for_staff_of_the_centre(clients: StaffClients) -> None:
    assert (await (await clients()).get("/api/centres/paris/my-day")).status_code == 401
    lyon = await clients("doctor-lyon")
    assert (await lyon.get("/api/centres/paris/my-day")).status_code == 403
    manager = await clients("manager")
    assert (await manager.get("/api/centres/nowhere/my-day")).status_code == 404


async def test_missed_lists_no_shows_for_requeue(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    waiting = (await desk.post("/api/centres/paris/tickets", json={})).json()
    called = (await desk.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    await desk.post(f"/api/centres/paris/tickets/{called['id']}/no-show")
    await desk.post(f"/api/centres/paris/tickets/{waiting['id']}/left-unseen")
    missed = (await desk.get("/api/centres/paris/missed")).json()
    assert {t["number"]: t["status"] for t in missed} == {"A001": "no_show", "A002": "left_unseen"}
    await desk.post(f"/api/centres/paris/tickets/{called['id']}/requeue")
    assert [t["number"] for t in (await desk.get("/api/centres/paris/missed")).json()] == ["A002"]
