"""A check-in keeps the wait the desk was shown and the place it joined at (the statistics
measure the estimator with them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queues.models import Ticket
from rota.models import Doctor, Shift
from tests.conftest import FakeClock, StaffClients, World

pytestmark = pytest.mark.timeout(60)


async def test_the_ticket_keeps_what_the_desk_showed(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World, clock: FakeClock
) -> None:
    # A doctor on the rota all day, so waits are finite. No staff account: the estimator then
    # takes the rota's word (one with an account counts once they open a room).
    async with db() as session:
        doctor = Doctor(display_name="Dr Rota")
        session.add(doctor)
        await session.flush()
        session.add(
            Shift(
                doctor_id=doctor.id,
                centre_id=world.centres["paris"].id,
                starts_at=clock.now - timedelta(hours=1),
                ends_at=clock.now + timedelta(hours=8),
            )
        )
        await session.commit()
    desk = await clients("reception-paris")
    shown = []
    for priority in ("standard", "standard", "urgent", "standard"):
        answer = await desk.post("/api/centres/paris/tickets", json={"priority": priority})
        assert answer.status_code == 201
        shown.append(answer.json())
    async with db() as session:
        rows = (await session.execute(select(Ticket).order_by(Ticket.seq_no))).scalars().all()
    # Ahead of a standard newcomer: everyone waiting; of an urgent one: the urgent only.
    assert [t.joined_position for t in rows] == [0, 1, 0, 3]
    for ticket, answer in zip(rows, shown, strict=True):
        told = answer["estimate"]
        assert told is not None and told["wait_min"] is not None
        assert ticket.told_wait_min is not None and ticket.told_high_min is not None
        assert round(ticket.told_wait_min) == told["wait_min"]
        assert round(ticket.told_high_min) == told["high_min"]
