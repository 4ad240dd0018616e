"""Staff sessions kept in the database, so that they outlive a Redis restart.

The design keeps no state in Redis that the database cannot rebuild: a session there would be
lost with Redis (every tablet signed out) and, while Redis is down, no staff request could
even be read. Advanced Alchemy's SQLAlchemyStore keeps Litestar's session store in a table
shared by every replica. The embedded SQLite mode is one process and keeps sessions in memory
(a restart signs staff out), which spares SQLite a write per request outside the write gate.
"""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from advanced_alchemy.extensions.litestar.store import SQLAlchemyStore, StoreModelMixin
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore


class SessionStoreItem(StoreModelMixin):
    __tablename__ = "session_store"


def make_session_store(db_config: SQLAlchemyAsyncConfig, is_sqlite: bool) -> Store:
    if is_sqlite:
        return MemoryStore()
    return SQLAlchemyStore(db_config, model=SessionStoreItem, namespace="sessions")
