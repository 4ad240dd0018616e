"""Staff sessions: server-made ids only, an absolute lifetime, an idle timeout, and a fresh
id at every sign-in.

The session store renews its expiry on every write, so on its own a session used every few
minutes would never end; the session records when it started and when it was last used, and
both limits are checked on every request.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from service.session_store import OneTripStore
from service.state import shell

SESSION_COOKIE = "session"
SESSION_STORE = "sessions"
# Where sign-in leaves the new session id for the session middleware to use on the way out.
ROTATED_ID = "walkin_rotated_session_id"
# The id of a session the store really holds, once the middleware has read it.
LOADED_ID = "walkin_loaded_session_id"
# What the store held under that id, to tell whether the request changed the session.
LOADED_DATA = "walkin_loaded_session_data"
# The last use is recorded at this granularity: a session used again within a minute is not
# written back (a write per request was a sixth of a check-in's cost). The idle timeout then
# counts from a last use at most this much earlier than the real one.
SEEN_STEP_S = 60.0
SESSION_ID_BYTES = 32
# What generate_session_id and rotate_session make; anything else cannot be ours.
SESSION_ID_RE = re.compile(rf"[0-9a-f]{{{2 * SESSION_ID_BYTES}}}")


def _state(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    state: dict[str, Any] = connection.scope.setdefault("state", {})
    return state


class RotatingSessionBackend(ServerSideSessionBackend):
    """Only ids the store holds are used; a request that neither has nor starts a session
    leaves the store and the cookie alone.

    Litestar takes the cookie's value as the session id whether or not the store knows it, and
    stores an empty session under it (and sends the cookie back) on every anonymous request:
    anyone could fill the store with ids of their choosing, or plant one for fixation. Here an
    unknown id is as good as no cookie, and a new session always gets a server-made id.
    """

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if not session_id or not SESSION_ID_RE.fullmatch(session_id):
            return {}  # also spares the store a lookup for junk (non-ASCII, huge, "null")
        store = self.config.get_store_from_app(connection.scope["app"])
        data = await self._read(connection, session_id, store)
        if data is None:
            return {}
        _state(connection)[LOADED_ID] = session_id
        loaded = self.deserialize_data(data)
        _state(connection)[LOADED_DATA] = dict(loaded)
        return loaded

    async def _read(
        self, connection: ASGIConnection[Any, Any, Any, Any], session_id: str, store: Store
    ) -> bytes | None:
        # An HTTP request reads its session on its own database session, which the account
        # look-up then uses too and the SQLAlchemy plugin closes when the answer starts. A
        # WebSocket has none; a read that renews the expiry is a write (the library's).
        database_store = getattr(store, "inner", store)
        if (
            isinstance(database_store, OneTripStore)
            and connection.scope["type"] == ScopeType.HTTP
            and not self.config.renew_on_access
        ):
            db = shell(connection.app).db.provide_session(connection.app.state, connection.scope)
            return await database_store.read_on(db, session_id)
        return await self.get(session_id, store=store)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = _state(connection)
        for key in (ROTATED_ID, LOADED_ID):
            if isinstance(state.get(key), str):
                return str(state[key])
        # Never the cookie's value: the id the middleware generated for this request, if any.
        return connection.get_session_id() or self.generate_session_id()

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if not scope_session:
            if LOADED_ID not in _state(connection):
                return  # nothing to keep and nothing to forget: no write, no cookie
            scope_session = Empty  # an emptied session is deleted, its cookie cleared
        else:
            state = _state(connection)
            if ROTATED_ID not in state and scope_session == state.get(LOADED_DATA):
                # Unchanged: the store and the browser have it already. The store's expiry
                # was set at the last write, no sooner than the session's own end would be
                # (max_age from its start), which session_is_current enforces anyway.
                return
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
    session_id_bytes: int = SESSION_ID_BYTES


async def rotate_session(request: Request[Any, Any, Any]) -> None:
    """Forget the session the request came with and answer under a new id.

    Without this, an id planted in the browser before sign-in (session fixation) would become
    a signed-in session that the attacker also holds.
    """
    old = _state(request).pop(LOADED_ID, None)
    if old is not None:
        await request.app.stores.get(SESSION_STORE).delete(old)
    _state(request)[ROTATED_ID] = secrets.token_hex(SESSION_ID_BYTES)


def _now(connection: ASGIConnection[Any, Any, Any, Any]) -> float:
    # Wall time, not the service clock that tests move by days to change the service day; a
    # test may put its own under "session_clock".
    clock = shell(connection.app).session_clock
    return float(clock())


def start_session(request: Request[Any, Any, Any], account_id: int, generation: int = 0) -> None:
    now = _now(request)
    request.set_session(
        {"account_id": account_id, "generation": generation, "started_at": now, "seen_at": now}
    )


def session_is_current(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> bool:
    """False once the session is older than its lifetime or was idle too long; else it is
    marked as used now."""
    settings = shell(connection.app).settings
    started, seen = session.get("started_at"), session.get("seen_at")
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return False
    now = _now(connection)
    if now - started > settings.session_max_age_s or now - seen > settings.session_idle_s:
        return False
    if now - seen >= SEEN_STEP_S:
        session["seen_at"] = now
    return True
