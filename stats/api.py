"""Recomputing a centre's day of statistics on request (after a correction, say)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK
from msgspec import Struct
from sqlalchemy.ext.asyncio import AsyncSession

from rota.models import Centre
from rota.reads import provide_centre
from service.auth import Principal
from service.changes import change_path
from service.errors import Conflict
from service.state import shell
from stats.access import require_centre, stats_readers
from stats.job import compute_day, write_day


class Recomputed(Struct):
    centre: str
    day: str
    changed: bool  # False: the stored figures were already these
    arrivals: int
    seen: int
    left_unseen: int


@post(
    "/api/stats/centres/{centre_slug:str}/days/{day:date}/recompute",
    guards=[stats_readers],
    dependencies={"centre": Provide(provide_centre)},
    status_code=HTTP_200_OK,
    tags=["stats"],
)
async def recompute_day(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: NamedDependency[Centre],
    day: FromPath[date],
) -> Recomputed:
    """Compute a finished day's statistics again from its tickets; idempotent. A day not
    over yet (today, the future) is refused with 409: its figures are still changing."""
    require_centre(request.user, centre.id)
    chosen = day
    if chosen >= centre.service_day(shell(request.app).clock()):
        raise Conflict("only a finished day has statistics / seulement un jour terminé")
    figures = await compute_day(db_session, centre, chosen)
    async with change_path(request, db_session).change() as change:
        changed = await write_day(change.session, centre.id, chosen, figures)
        await change.audit(
            "stats_day",
            None,
            "recompute",
            centre_id=centre.id,
            after={"day": chosen.isoformat(), "changed": changed},
        )
    total = figures.total()
    return Recomputed(
        centre.slug, chosen.isoformat(), changed, total.arrivals, total.seen, total.left_unseen
    )
