"""The home's API: every centre's row from the real reads, the change mark, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from network.api import centres_visible_to
from service.accounts import Role
from service.auth import Principal
from tests.conftest import FakeClock, StaffClients, World, add_centre_manager

pytestmark = pytest.mark.timeout(60)


def _row(answer: dict, slug: str) -> dict:  # type: ignore[type-arg]
    return next(row for row in answer["rows"] if row["slug"] == slug)


async def test_a_check_in_and_a_call_change_the_centres_row(
    clients: StaffClients, world: World, clock: FakeClock
) -> None:
    manager = await clients("manager")
    desk = await clients("reception-paris")
    before = (await manager.get("/api/network/home")).json()
    assert before["centres"] == 3 and {r["slug"] for r in before["rows"]} == set(world.centres)
    assert _row(before, "paris")["waiting"] == 0 and _row(before, "paris")["alerts"] == []

    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    mark = (await manager.get("/api/network/mark")).json()["mark"]
    assert mark > before["mark"]
    clock.advance(50)
    after = (await manager.get("/api/network/home")).json()
    paris = _row(after, "paris")
    assert (paris["waiting"], paris["longest_wait_minutes"]) == (1, 50)
    assert paris["alerts"] == ["nobody_in_room", "wait_over_threshold"]
    assert after["rows"][0]["slug"] == "paris"  # alerts first

    doctor = await clients("doctor-paris")
    in_room = await doctor.post("/api/centres/paris/presence", json={"room": "1"})
    assert in_room.status_code in (200, 201), in_room.text
    present = _row((await manager.get("/api/network/home")).json(), "paris")
    assert (present["doctors_in_room"], present["alerts"]) == (1, ["wait_over_threshold"])
    called_next = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    assert called_next.status_code == 200, called_next.text
    called = _row((await manager.get("/api/network/home")).json(), "paris")
    assert (called["waiting"], called["doctors_in_room"], called["alerts"]) == (0, 1, [])


async def test_sorted_and_filtered_by_the_query(clients: StaffClients, world: World) -> None:
    manager = await clients("manager")
    named = (await manager.get("/api/network/home?sort=name")).json()
    assert [r["name"] for r in named["rows"]] == ["Bruxelles-Midi", "Lyon Part-Dieu", "Paris 11e"]
    alerts = (await manager.get("/api/network/home?alerts=true")).json()
    assert alerts["rows"] == [] and alerts["centres"] == 3
    bad = await manager.get("/api/network/home?sort=colour")
    assert bad.status_code == 400


async def test_only_managers_see_the_network(clients: StaffClients, world: World) -> None:
    for who in ("reception-paris", "doctor-paris"):
        client = await clients(who)
        assert (await client.get("/api/network/home")).status_code == 403
        assert (await client.get("/api/network/mark")).status_code == 403
    assert (await (await clients()).get("/api/network/home")).status_code == 401


def test_the_home_shows_the_centres_a_principal_may_see() -> None:
    manager = Principal(1, "m", "M", Role.MANAGER, None, None)
    centre_manager = Principal(
        2,
        "c",
        "C",
        Role.CENTRE_MANAGER,
        None,
        None,
        frozenset({"paris", "lyon"}),
        frozenset({7, 9}),
    )
    assert centres_visible_to(manager) is None
    assert centres_visible_to(centre_manager) == frozenset({7, 9})


async def test_a_centre_manager_sees_and_administers_only_their_centres(
    clients: StaffClients, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    await add_centre_manager(db, world, "gestion-lyon", ["lyon"])
    lyon = await clients("gestion-lyon")
    home = (await lyon.get("/api/network/home")).json()
    assert [row["slug"] for row in home["rows"]] == ["lyon"] and home["centres"] == 1
    page = {"accept": "text/html"}
    assert (await lyon.get("/admin/centres/lyon", headers=page)).status_code == 200
    assert (await lyon.get("/admin/centres/lyon/screens", headers=page)).status_code == 200
    refused = await lyon.get("/admin/centres/paris", headers=page)
    assert refused.status_code == 403 and "<html" in refused.text
    assert (await lyon.get("/admin/doctors", headers=page)).status_code == 403
    desk = await clients("reception-paris")
    assert (await desk.get("/admin/centres/paris/screens", headers=page)).status_code == 200
    assert (await desk.get("/admin/centres/paris", headers=page)).status_code == 403
    assert (await desk.get("/admin/centres/lyon/screens", headers=page)).status_code == 403
