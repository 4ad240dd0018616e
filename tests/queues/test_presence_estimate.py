"""The issue's live case, on the database of the tier (SQLite, then PostgreSQL): a rota of three
doctors, one in a room and two not arrived. The newcomer's wait is that of one doctor until a
second opens a room, and the screens' doctors present list who is in a room."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from display.estimates import doctors_on_duty
from queues import estimator
from queues.live import rota_shifts_today, snapshot_of
from queues.models import RoomPresence
from rota.models import Centre
from service.accounts import Role
from tests.conftest import FakeClock, StaffClients, World, staff_account
from tests.rows import in_room, planned_doctor

pytestmark = pytest.mark.timeout(60)

QUEUE = "/api/centres/paris/queue"


async def _three_doctors(db: async_sessionmaker[AsyncSession], world: World, now: datetime) -> None:
    """doctor-paris and two colleagues, all on the rota since 100 minutes before ``now``, until
    evening; doctor-paris in room 1 since the start of the shift, the others not come."""
    async with db() as session:
        paris = world.centres["paris"]
        ids = [world.accounts["doctor-paris"].id]
        for name in ("doctor-b", "doctor-c"):
            account = staff_account(name, Role.DOCTOR, paris)
            session.add(account)
            await session.flush()
            ids.append(account.id)
        for account_id, name in zip(ids, ("doctor-paris", "doctor-b", "doctor-c"), strict=True):
            start = now - timedelta(minutes=100)
            await planned_doctor(
                session, paris.id, name, start, start + timedelta(hours=9), account_id=account_id
            )
        in_room(session, paris.id, ids[0], paris.rooms[0].id, now - timedelta(minutes=100), now)
        await session.commit()


async def _one_doctor_estimate(
    db: async_sessionmaker[AsyncSession], world: World, clock: FakeClock
) -> float:
    """The same day as the estimator would see it were doctor-paris the only one on the rota."""
    async with db() as session:
        centre = await session.get(Centre, world.centres["paris"].id)
        assert centre is not None
        snapshot = await snapshot_of(session, centre, clock(), rota_shifts_today)
    key = f"account:{world.accounts['doctor-paris'].id}"
    alone = dataclasses.replace(
        snapshot, doctors=tuple(d for d in snapshot.doctors if d.doctor_id == key)
    )
    assert len(alone.doctors) == 1 and alone.doctors[0].present
    return estimator.estimate(alone).newcomer[estimator.Priority.STANDARD].wait_min


async def _present_on_screens(
    db: async_sessionmaker[AsyncSession], world: World, clock: FakeClock
) -> list[str]:
    async with db() as session:
        centre = await session.get(Centre, world.centres["paris"].id)
        assert centre is not None
        return await doctors_on_duty(session, centre, clock())


async def test_one_doctor_in_a_room_two_not_arrived(
    clients: StaffClients, clock: FakeClock, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    await _three_doctors(db, world, clock())
    desk = await clients("reception-paris")
    first = await clients("doctor-paris")
    assert (await first.post("/api/centres/paris/presence", json={"room": "1"})).status_code == 200
    for _ in range(9):
        await desk.post("/api/centres/paris/tickets", json={})
    clock.advance(0.1)

    one = (await desk.get(QUEUE)).json()["newcomer"]["standard"]["wait_min"]
    alone = await _one_doctor_estimate(db, world, clock)
    # Nine ahead and one doctor calling, the other two 100 minutes late: one doctor's wait.
    assert one is not None and alone > 60
    assert abs(one - alone) <= max(5.0, 0.15 * alone), (one, alone)
    assert await _present_on_screens(db, world, clock) == ["doctor-paris"]

    second = await clients("doctor-b")
    await second.post("/api/centres/paris/presence", json={"room": "2"})
    clock.advance(0.1)
    two = (await desk.get(QUEUE)).json()["newcomer"]["standard"]["wait_min"]
    assert two is not None and two <= 0.7 * one, (one, two)
    assert await _present_on_screens(db, world, clock) == ["doctor-b", "doctor-paris"]


async def test_nobody_present_and_nobody_expected_is_an_unknown_wait(
    clients: StaffClients, clock: FakeClock, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    await _three_doctors(db, world, clock() - timedelta(hours=8))  # shifts ended 20 min ago
    async with db() as session:  # doctor-paris left with the end of the shift
        for row in (await session.execute(select(RoomPresence))).scalars():
            row.ended_at = row.last_seen_at = clock() - timedelta(minutes=20)
        await session.commit()
    desk = await clients("reception-paris")
    for _ in range(3):
        await desk.post("/api/centres/paris/tickets", json={})
    assert (await desk.get(QUEUE)).json()["newcomer"]["standard"]["wait_min"] is None
    doctor = await clients("doctor-paris")
    await doctor.post("/api/centres/paris/presence", json={"room": "1"})  # a stand-in arrives
    clock.advance(0.1)
    assert (await desk.get(QUEUE)).json()["newcomer"]["standard"]["wait_min"] is not None
