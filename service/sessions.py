"""Staff sessions: an absolute lifetime, an idle timeout, and a fresh id at every sign-in.

The session store renews its expiry on every write, so on its own a session used every few
minutes would never end; the session records when it started and when it was last used, and
both limits are checked on every request.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

SESSION_COOKIE = "session"
SESSION_STORE = "sessions"
# Where sign-in leaves the new session id for the session middleware to use on the way out.
ROTATED_ID = "walkin_rotated_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        rotated = connection.scope.get("state", {}).get(ROTATED_ID)
        if isinstance(rotated, str):
            return rotated
        return super().get_session_id(connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


async def rotate_session(request: Request[Any, Any, Any]) -> None:
    """Forget the session the request came with and answer under a new id.

    Without this, an id planted in the browser before sign-in (session fixation) would become
    a signed-in session that the attacker also holds.
    """
    old = request.cookies.get(SESSION_COOKIE)
    if old and old != "null":
        await request.app.stores.get(SESSION_STORE).delete(old)
    request.scope.setdefault("state", {})[ROTATED_ID] = secrets.token_hex(32)


def _now(connection: ASGIConnection[Any, Any, Any, Any]) -> float:
    # Wall time, not the service clock that tests move by days to change the service day; a
    # test may put its own under "session_clock".
    clock = connection.app.state.get("session_clock", time.time)
    return float(clock())


def start_session(request: Request[Any, Any, Any], account_id: int) -> None:
    now = _now(request)
    request.set_session({"account_id": account_id, "started_at": now, "seen_at": now})


def session_is_current(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> bool:
    """False once the session is older than its lifetime or was idle too long; else it is
    marked as used now."""
    settings = connection.app.state["settings"]
    started, seen = session.get("started_at"), session.get("seen_at")
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return False
    now = _now(connection)
    if now - started > settings.session_max_age_s or now - seen > settings.session_idle_s:
        return False
    session["seen_at"] = max(seen, now)
    return True
