"""What screens show of waits and doctors comes from the estimator and the rota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from display.estimates import doctors_on_duty, newcomer_wait
from queues.live import EstimateCache, rota_shifts_today
from rota import reads as rota_reads
from rota.models import Centre, Leave
from service.accounts import Role
from tests.conftest import World, staff_account
from tests.rows import in_room, planned_doctor, waiting_patients

pytestmark = pytest.mark.timeout(30)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


async def _centre(session: Any, world: World) -> Centre:
    centre = await session.get(Centre, world.centres["paris"].id)
    assert centre is not None
    return centre


async def test_screen_wait_and_doctors_follow_the_rota(db: Any, world: World) -> None:
    async with db() as session:
        centre = await _centre(session, world)
        estimates = EstimateCache(rota_shifts_today)
        waiting_patients(session, centre.id, NOW.date(), 6, NOW - timedelta(minutes=24))
        await session.commit()
        assert await newcomer_wait(session, centre, NOW, estimates) is None
        assert await doctors_on_duty(session, centre, NOW) == []

        accounts = []
        for name in ("Dr Martin", "Dr Okafor"):
            account = staff_account(name, Role.DOCTOR, centre)
            account.display_name = name
            session.add(account)
            await session.flush()
            accounts.append(account)
            await planned_doctor(
                session,
                centre.id,
                name,
                NOW - timedelta(hours=1),
                NOW + timedelta(hours=6),
                account_id=account.id,
            )
        await session.commit()
        centre.event_seq += 1  # the rota changed: do not reuse the cached estimate
        # An hour into their shifts and in no room: not coming, as far as anyone can tell.
        assert await newcomer_wait(session, centre, NOW, estimates) is None
        assert await doctors_on_duty(session, centre, NOW) == []

        room = centre.rooms[0].id
        for account in accounts:
            in_room(session, centre.id, account.id, room, NOW - timedelta(minutes=50), NOW)
        await session.commit()
        centre.event_seq += 1
        wait = await newcomer_wait(session, centre, NOW, estimates)
        assert wait is not None
        assert wait.low <= wait.minutes <= wait.high
        # Six ahead, two doctors, consultations of about 12 minutes without history.
        assert 15 <= wait.minutes <= 60
        assert await doctors_on_duty(session, centre, NOW) == ["Dr Martin", "Dr Okafor"]


async def test_leave_over_part_of_a_shift_removes_only_that_part_everywhere(
    db: Any, world: World
) -> None:
    """The rota's doctors on duty and the estimator's rota follow one leave rule."""
    async with db() as session:
        centre = await _centre(session, world)
        doctor = await planned_doctor(
            session, centre.id, "Dr Martin", NOW - timedelta(hours=2), NOW + timedelta(hours=8)
        )
        for away, back, status in (
            (timedelta(hours=3), timedelta(days=1), "approved"),
            (timedelta(hours=-1), timedelta(minutes=-30), "approved"),
            (timedelta(hours=1), timedelta(hours=2), "pending"),  # not granted: no effect
        ):
            session.add(
                Leave(doctor_id=doctor.id, starts_at=NOW + away, ends_at=NOW + back, status=status)
            )
        await session.commit()
        planned = await rota_shifts_today(session, centre, NOW.date())
        assert [(s.start - NOW, s.end - NOW) for s in planned] == [
            (timedelta(hours=-2), timedelta(hours=-1)),
            (timedelta(minutes=-30), timedelta(hours=3)),
        ]
        on_duty = rota_reads.doctors_on_duty
        assert [d.display_name for d in await on_duty(session, centre, NOW)] == ["Dr Martin"]
        assert await on_duty(session, centre, NOW + timedelta(hours=4)) == []
