"""Pairing a screen with a short code, and listing and revoking display tokens.

The TV asks for a code (anonymous), shows it, and keeps a claim secret in its page. Staff of
the centre confirm the code with a label. The TV's next poll with its claim secret collects
the token, once; only the token's SHA-256 is stored.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, Parameter
from msgspec import Meta, Struct
from sqlalchemy import Update, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from display.access import DISPLAY_COOKIE, digest, new_secret
from display.hub import DisplayHub
from display.models import DisplayPairing, DisplayToken
from display.reads import ScreenSeen
from rota.models import Centre
from rota.reads import provide_centre
from service.accounts import Role
from service.auth import Principal, centre_scope, requires_role
from service.changes import change_path
from service.errors import Conflict, DomainError, NotFound
from service.params import RowId
from service.state import shell
from service.text import human_text_pattern

PAIRING_TTL = timedelta(minutes=10)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read across a room
CODE_LENGTH = 6
COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest browsers keep a cookie

# What normalise_code accepts (CODE_ALPHABET in any case, spaces and dashes between), said in
# the schema too.
CODE_PATTERN = rf"^[ -]*(?:[A-HJ-NP-Za-hj-np-z2-9][ -]*){{{CODE_LENGTH}}}$"
Code = Annotated[str, Meta(min_length=6, max_length=20, pattern=CODE_PATTERN)]
Label = Annotated[str, Meta(min_length=1, max_length=80, pattern=human_text_pattern("<>"))]
Claim = Annotated[str, Meta(min_length=16, max_length=100)]


def normalise_code(raw: str) -> str:
    code = re.sub(r"[\s-]", "", raw).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise DomainError(
            f"a pairing code is {CODE_LENGTH} letters and digits, as shown on the screen / "
            "code d'appairage invalide"
        )
    return code


class PairingOut(Struct):
    code: str
    claim: str
    expires_at: datetime
    ttl_s: int


class ClaimRequest(Struct, forbid_unknown_fields=True):
    claim: Claim


class ClaimOut(Struct, omit_defaults=True):
    status: str  # "pending" or "paired"
    expires_at: datetime | None = None
    token: str | None = None
    centre: str | None = None
    url: str | None = None


class ConfirmRequest(Struct, forbid_unknown_fields=True):
    code: Code
    label: Label


class RenameRequest(Struct, forbid_unknown_fields=True):
    label: Label


class DisplayOut(Struct):
    id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    online: bool  # heard from within the last couple of minutes (display.reads.ONLINE_WITHIN)


def display_out(row: DisplayToken, now: datetime) -> DisplayOut:
    online = row.revoked_at is None and ScreenSeen(row.id, row.label, row.last_seen_at).online(now)
    return DisplayOut(row.id, row.label, row.created_at, row.revoked_at, row.last_seen_at, online)


async def _pairing(session: AsyncSession, code: str, now: datetime) -> DisplayPairing:
    row = (
        await session.execute(
            select(DisplayPairing).where(DisplayPairing.code_hash == digest(code))
        )
    ).scalar_one_or_none()
    if row is None or row.expires_at <= now:
        raise NotFound("unknown or expired pairing code / code inconnu ou expiré")
    return row


async def _only_once(session: AsyncSession, step: Update, conflict: str) -> None:
    """A conditional update that only the first of two racing requests may make (the change
    path rolls the loser back)."""
    result = await session.execute(step)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(conflict)


async def _free_code(session: AsyncSession) -> str:
    """A code no pairing row holds (expired ones included: code_hash is unique)."""
    codes = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(5))
    candidates = {digest(code): code for code in codes}
    taken = set(
        (
            await session.execute(
                select(DisplayPairing.code_hash).where(DisplayPairing.code_hash.in_(candidates))
            )
        ).scalars()
    )
    for code_hash, code in candidates.items():
        if code_hash not in taken:
            return code
    raise Conflict("no free pairing code, try again / réessayez")


@post("/api/displays/pair", status_code=201, tags=["display"])
async def start_pairing(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> PairingOut:
    """A TV asks for a code to show. Anonymous: it proves nothing until staff confirm it."""
    now = shell(request.app).clock()
    claim = new_secret(24)
    # Under the write gate (SQLite) the free code stays free until commit; two replicas on
    # PostgreSQL racing for one code get a unique violation, answered 409 by the app.
    async with change_path(request, db_session).change() as change:
        await db_session.execute(
            delete(DisplayPairing).where(DisplayPairing.expires_at < now - timedelta(hours=1))
        )
        code = await _free_code(db_session)
        pairing = DisplayPairing(
            code_hash=digest(code), claim_hash=digest(claim), expires_at=now + PAIRING_TTL
        )
        db_session.add(pairing)
        await db_session.flush()
        # Codes and claims are secrets for ten minutes: the entry keeps neither.
        await change.audit(
            "display_pairing", pairing.id, "start", after={"expires_at": pairing.expires_at}
        )
    return PairingOut(code, claim, now + PAIRING_TTL, int(PAIRING_TTL.total_seconds()))


@post("/api/displays/pair/{code:str}", status_code=200, tags=["display"])
async def claim_pairing(
    code: Annotated[str, Parameter(min_length=6, max_length=20, pattern=CODE_PATTERN)],
    data: JSONBody[ClaimRequest],
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
) -> Response[ClaimOut]:
    """The TV polls until staff confirmed its code, then collects its token once."""
    now = shell(request.app).clock()
    normalised = normalise_code(code)
    async with change_path(request, db_session).change() as change:
        pairing = await _pairing(db_session, normalised, now)
        if not secrets.compare_digest(pairing.claim_hash, digest(data.claim)):
            raise NotFound("unknown or expired pairing code / code inconnu ou expiré")
        if pairing.centre_id is None:  # still waiting for staff: nothing changes
            return Response(ClaimOut("pending", expires_at=pairing.expires_at))
        await _only_once(
            db_session,
            update(DisplayPairing)
            .where(DisplayPairing.id == pairing.id, DisplayPairing.claimed_at.is_(None))
            .values(claimed_at=now),
            "this code was already used / code déjà utilisé",
        )
        token = new_secret()
        screen = DisplayToken(
            centre_id=pairing.centre_id,
            label=pairing.label or "écran",
            token_hash=digest(token),
            last_seen_at=now,
        )
        db_session.add(screen)
        slug = (
            await db_session.execute(select(Centre.slug).where(Centre.id == pairing.centre_id))
        ).scalar_one()
        await db_session.flush()
        await change.audit(
            "display_token",
            screen.id,
            "pair",
            centre_id=screen.centre_id,
            after={"label": screen.label, "pairing_id": pairing.id},
        )
    return Response(
        ClaimOut("paired", token=token, centre=slug, url=f"/display/{slug}"),
        cookies=[
            Cookie(
                key=DISPLAY_COOKIE,
                value=token,
                max_age=COOKIE_MAX_AGE_S,
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        ],
    )


class CentreDisplaysController(Controller):
    """A centre's screens: network managers anywhere, centre managers and reception at their
    centres."""

    path = "/api/centres/{centre_slug:str}/displays"
    tags = ["display"]
    guards = [requires_role(Role.MANAGER, Role.CENTRE_MANAGER, Role.RECEPTION), centre_scope]
    dependencies = {"centre": Provide(provide_centre)}

    @post("/pair", status_code=200)
    async def confirm_pairing(
        self,
        centre: NamedDependency[Centre],
        data: JSONBody[ConfirmRequest],
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> dict[str, Any]:
        code = normalise_code(data.code)
        now = shell(request.app).clock()
        async with change_path(request, db_session).change() as change:
            pairing = await _pairing(db_session, code, now)
            await _only_once(
                db_session,
                update(DisplayPairing)
                .where(DisplayPairing.id == pairing.id, DisplayPairing.centre_id.is_(None))
                .values(
                    centre_id=centre.id, label=data.label, confirmed_by_id=request.user.account_id
                ),
                "this code was already confirmed / code déjà confirmé",
            )
            await change.audit(
                "display_pairing",
                pairing.id,
                "confirm",
                centre_id=centre.id,
                after={"label": data.label},
            )
        return {"status": "confirmed", "centre": centre.slug, "label": data.label}

    @get("/")
    async def list_displays(
        self,
        centre: NamedDependency[Centre],
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> list[DisplayOut]:
        rows = await db_session.execute(
            select(DisplayToken)
            .where(DisplayToken.centre_id == centre.id)
            .order_by(DisplayToken.revoked_at.is_not(None), DisplayToken.label, DisplayToken.id)
        )
        now = shell(request.app).clock()
        return [display_out(row, now) for row in rows.scalars()]

    @patch("/{display_id:int}", status_code=200)
    async def rename_display(
        self,
        centre: NamedDependency[Centre],
        display_id: RowId,
        data: JSONBody[RenameRequest],
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> DisplayOut:
        """A screen's name, as the screens list and the home show it."""
        async with change_path(request, db_session).change() as change:
            row = await db_session.get(DisplayToken, display_id)
            if row is None or row.centre_id != centre.id:
                raise NotFound(f"no screen {display_id} at this centre / écran inconnu")
            if row.revoked_at is not None:
                raise Conflict("this screen was revoked / cet écran a été révoqué")
            # Only the name: the row also holds the token's hash, which no entry should keep.
            before = {"label": row.label}
            row.label = data.label
            await change.audit(
                "display_token",
                row.id,
                "rename",
                centre_id=centre.id,
                before=before,
                after={"label": row.label},
            )
            answer = display_out(row, change.clock())
        return answer

    @post("/{display_id:int}/revoke", status_code=200)
    async def revoke_display(
        self,
        centre: NamedDependency[Centre],
        display_id: RowId,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
    ) -> DisplayOut:
        async with change_path(request, db_session).change() as change:
            row = await db_session.get(DisplayToken, display_id)
            if row is None or row.centre_id != centre.id:
                raise NotFound(f"no screen {display_id} at this centre / écran inconnu")
            await change.revoke("display_token", row, centre_id=centre.id, label=row.label)
        # Screens on this replica close now; the others notice within a poll (~2 s).
        hub = shell(request.app).part(DisplayHub)
        hub.close_token(row.id)
        return display_out(row, shell(request.app).clock())
