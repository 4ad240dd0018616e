"""Presence in the consulting rooms: beats, pause, leave, expiry, and who reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queues import reads
from queues.models import RoomPresence
from queues.presence import PresenceState, expire
from service.audit import AuditEntry
from service.changes import ChangePath
from service.db import WriteGate
from service.events import EventBus
from service.migrate import downgrade, upgrade
from tests.conftest import FakeClock, StaffClients, World
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(30)

BASE = "/api/centres/paris/presence"


class RecordingBus:
    def __init__(self) -> None:
        self.events: list[tuple[int, dict[str, Any]]] = []

    def publish(self, centre_id: int, event: dict[str, Any]) -> None:
        self.events.append((centre_id, event))


async def test_beats_pause_and_leave_are_listed_for_the_desk(
    clients: StaffClients, clock: FakeClock, world: World
) -> None:
    doctor = await clients("doctor-paris")
    desk = await clients("reception-paris")
    assert (await desk.get(BASE)).json() == []

    first = (await doctor.post(BASE, json={"room": "2"})).json()
    assert (first["state"], first["room"], first["beat_s"]) == ("present", "2", 30)
    listed = (await desk.get(BASE)).json()
    assert [(d["display_name"], d["room"], d["state"]) for d in listed] == [
        ("doctor-paris", "2", "present")
    ]
    seq = (await desk.get("/api/centres/paris/queue")).json()["seq"]

    clock.advance(0.5)
    again = (await doctor.post(BASE, json={"room": "2"})).json()
    assert again["since"] == first["since"]  # a beat that changes nothing
    assert (await desk.get("/api/centres/paris/queue")).json()["seq"] == seq

    paused = (await doctor.post(BASE, json={"room": "2", "state": "paused"})).json()
    assert paused["state"] == "paused" and paused["since"] != first["since"]
    assert (await desk.get(BASE)).json()[0]["state"] == "paused"
    assert (await desk.get("/api/centres/paris/queue")).json()["seq"] == seq + 1

    left = (await doctor.post(f"{BASE}/leave")).json()
    assert left["state"] is None
    assert (await desk.get(BASE)).json() == []
    assert (await doctor.post(f"{BASE}/leave")).json()["state"] is None  # twice: nothing more
    assert (await desk.get("/api/centres/paris/queue")).json()["seq"] == seq + 2


async def test_a_page_gone_quiet_is_no_longer_present(
    clients: StaffClients, clock: FakeClock, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    doctor = await clients("doctor-paris")
    await doctor.post(BASE, json={"room": "1"})
    paris = world.centres["paris"].id
    async with db() as session:
        assert len((await reads.doctors_present(session, [paris], clock()))[paris]) == 1
    clock.advance(1.4)  # 84 s: still within the timeout
    async with db() as session:
        assert len((await reads.doctors_present(session, [paris], clock()))[paris]) == 1
    clock.advance(0.2)
    async with db() as session:
        present = await reads.doctors_present(session, [paris, world.centres["lyon"].id], clock())
    assert present == {paris: [], world.centres["lyon"].id: []}

    bus = RecordingBus()
    ended = await expire(
        db, lambda s: ChangePath(s, WriteGate(enabled=False), cast(EventBus, bus), clock), clock()
    )
    assert ended == 1 and [c for c, _ in bus.events] == [paris]
    assert bus.events[0][1]["type"] == "presence.changed"
    async with db() as session:
        row = (await session.execute(select(RoomPresence))).scalar_one()
        assert row.ended_at == row.last_seen_at
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
        assert "expire" in actions
    # The page comes back: a new stretch begins.
    again = (await doctor.post(BASE, json={"room": "1"})).json()
    assert again["state"] == "present"


async def test_presence_is_a_doctors_and_bad_input_is_refused(
    clients: StaffClients, world: World
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    assert (await desk.post(BASE, json={"room": "1"})).status_code == 403
    assert (await doctor.post(BASE, json={"room": "9"})).status_code == 404
    assert (await doctor.post(BASE, json={"room": "1", "state": "asleep"})).status_code == 400
    assert (await doctor.post(BASE, json={"room": "1", "extra": 1})).status_code == 400
    lyon = await clients("doctor-lyon")
    assert (await lyon.post(BASE, json={"room": "1"})).status_code == 403
    assert (await (await clients()).get(BASE)).status_code == 401
    assert PresenceState("paused") is PresenceState.PAUSED


def test_migration_0012_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0012_presence")
        assert "room_presence" in schema(url)[0]
        downgrade(url, "0007_audit_sqlite")
        assert "room_presence" not in schema(url)[0]
        upgrade(url, "head")
