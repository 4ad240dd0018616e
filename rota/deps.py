"""What the rota handlers share: the operations object, the period query, the caller, the
centre named in the path."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import QueryParameter
from msgspec import UNSET, Struct, structs
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.planning import RotaOps, days_in_order
from rota.views import LONGEST_VIEW_DAYS
from service.accounts import Role
from service.auth import Principal
from service.changes import change_path
from service.errors import NotFound

# ?from=2026-05-01&to=2026-05-31: local days, both included.
FromDay = Annotated[date, QueryParameter(name="from")]
ToDay = Annotated[date, QueryParameter(name="to")]


def provide_rota_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> RotaOps:
    return RotaOps(change_path(request, db_session))


async def centre_by_slug(session: AsyncSession, slug: str) -> models.Centre:
    """One centre row, for handlers that need no more of the network; 404 if unknown."""
    found = (
        await session.execute(select(models.Centre).where(models.Centre.slug == slug))
    ).scalar_one_or_none()
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


def apply_patch(row: object, patch: Struct) -> None:
    """Set on a row the fields a PATCH body names (UNSET: left as they are)."""
    for name, value in structs.asdict(patch).items():
        if value is not UNSET:
            setattr(row, name, value)
