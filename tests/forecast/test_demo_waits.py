"""The demo: next month is drafted at the first centres, and its predicted waits have doctors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forecast.reads import predicted_waits
from rota import models
from rota.demo_load import DRAFTED_CENTRES, load_demo_network
from stats.demo import seed_history

pytestmark = pytest.mark.timeout(180)

TODAY = date(2026, 11, 24)  # the demo's rota then runs to 10 December


async def test_the_demo_drafts_next_month_for_the_predicted_waits(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        centres = await load_demo_network(session, TODAY)
        await seed_history(session, datetime(2026, 11, 24, 9, tzinfo=UTC))
        await session.commit()
    late = datetime(2026, 12, 20, tzinfo=UTC)
    async with db() as session:
        found = await session.execute(
            select(models.Shift.centre_id, func.count(models.Shift.id))
            .where(models.Shift.starts_at >= late)
            .group_by(models.Shift.centre_id)
        )
        counts = {centre_id: n for centre_id, n in found.tuples()}
        assert {c.id for c in centres[:DRAFTED_CENTRES]} == set(counts)
        rows = await session.execute(
            select(models.Shift.starts_at, models.Shift.ends_at, models.Shift.doctor_id).where(
                models.Shift.centre_id == centres[0].id, models.Shift.starts_at >= late
            )
        )
        shifts = [(str(doctor), start, end) for start, end, doctor in rows.tuples()]
        days = await predicted_waits(
            session, centres[0], date(2026, 12, 21), date(2026, 12, 27), shifts, as_of=TODAY
        )
    assert len(days) == 7
    assert all(max(h.doctors for h in day.hours) >= 2 for day in days)
    assert all(day.arrivals > 0 and day.median_min is not None for day in days)
