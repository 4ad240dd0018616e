"""Database engine configuration shared by every feature.

Models use Advanced Alchemy's declarative bases so they share one metadata, which Alembic
migrates. SQLite is the embedded default; PostgreSQL (asyncpg) is production.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from advanced_alchemy.base import BigIntAuditBase, orm_registry
from advanced_alchemy.config import AsyncSessionConfig
from advanced_alchemy.extensions.litestar import EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from service.settings import Settings

__all__ = ["BigIntAuditBase", "WriteGate", "database_unreachable", "make_db_config", "metadata"]

metadata = orm_registry.metadata

POOL_TIMEOUT_S = 5
CONNECT_TIMEOUT_S = 5.0


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run during a write; the busy timeout makes a second writer wait
    # instead of failing at once; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def install_sqlite_pragmas(engine: AsyncEngine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)


def quiet_driver_logs() -> None:
    """aiosqlite logs every statement with its parameters (patient labels, phones) at DEBUG:
    keep it at INFO even when the service runs with debug logging."""
    driver = logging.getLogger("aiosqlite")
    if driver.level < logging.INFO:  # unset (inheriting the root's level) or DEBUG
        driver.setLevel(logging.INFO)


# A fixed pool: with overflow, every burst above pool_size opened PostgreSQL connections that
# were closed again on return (0.19 new connections per check-in under 20 desks). Two
# replicas use 2 x (15 + the session store's 8) of PostgreSQL's 100 default connections.
POOL_SIZE = 15


def make_db_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    quiet_driver_logs()
    # hide_parameters: database errors are logged, and their parameters may be patient data.
    engine_config = EngineConfig(hide_parameters=True)
    if not settings.is_sqlite:
        # With the database away, a request should be refused (503) within seconds, not wait
        # the pool's 30 s or asyncpg's 60 s connect timeout while its client gives up.
        # No pre-ping: it cost a BEGIN; SELECT; ROLLBACK round trip at every checkout (a
        # quarter of a check-in's round trips). After a database restart the first statement
        # on a dead connection fails instead; SQLAlchemy then invalidates the whole pool
        # (every connection older than the failure is replaced at its next checkout), and
        # that one request gets the 503 with Retry-After that any outage gives
        # (tests/faults/test_database_outage.py).
        engine_config = EngineConfig(
            pool_pre_ping=False,
            pool_size=POOL_SIZE,
            max_overflow=0,
            hide_parameters=True,
            pool_timeout=POOL_TIMEOUT_S,
            connect_args={"timeout": CONNECT_TIMEOUT_S},
        )
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        engine_config=engine_config,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        create_all=False,  # Alembic owns the schema
    )
    install_sqlite_pragmas(config.get_engine())
    return config


# Connection exceptions (class 08), and the server shutting down or starting (57P01-57P03).
_UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# What connecting raises when nothing answers: asyncpg lets these through unwrapped.
_NETWORK_ERRORS = (ConnectionError, TimeoutError, socket.gaierror)


def database_unreachable(exc: BaseException) -> bool:
    """True when the database could not be reached (down, restarting, pool exhausted): the
    request may succeed later, nothing about it was wrong."""
    if isinstance(exc, (PoolTimeout, *_NETWORK_ERRORS)):
        return True
    if isinstance(exc, DBAPIError):
        sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
        return (
            exc.connection_invalidated
            or sqlstate.startswith(_UNREACHABLE_SQLSTATES)
            or isinstance(exc.orig, _NETWORK_ERRORS)
            or isinstance(exc.orig.__cause__ if exc.orig else None, _NETWORK_ERRORS)
        )
    return False


class WriteGate:
    """Serialises write transactions when the database is SQLite.

    SQLite has one writer at a time, and a deferred transaction that reads and then writes can
    fail with "database is locked" rather than wait. The embedded mode is one process, so an
    asyncio lock makes writers queue politely. On PostgreSQL row locks do this job and the
    gate is a no-op.
    """

    def __init__(self, enabled: bool) -> None:
        self._lock = asyncio.Lock() if enabled else None

    @property
    def serialises(self) -> bool:
        """Whether writers queue here (SQLite), rather than on row locks (PostgreSQL)."""
        return self._lock is not None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        if self._lock is None:
            yield
            return
        async with self._lock:
            yield
