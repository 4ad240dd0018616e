"""What the rota handlers share: the operations object, the period query, the caller, the
centre named in the path."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from msgspec import UNSET, Struct, structs
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from rota import models
from rota.planning import RotaOps, days_in_order
from rota.views import LONGEST_VIEW_DAYS
from service.accounts import Role
from service.auth import Principal
from service.changes import change_path
from service.errors import NotFound
from service.state import shell

# ?from=2026-05-01&to=2026-05-31: local days, both included.
FromDay = Annotated[date, QueryParameter(name="from")]
ToDay = Annotated[date, QueryParameter(name="to")]


def provide_rota_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> RotaOps:
    return RotaOps(change_path(request, db_session))


# The centre and its rooms in one trip (a join) rather than the relationship's own second
# select: every request at a centre's queue starts with this. Built once, as its cache key
# is memoised on the statement.
_CENTRE_BY_SLUG = (
    select(models.Centre)
    .options(joinedload(models.Centre.rooms))
    .where(models.Centre.slug == bindparam("p_slug"))
)


async def centre_by_slug(session: AsyncSession, slug: str) -> models.Centre:
    """One centre row, for handlers that need no more of the network; 404 if unknown."""
    found = (await session.execute(_CENTRE_BY_SLUG, {"p_slug": slug})).unique().scalar_one_or_none()
    if found is None:
        raise NotFound(f"Centre inconnu / unknown centre: {slug!r}")
    return found


def checked_period(first_day: date, last_day: date) -> tuple[date, date]:
    days_in_order(first_day, last_day, LONGEST_VIEW_DAYS)
    return first_day, last_day


def readable_centre(principal: Principal, slug: str | None) -> str | None:
    """Network managers read every centre; other staff only their own, which they must name."""
    if principal.role is Role.MANAGER:
        return slug
    if slug is None or not principal.may_act_at(slug):
        raise PermissionDeniedException(
            "name your own centre (?centre=...) / indiquez votre centre, les autres ne sont pas "
            "visibles"
        )
    return slug


async def shift_scope(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A centre manager plans the shifts of their own centres only: the centre a list names,
    the centre a new or moved shift goes to, and the centre of the shift moved or removed.
    Network managers plan everywhere. (A body that does not parse is left to the handler's
    400; the request's body is cached, the handler reads it again.)"""
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal) or principal.network_wide:
        return
    refused = PermissionDeniedException("not your centre / ce centre n'est pas le vôtre")
    if not isinstance(connection, Request):
        raise refused  # shifts are HTTP only
    if connection.method == "GET":
        if not principal.may_act_at(str(connection.query_params.get("centre", ""))):
            raise PermissionDeniedException(
                "name one of your centres (?centre=...) / indiquez un de vos centres"
            )
        return
    shift_id = connection.path_params.get("shift_id")
    if shift_id is not None:
        async with shell(connection.app).db.get_session() as session:
            centre_id = (
                await session.execute(
                    select(models.Shift.centre_id).where(models.Shift.id == int(shift_id))
                )
            ).scalar_one_or_none()
        if centre_id is not None and not principal.may_act_at_id(centre_id):
            raise refused
    if connection.method in ("POST", "PATCH"):
        try:
            body = await connection.json()
        except Exception:  # unreadable JSON: the handler answers 400
            return
        target = body.get("centre") if isinstance(body, dict) else None
        if isinstance(target, str) and not principal.may_act_at(target):
            raise refused


def apply_patch(row: object, patch: Struct) -> None:
    """Set on a row the fields a PATCH body names (UNSET: left as they are)."""
    for name, value in structs.asdict(patch).items():
        if value is not UNSET:
            setattr(row, name, value)
