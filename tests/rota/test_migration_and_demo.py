"""Migration 0003 both ways, and the demo network loaded into an empty database."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from rota import models
from rota.demo_load import load_demo_network
from service.migrate import downgrade, upgrade
from tests.conftest import PG_URL, _pg_execute

pytestmark = pytest.mark.timeout(60)


def test_migration_0003_upgrades_and_downgrades(tmp_path: Path) -> None:
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
        url = f"{PG_URL.rpartition('/')[0]}/{name}"
    try:
        upgrade(url, "0001")
        upgrade(url, "0003")
        downgrade(url, "0001")
        upgrade(url, "head")

        async def tables() -> set[str]:
            engine = create_async_engine(url)
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            await engine.dispose()
            return names

        assert {"doctor", "shift", "leave", "cover_need", "calendar_token"} <= asyncio.run(tables())
    finally:
        if PG_URL is not None:
            asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_demo_network_loads_in_seconds(db: async_sessionmaker[AsyncSession]) -> None:
    started = time.perf_counter()
    async with db() as session:
        centres = await load_demo_network(session, date(2026, 11, 24))
        await session.commit()
    elapsed = time.perf_counter() - started
    assert len(centres) == 26 and centres[0].slug == "paris-bastille" and centres[0].rooms
    async with db() as session:
        count = (await session.execute(select(func.count(models.Shift.id)))).scalar_one()
        doctors = (await session.execute(select(func.count(models.Doctor.id)))).scalar_one()
        linked = (
            await session.execute(text("SELECT count(*) FROM shift WHERE pattern_id IS NOT NULL"))
        ).scalar_one()
    assert count > 10_000 and doctors == 350 and linked > 0
    assert elapsed < 20  # a few seconds on a laptop; generous for a busy CI machine
