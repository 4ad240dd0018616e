"""A centre's wait target, read and set by its managers (the network's, or the centre's own)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from msgspec import Meta, Struct
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forecast.models import WaitTargetRow
from forecast.reads import wait_targets
from rota import reads as rota_reads
from service.audit import snapshot
from service.auth import admin_only, centre_scope
from service.changes import change_path
from service.params import PathText


class WaitTargetIn(Struct, forbid_unknown_fields=True):
    # (0, 1]: a share of patients; 5-240 minutes: shorter is noise, longer is no target.
    share: Annotated[float, Meta(gt=0, le=1)]
    minutes: Annotated[int, Meta(ge=5, le=240)]


class WaitTargetOut(Struct):
    centre: str
    share: float
    minutes: int
    default: bool  # the network's default: the centre set none


class WaitTargetController(Controller):
    path = "/api/forecast/centres/{centre_slug:str}/wait-target"
    tags = ["forecast"]
    guards = [admin_only, centre_scope]

    @get("")
    async def get_wait_target(
        self, db_session: NamedDependency[AsyncSession], centre_slug: PathText
    ) -> WaitTargetOut:
        centre = await rota_reads.provide_centre(centre_slug, db_session)
        row = await _row(db_session, centre.id)
        target = (await wait_targets(db_session, [centre.id]))[centre.id]
        return WaitTargetOut(centre.slug, target.share, target.minutes, row is None)

    @put("", status_code=HTTP_200_OK)
    async def set_wait_target(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[WaitTargetIn],
    ) -> WaitTargetOut:
        """Planning, not live state: audited, not announced to the centre's screens."""
        async with change_path(request, db_session).change() as change:
            centre = await rota_reads.provide_centre(centre_slug, db_session)
            await change.lock_centre(centre.id)
            row = await _row(db_session, centre.id)
            before = snapshot(row) if row is not None else None
            if row is None:
                row = WaitTargetRow(centre_id=centre.id, share=data.share, minutes=data.minutes)
                db_session.add(row)
            row.share, row.minutes = data.share, data.minutes
            await db_session.flush()
            await change.audit(
                "wait_target",
                row.id,
                "set",
                centre_id=centre.id,
                before=before,
                after=snapshot(row),
            )
        return WaitTargetOut(centre.slug, row.share, row.minutes, False)


async def _row(session: AsyncSession, centre_id: int) -> WaitTargetRow | None:
    found = await session.execute(select(WaitTargetRow).where(WaitTargetRow.centre_id == centre_id))
    return found.scalar_one_or_none()
