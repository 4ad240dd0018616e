"""Migration 0013 both ways, and the demo's generated weeks of statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.migrate import downgrade, upgrade
from stats.demo import history_days, seed_history
from stats.models import DayStats, HourStats
from tests.conftest import World
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(120)


def test_migration_0013_upgrades_and_downgrades(tmp_path: Path) -> None:
    told = {"told_wait_min", "told_high_min", "joined_position"}
    ours = {"stats_hour", "stats_day", "stats_doctor_day"}
    with scratch_database(tmp_path) as url:
        upgrade(url, "0013_stats")
        tables, columns = schema(url, "ticket")
        assert ours <= tables and told <= columns
        downgrade(url, "0007_audit_sqlite")
        tables, columns = schema(url, "ticket")
        assert not ours & tables and not told & columns
        upgrade(url, "head")


async def test_the_demo_fills_weeks_of_every_centre_once(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    async with db() as session:
        await seed_history(session, now)
        await session.commit()
        days = (await session.execute(select(func.count(DayStats.id)))).scalar_one()
        # Open every day: November 24 asks for October with eight weeks before it.
        assert history_days(now.date()) == (now.date() - date(2026, 10, 1)).days + 56
        assert days == history_days(now.date()) * len(world.centres)
        hours = (await session.execute(select(func.count(HourStats.id)))).scalar_one()
        assert hours >= 12 * days
        await seed_history(session, now)  # already there: nothing more
        await session.commit()
        again = (await session.execute(select(func.count(DayStats.id)))).scalar_one()
        assert again == days
