"""Helpers of the migration tests: a scratch database of the tier, and what its schema holds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import PG_URL, _pg_execute


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of the tier (a SQLite file, or a PostgreSQL database made
    for the test and dropped after it)."""
    if PG_URL is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    name = f"walkin_migrate_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def schema(url: str, table: str | None = None) -> tuple[set[str], set[str]]:
    """The database's table names, and the column names of ``table`` (empty without one, or
    when the table does not exist)."""

    async def read() -> tuple[set[str], set[str]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:

                def names(sync: object) -> tuple[set[str], set[str]]:
                    found = inspect(sync)
                    tables = set(found.get_table_names())
                    if table is None or table not in tables:
                        return tables, set()
                    return tables, {c["name"] for c in found.get_columns(table)}

                return await conn.run_sync(names)
        finally:
            await engine.dispose()

    return asyncio.run(read())
