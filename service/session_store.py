"""Staff sessions kept in the database, so that they outlive a Redis restart.

The design keeps no state in Redis that the database cannot rebuild: a session there would be
lost with Redis (every tablet signed out) and, while Redis is down, no staff request could
even be read. Advanced Alchemy's SQLAlchemyStore keeps Litestar's session store in a table
shared by every replica. The embedded SQLite mode is one process and keeps sessions in memory
(a restart signs staff out), which spares SQLite a write per request outside the write gate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from advanced_alchemy.config import AsyncSessionConfig
from advanced_alchemy.extensions.litestar import EngineConfig, SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from sqlalchemy import select

from service.settings import Settings


class SessionStoreItem(StoreModelMixin):
    __tablename__ = "session_store"


class OneTripStore(SQLAlchemyStore[SQLAlchemyAsyncConfig]):
    """Reads a session in one round trip: a Core select on an autocommit connection.

    The store's own read opens an ORM session and a transaction (BEGIN, SELECT, COMMIT) for
    one row, on every staff request; a single select needs no transaction. Writes, and reads
    that renew the expiry, stay the library's."""

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            return await super().get(key, renew_for)
        model = self._model
        engine = self._config.get_engine().execution_options(isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            value = (
                await connection.execute(
                    select(model.value).where(
                        model.key == key,
                        model.namespace == self.namespace,
                        model.expires_at.is_(None) | (model.expires_at > datetime.now(UTC)),
                    )
                )
            ).scalar_one_or_none()
        return bytes(value) if value else None


async def _nothing_to_close() -> None:
    return None


def make_session_store(settings: Settings) -> tuple[Store, Callable[[], Awaitable[None]]]:
    """The store and what closes it at shutdown."""
    if settings.is_sqlite:
        return MemoryStore(), _nothing_to_close
    # Its own small pool: the session is saved while the request's own connection may still be
    # checked out, and with one shared pool, busy requests each holding one connection and
    # waiting for a second could exhaust it for good.
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        # hide_parameters: a failed statement is logged, and its parameters are session ids.
        # Fixed, without pre-ping, for the reasons of the main pool (service/db.py).
        engine_config=EngineConfig(
            pool_size=8,
            max_overflow=0,
            pool_pre_ping=False,
            pool_timeout=5,
            hide_parameters=True,
        ),
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,
    )

    async def close() -> None:
        await config.get_engine().dispose()

    return OneTripStore(config, model=SessionStoreItem, namespace="sessions"), close
