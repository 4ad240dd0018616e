"""Migration 0014 (shift offers) both ways; the table it makes is the one the model maps."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from rota import models
from service.migrate import downgrade, upgrade
from tests.conftest import PG_URL, _pg_execute

pytestmark = pytest.mark.timeout(60)


def _columns(url: str) -> dict[str, set[str]]:
    async def read() -> dict[str, set[str]]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            found = await conn.run_sync(
                lambda sync: {
                    name: {c["name"] for c in inspect(sync).get_columns(name)}
                    for name in inspect(sync).get_table_names()
                }
            )
        await engine.dispose()
        return found

    return asyncio.run(read())


def test_migration_0014_upgrades_and_downgrades(tmp_path: Path) -> None:
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
        url = f"{PG_URL.rpartition('/')[0]}/{name}"
    try:
        upgrade(url, "0014_shift_offers")
        mapped = {c.name for c in models.ShiftOffer.__table__.columns}
        assert _columns(url)["shift_offer"] == mapped
        downgrade(url, "0011_patient_phone")
        assert "shift_offer" not in _columns(url)
        upgrade(url, "head")
        assert "shift_offer" in _columns(url)
    finally:
        if PG_URL is not None:
            asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
