"""Staff sessions kept in the database, so that they outlive a Redis restart.

The design keeps no state in Redis that the database cannot rebuild: a session there would be
lost with Redis (every tablet signed out) and, while Redis is down, no staff request could
even be read. Advanced Alchemy's SQLAlchemyStore keeps Litestar's session store in a table
shared by every replica. The embedded SQLite mode is one process: it keeps sessions in files
beside its database (Litestar's FileStore: one file per session, written to a private temporary
file and renamed), so that a restart signs nobody out, while SQLite is spared a write per request
outside the write gate. An in-memory SQLite database (tests) keeps them in memory.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from advanced_alchemy.config import AsyncSessionConfig
from advanced_alchemy.extensions.litestar import EngineConfig, SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.settings import SQLITE_PREFIX, Settings


class SessionStoreItem(StoreModelMixin):
    __tablename__ = "session_store"


class OneTripStore(SQLAlchemyStore[SQLAlchemyAsyncConfig]):
    """Reads a session in one round trip: a Core select on an autocommit connection.

    The store's own read opens an ORM session and a transaction (BEGIN, SELECT, COMMIT) for
    one row, on every staff request; a single select needs no transaction. Writes, and reads
    that renew the expiry, stay the library's."""

    # Made at first use (the library's constructor is left alone).
    _autocommit: AsyncEngine | None = None
    _read_statement: Select[tuple[bytes]] | None = None

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        if renew_for:
            return await super().get(key, renew_for)
        async with self._autocommit_engine().connect() as connection:
            value = (await connection.execute(self._read(), self._where(key))).scalar_one_or_none()
        return bytes(value) if value else None

    async def read_on(self, session: AsyncSession, key: str) -> bytes | None:
        """The same read on a request's own database session (the one its handler and the
        account look-up use): no checkout of this store's pool and no connection of its own
        per request. It begins that session's transaction, as the account read would."""
        value = (await session.execute(self._read(), self._where(key))).scalar_one_or_none()
        return bytes(value) if value else None

    def _where(self, key: str) -> dict[str, object]:
        return {"p_key": key, "p_namespace": self.namespace, "p_now": datetime.now(UTC)}

    # Made once per store, not per request: an engine's execution_options() builds a new
    # engine object each call, and a statement built again costs its cache key each time.
    def _autocommit_engine(self) -> AsyncEngine:
        if self._autocommit is None:
            engine = self._config.get_engine()
            self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        return self._autocommit

    def _read(self) -> Select[tuple[bytes]]:
        if self._read_statement is None:
            table: Table = self._model.__table__  # type: ignore[assignment]
            self._read_statement = select(table.c.value).where(
                table.c.key == bindparam("p_key"),
                table.c.namespace == bindparam("p_namespace"),
                table.c.expires_at.is_(None)
                | (table.c.expires_at > bindparam("p_now", type_=table.c.expires_at.type)),
            )
        return self._read_statement


async def _nothing_to_close() -> None:
    return None


def embedded_session_folder(database_url: str) -> Path | None:
    """Where an embedded database's sessions are kept: beside its file (None: in memory)."""
    if not database_url.startswith(SQLITE_PREFIX):
        return None
    path = Path(database_url.removeprefix(SQLITE_PREFIX).split("?")[0])
    if not path.name or path.name == ":memory:" or not path.parent.is_dir():
        return None
    return path.with_name(path.name + "-sessions")


async def forget_expired(store: Store) -> None:
    """At start-up: a session file is removed when read after its expiry, and one never read
    again (a tablet replaced) would stay; the files past their time go now."""
    if isinstance(store, FileStore):
        await store.delete_expired()


def make_session_store(settings: Settings) -> tuple[Store, Callable[[], Awaitable[None]]]:
    """The store and what closes it at shutdown."""
    if settings.is_sqlite:
        folder = embedded_session_folder(settings.database_url)
        if folder is None:
            return MemoryStore(), _nothing_to_close
        # Owner only: a session file holds a credential (its name is the id's digest); the
        # files themselves are made 0600 by mkstemp.
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
        return FileStore(folder), _nothing_to_close
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
