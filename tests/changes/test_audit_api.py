"""The managers' audit API shows rota and screen changes and filters them."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock, StaffClients, World

pytestmark = pytest.mark.timeout(60)


async def test_rota_and_screen_changes_are_listed_and_filtered(
    clients: StaffClients, world: World, clock: FakeClock, client_ip: str
) -> None:
    manager = await clients("manager")
    desk = await clients("reception-lyon")
    room = await manager.post(
        "/api/rota/centres/paris/rooms", json={"code": "9", "name": "Cabinet 9"}
    )
    assert room.status_code == 201, room.text
    clock.advance(10)
    tv = await clients()
    pairing = (await tv.post("/api/displays/pair", headers={"X-Forwarded-For": client_ip})).json()
    confirmed = await desk.post(
        "/api/centres/lyon/displays/pair", json={"code": pairing["code"], "label": "Hall"}
    )
    assert confirmed.status_code == 200, confirmed.text

    def actions(answer: dict[str, list[dict[str, object]]]) -> list[tuple[object, object]]:
        return [(e["entity"], e["action"]) for e in answer["entries"]]

    paris = world.centres["paris"].id
    by_centre = (await manager.get(f"/api/audit?centre_id={paris}&entity=room")).json()
    assert actions(by_centre) == [("room", "add")]
    assert by_centre["entries"][0]["actor_username"] == "manager"
    by_actor = (await manager.get("/api/audit?actor=reception-lyon&entity=display_pairing")).json()
    assert actions(by_actor) == [("display_pairing", "confirm")]
    lyon = world.centres["lyon"].id
    by_id = (await manager.get(f"/api/audit?actor_id={world.accounts['manager'].id}")).json()
    assert ("room", "add") in actions(by_id) and ("display_pairing", "confirm") not in actions(
        by_id
    )
    until = (await manager.get("/api/audit?until=2026-11-24T09:05:00Z&action=add")).json()
    assert actions(until) == [("room", "add")]
    later = (await manager.get(f"/api/audit?since=2026-11-24T09:05:00Z&centre_id={lyon}")).json()
    assert actions(later) == [("display_pairing", "confirm")]
    naive = await manager.get("/api/audit?until=2026-11-24T09:05:00")
    assert naive.status_code == 400
