"""Migration 0009 both ways: the wait alert threshold and the rooms' retirement."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from service.migrate import downgrade, upgrade
from tests.conftest import PG_URL, _pg_execute

pytestmark = pytest.mark.timeout(90)


async def _columns(url: str, table: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(
            lambda sync: {column["name"] for column in inspect(sync).get_columns(table)}
        )
    await engine.dispose()
    return names


def test_migration_0009_upgrades_and_downgrades(tmp_path: Path) -> None:
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
        url = f"{PG_URL.rpartition('/')[0]}/{name}"
    try:
        upgrade(url, "head")
        assert "wait_alert_minutes" in asyncio.run(_columns(url, "centre"))
        assert "retired_at" in asyncio.run(_columns(url, "room"))
        # Down to one of its parents (the other branches go down with it: not its ancestors).
        downgrade(url, "0012_presence")
        assert "wait_alert_minutes" not in asyncio.run(_columns(url, "centre"))
        assert "retired_at" not in asyncio.run(_columns(url, "room"))
        upgrade(url, "head")
        assert "retired_at" in asyncio.run(_columns(url, "room"))
    finally:
        if PG_URL is not None:
            asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
