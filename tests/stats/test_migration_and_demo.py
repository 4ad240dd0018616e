"""Migration 0013 both ways, and the demo's generated weeks of statistics."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.migrate import downgrade, upgrade
from stats.demo import HISTORY_DAYS, seed_history
from stats.models import DayStats, HourStats
from tests.conftest import PG_URL, World, _pg_execute

pytestmark = pytest.mark.timeout(120)


def _schema(url: str) -> tuple[set[str], set[str]]:
    async def read() -> tuple[set[str], set[str]]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            found = await conn.run_sync(
                lambda sync: (
                    set(inspect(sync).get_table_names()),
                    {c["name"] for c in inspect(sync).get_columns("ticket")},
                )
            )
        await engine.dispose()
        return found

    return asyncio.run(read())


def test_migration_0013_upgrades_and_downgrades(tmp_path: Path) -> None:
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
        url = f"{PG_URL.rpartition('/')[0]}/{name}"
    told = {"told_wait_min", "told_high_min", "joined_position"}
    ours = {"stats_hour", "stats_day", "stats_doctor_day"}
    try:
        upgrade(url, "0013_stats")
        tables, columns = _schema(url)
        assert ours <= tables and told <= columns
        downgrade(url, "0007_audit_sqlite")
        tables, columns = _schema(url)
        assert not ours & tables and not told & columns
        upgrade(url, "head")
    finally:
        if PG_URL is not None:
            asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_the_demo_fills_weeks_of_every_centre_once(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    async with db() as session:
        await seed_history(session, now)
        await session.commit()
        days = (await session.execute(select(func.count(DayStats.id)))).scalar_one()
        assert days == HISTORY_DAYS * len(world.centres)  # open every day of the weeks
        hours = (await session.execute(select(func.count(HourStats.id)))).scalar_one()
        assert hours >= 12 * days
        await seed_history(session, now)  # already there: nothing more
        await session.commit()
        again = (await session.execute(select(func.count(DayStats.id)))).scalar_one()
        assert again == days
