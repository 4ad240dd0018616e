"""Alembic environment: migrates SQLite and PostgreSQL alike, with the async drivers."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import display.models  # noqa: F401  (registers the models on the shared metadata)
import forecast.models  # noqa: F401
import notify.models  # noqa: F401
import queues.models  # noqa: F401
import rota.models  # noqa: F401
import service.accounts  # noqa: F401
import stats.models  # noqa: F401
from queues.retention import DailyCentreStats  # noqa: F401
from service.audit import AuditEntry  # noqa: F401
from service.db import metadata
from service.session_store import SessionStoreItem  # noqa: F401
from service.settings import Settings

config = context.config


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
