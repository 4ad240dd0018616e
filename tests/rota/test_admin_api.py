"""What the administration pages need from the rota API: RPPS check digits, rooms retired
without losing their history, room order, the centre's wait alert threshold."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queues.models import Ticket
from rota.rpps import luhn_valid, rpps_problem
from tests.conftest import StaffClients, World
from tests.rota.conftest import Rota

pytestmark = pytest.mark.timeout(60)


def test_rpps_check_digit() -> None:
    assert luhn_valid("10001234565")
    assert not luhn_valid("10001234567")
    assert rpps_problem("10001234565") is None
    assert "11" in (rpps_problem("1234") or "")
    assert "clé" in (rpps_problem("10001234567") or "")
    assert rpps_problem("１０００１２３４５６５") is not None  # full-width digits are not digits


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_an_rpps_with_a_wrong_check_digit_is_a_400(
    clients: StaffClients, rota: Rota, method: str
) -> None:
    manager = await clients("manager")
    url = "/api/rota/doctors" if method == "POST" else f"/api/rota/doctors/{rota.doctors['alice']}"
    body = {"rpps": "10001234567"} | ({"display_name": "Dr X"} if method == "POST" else {})
    answer = await manager.request(method, url, json=body)
    assert answer.status_code == 400, answer.text
    assert "RPPS" in answer.json()["detail"]
    listed = (await manager.get("/api/rota/doctors")).json()
    assert all(doctor["rpps"] is None for doctor in listed)  # nothing was written


async def test_a_retired_room_keeps_its_history_and_takes_no_calls(
    clients: StaffClients, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    manager = await clients("manager")
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    ticket = (await desk.post("/api/centres/paris/tickets", json={})).json()
    called = await doctor.post("/api/centres/paris/call-next", json={"room": "2"})
    assert called.status_code == 200, called.text

    retired = await manager.patch("/api/rota/centres/paris/rooms/2", json={"retired": True})
    assert retired.status_code == 200, retired.text
    assert retired.json() == {"code": "2", "name": "Cabinet 2", "position": 2, "retired": True}

    rooms = (await manager.get("/api/rota/centres/paris")).json()["rooms"]
    assert [(r["code"], r["retired"]) for r in rooms] == [("1", False), ("2", True), ("3", False)]
    async with db() as session:
        row = (await session.execute(select(Ticket).where(Ticket.id == ticket["id"]))).scalar_one()
        assert row.room_id == world.centres["paris"].rooms[1].id  # the call still names it
    refused = await doctor.post("/api/centres/paris/call-next", json={"room": "2"})
    assert refused.status_code == 404, refused.text
    centre = (await desk.get("/api/centres/paris")).json()
    assert [r["code"] for r in centre["rooms"]] == ["1", "3"]

    back = await manager.patch("/api/rota/centres/paris/rooms/2", json={"retired": False})
    assert back.json()["retired"] is False


async def test_rooms_are_ordered_all_at_once(clients: StaffClients, world: World) -> None:
    manager = await clients("manager")
    order = "/api/rota/centres/paris/rooms/order"
    ordered = await manager.put(order, json={"codes": ["3", "1", "2"]})
    assert ordered.status_code == 200, ordered.text
    rooms = (await manager.get("/api/rota/centres/paris")).json()["rooms"]
    assert [r["code"] for r in rooms] == ["3", "1", "2"]
    for codes in (["3", "1"], ["3", "1", "2", "2"], ["3", "1", "9"]):
        refused = await manager.put(order, json={"codes": codes})
        assert refused.status_code == 400, refused.text
        assert "1, 2, 3" in refused.json()["detail"]


async def test_the_wait_alert_threshold_is_a_centre_setting(
    clients: StaffClients, world: World
) -> None:
    manager = await clients("manager")
    assert (await manager.get("/api/rota/centres/paris")).json()["wait_alert_minutes"] == 45
    changed = await manager.patch("/api/rota/centres/paris", json={"wait_alert_minutes": 30})
    assert changed.status_code == 200 and changed.json()["wait_alert_minutes"] == 30
    refused = await manager.patch("/api/rota/centres/paris", json={"wait_alert_minutes": 0})
    assert refused.status_code == 400
