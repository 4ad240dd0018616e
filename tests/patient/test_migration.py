"""Migration 0011 (the patient's phone) upgrades and downgrades, and gives the models' tables."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from service.migrate import downgrade, upgrade


def _schema(url: str) -> tuple[set[str], set[str]]:
    async def read() -> tuple[set[str], set[str]]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            ticket = await conn.run_sync(
                lambda sync: {c["name"] for c in inspect(sync).get_columns("ticket")}
            )
        await engine.dispose()
        return tables, ticket

    return asyncio.run(read())


def test_migration_0011_upgrades_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    upgrade(url, "head")
    tables, ticket = _schema(url)
    assert {"notification_outbox", "notification_delivery", "remote_join"} <= tables
    assert {"link_hash", "remote", "notify_ahead", "push_subscription"} <= ticket
    downgrade(url, "0007_audit_sqlite")
    tables, ticket = _schema(url)
    assert "notification_outbox" not in tables and "link_hash" not in ticket
    upgrade(url, "head")
