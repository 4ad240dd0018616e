"""Migration 0008 (accounts) both ways, on the tier's database."""

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


def _schema(url: str) -> tuple[set[str], set[str]]:
    async def read() -> tuple[set[str], set[str]]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:

            def names(sync: object) -> tuple[set[str], set[str]]:
                found = inspect(sync)
                columns = {c["name"] for c in found.get_columns("staff_account")}
                return set(found.get_table_names()), columns

            result = await conn.run_sync(names)
        await engine.dispose()
        return result

    return asyncio.run(read())


def test_migration_0008_upgrades_and_downgrades(tmp_path: Path) -> None:
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
        url = f"{PG_URL.rpartition('/')[0]}/{name}"
    try:
        upgrade(url, "0008_accounts")
        tables, columns = _schema(url)
        assert {"staff_account_centre", "account_setup"} <= tables
        assert {"last_login_at", "session_generation"} <= columns
        downgrade(url, "0007_audit_sqlite")
        tables, columns = _schema(url)
        assert not {"staff_account_centre", "account_setup"} & tables
        assert "session_generation" not in columns
        upgrade(url, "head")
    finally:
        if PG_URL is not None:
            asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
