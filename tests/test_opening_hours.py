"""Reception, the screens, the public board and the estimator all plan with the rota's hours.

Christmas Day 2026 (a Friday): Paris keeps holiday hours 09:00–13:00 instead of its weekly
08:00–20:00; Lyon is closed for the day by an exceptional day. At 12:00 in France one doctor
is planned at each centre until 20:00 and ten patients wait, so a newcomer would be called
after 13:00: after Paris closes today, but not after its weekly closing time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from display.view import centre_state
from queues.live import EstimateCache, rota_shifts_today, snapshot_of
from rota.models import Centre, ExceptionalDay
from tests.conftest import FakeClock, StaffClients, World
from tests.rows import planned_doctor, waiting_patients

pytestmark = pytest.mark.timeout(60)

CHRISTMAS = date(2026, 12, 25)
NOON_IN_FRANCE = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)
PARIS_MIDNIGHT = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)


async def _christmas(db: async_sessionmaker[AsyncSession], world: World) -> None:
    async with db() as session:
        paris = await session.get(Centre, world.centres["paris"].id)
        assert paris is not None
        paris.public_holiday_hours = [["09:00", "13:00"]]
        session.add(ExceptionalDay(centre_id=world.centres["lyon"].id, day=CHRISTMAS, hours=[]))
        for slug in ("paris", "lyon"):
            centre_id = world.centres[slug].id
            await planned_doctor(
                session,
                centre_id,
                f"Dr {slug}",
                datetime(2026, 12, 25, 7, 0, tzinfo=UTC),
                datetime(2026, 12, 25, 19, 0, tzinfo=UTC),
            )
            waiting_patients(
                session, centre_id, CHRISTMAS, 10, NOON_IN_FRANCE - timedelta(minutes=10)
            )
        await session.commit()


async def _centre(session: AsyncSession, world: World, slug: str) -> Centre:
    centre = await session.get(Centre, world.centres[slug].id)
    assert centre is not None
    return centre


async def test_estimator_plans_with_holiday_hours_and_closures(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _christmas(db, world)
    async with db() as session:
        paris = await snapshot_of(
            session, await _centre(session, world, "paris"), NOON_IN_FRANCE, rota_shifts_today
        )
        lyon = await snapshot_of(
            session, await _centre(session, world, "lyon"), NOON_IN_FRANCE, rota_shifts_today
        )
    assert (paris.opens, paris.closes) == (9 * 60, 13 * 60)
    assert (lyon.opens, lyon.closes) == (0, 0)


async def test_screen_snapshot_shows_the_rota_hours(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _christmas(db, world)
    estimates = EstimateCache(rota_shifts_today)
    async with db() as session:
        paris = await centre_state(
            session, await _centre(session, world, "paris"), NOON_IN_FRANCE, estimates
        )
        lyon = await centre_state(
            session, await _centre(session, world, "lyon"), NOON_IN_FRANCE, estimates
        )
    assert paris["opening"] == [["09:00", "13:00"]] and paris["open_now"] is True
    assert lyon["opening"] == [] and lyon["open_now"] is False
    assert lyon["newcomer_wait"] is None


async def test_public_board_shows_the_rota_hours(
    clients: StaffClients, clock: FakeClock, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _christmas(db, world)
    clock.now = NOON_IN_FRANCE
    anonymous = await clients()
    board = (await anonymous.get("/api/public/waits")).json()
    by_slug: dict[str, Any] = {c["slug"]: c for c in board["centres"]}
    assert by_slug["paris"]["opening"] == [["09:00", "13:00"]]
    assert by_slug["paris"]["open_now"] is True
    assert by_slug["lyon"]["opening"] == [] and by_slug["lyon"]["open_now"] is False
    assert by_slug["lyon"]["newcomer_wait"] is None
    # Brussels has no holiday hours of its own: it keeps its weekly hours on Christmas Day.
    assert by_slug["bruxelles"]["opening"] == [["08:00", "20:00"]]


async def test_reception_warns_of_the_holiday_closing_time(
    clients: StaffClients, clock: FakeClock, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _christmas(db, world)
    clock.now = NOON_IN_FRANCE
    for slug in ("paris", "lyon"):
        desk = await clients(f"reception-{slug}")
        queue = (await desk.get(f"/api/centres/{slug}/queue")).json()
        newcomer = queue["newcomer"]["standard"]
        # Called before the weekly 20:00, but after today's 13:00 (Paris) or on a closed day.
        assert newcomer["wait_min"] is not None
        assert NOON_IN_FRANCE + timedelta(minutes=newcomer["wait_min"]) < PARIS_MIDNIGHT + (
            timedelta(days=1, hours=20)
        )
        assert newcomer["after_closing"] is True, slug
