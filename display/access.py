"""Who may watch a centre's screen feed: a display token of that centre, or its staff.

The feed and the screen page are outside the session middleware (a TV has no staff login),
so staff sessions are read here. Cookies count only for same-origin requests: another site
must not open our WebSocket with a visitor's cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from display.models import DisplayToken
from rota.models import Centre
from service.auth import Principal, make_session_auth, retrieve_principal
from service.state import shell

DISPLAY_COOKIE = "walkin_display"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def new_secret(nbytes: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Refused(Exception):
    """The viewer may not watch this centre. `close_code` is the WebSocket close code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def close_code(self) -> int:
        return 4000 + self.status  # 4401, 4403, 4404: readable by the page's script


@dataclass(frozen=True)
class Viewer:
    centre: Centre
    token_id: int | None
    principal: Principal | None


def same_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    origin = connection.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site request
    return urlsplit(origin).netloc == connection.headers.get("host")


async def staff_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    settings = shell(connection.app).settings
    backend = make_session_auth(settings).session_backend
    session = await backend.load_from_connection(connection)
    return await retrieve_principal(session, connection) if session else None


async def token_row(session: AsyncSession, token: str) -> DisplayToken | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        await session.execute(select(DisplayToken).where(DisplayToken.token_hash == digest(token)))
    ).scalar_one_or_none()


async def authorise_viewer(
    connection: ASGIConnection[Any, Any, Any, Any], centre_slug: str, session: AsyncSession
) -> Viewer:
    centre = (
        await session.execute(select(Centre).where(Centre.slug == centre_slug))
    ).scalar_one_or_none()
    if centre is None:
        raise Refused(404, f"no centre {centre_slug[:64]!r} / centre inconnu")
    cookies_count = same_origin(connection)
    token = connection.query_params.get("token") or (
        connection.cookies.get(DISPLAY_COOKIE) if cookies_count else None
    )
    refusal: Refused | None = None
    row = await token_row(session, token) if token else None
    # End the read transaction (its objects stay loaded): it would otherwise hold a pooled
    # connection while the staff lookup below waits for another, and a burst of feeds each
    # holding one and waiting for a second exhausts the pool for its 30 s timeout.
    await session.commit()
    if token:
        if row is not None and row.revoked_at is None and row.centre_id == centre.id:
            return Viewer(centre, row.id, None)
        refusal = Refused(
            403, "this screen's token is revoked or for another centre / écran non autorisé"
        )
    principal = await staff_principal(connection) if cookies_count else None
    if principal is not None:
        if principal.may_act_at(centre.slug):
            return Viewer(centre, None, principal)
        refusal = Refused(403, "not your centre / ce centre n'est pas le vôtre")
    raise refusal or Refused(401, "pair this screen or sign in / appairez cet écran")
