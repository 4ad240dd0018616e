"""A centre's days: exceptional days (closed, other hours) and the cover it needs."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, time
from typing import Any

from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.convert import hours_of
from rota.days import DayType
from rota.deps import centre_by_slug
from rota.schemas import CoverNeedIn, CoverNeedOut, ExceptionalDayIn, ExceptionalDayOut
from service.audit import snapshot
from service.auth import admin_only, centre_scope
from service.changes import Change, change_path
from service.errors import DomainError
from service.params import PathText
from service.state import shell


async def _exceptional_day(
    session: AsyncSession, centre: models.Centre, day: date
) -> models.ExceptionalDay | None:
    return (
        await session.execute(
            select(models.ExceptionalDay).where(
                models.ExceptionalDay.centre_id == centre.id, models.ExceptionalDay.day == day
            )
        )
    ).scalar_one_or_none()


async def _announce_if_today(
    change: Change, request: Request[Any, Any, Any], centre: models.Centre, day: date
) -> None:
    """Today's hours are live state (screens, the estimator); another day's are planning."""
    if day == centre.service_day(shell(request.app).clock()):
        await change.bump_one(centre.id)
        change.publish(centre.id, {"type": "centre.changed", "centre": centre.slug})


async def _needs_out(session: AsyncSession, centre: models.Centre) -> list[CoverNeedOut]:
    rows = await session.execute(
        select(models.CoverNeed)
        .where(models.CoverNeed.centre_id == centre.id)
        .order_by(models.CoverNeed.day_type, models.CoverNeed.start_time)
    )
    return [
        CoverNeedOut(r.day_type, f"{r.start_time:%H:%M}", f"{r.end_time:%H:%M}", r.doctors)
        for r in rows.scalars()
    ]


def _needs_text(needs: list[CoverNeedOut]) -> list[str]:
    """The needs as short lines for the audit log ("weekday 08:00-12:00 x2")."""
    return [f"{n.day_type} {n.start}-{n.end} x{n.doctors}" for n in needs]


class CentreDaysController(Controller):
    path = "/centres/{centre_slug:str}"
    guards = [admin_only, centre_scope]

    @get("/exceptional-days")
    async def list_exceptional_days(
        self, db_session: NamedDependency[AsyncSession], centre_slug: PathText
    ) -> list[ExceptionalDayOut]:
        centre = await centre_by_slug(db_session, centre_slug)
        rows = await db_session.execute(
            select(models.ExceptionalDay)
            .where(models.ExceptionalDay.centre_id == centre.id)
            .order_by(models.ExceptionalDay.day)
        )
        return [ExceptionalDayOut(r.day, r.hours, r.reason) for r in rows.scalars()]

    @put("/exceptional-days/{day:date}", status_code=HTTP_200_OK)
    async def set_exceptional_day(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        day: FromPath[date],
        data: JSONBody[ExceptionalDayIn],
    ) -> ExceptionalDayOut:
        """Closed (no hours) or reduced hours that day; planned shifts outside them become
        conflicts to resolve."""
        try:
            hours_of(data.hours)
        except ValueError as exc:
            raise DomainError(f"{exc} / invalid hours") from exc
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            await _announce_if_today(change, request, centre, day)
            row = await _exceptional_day(db_session, centre, day)
            before = snapshot(row) if row is not None else None
            if row is None:
                row = models.ExceptionalDay(centre_id=centre.id, day=day)
                db_session.add(row)
            row.hours, row.reason = data.hours, data.reason
            await db_session.flush()
            await change.audit(
                "exceptional_day",
                row.id,
                "set",
                centre_id=centre.id,
                before=before,
                after=snapshot(row),
            )
        return ExceptionalDayOut(row.day, row.hours, row.reason)

    @delete("/exceptional-days/{day:date}", status_code=HTTP_204_NO_CONTENT)
    async def clear_exceptional_day(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        day: FromPath[date],
    ) -> None:
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            row = await _exceptional_day(db_session, centre, day)
            if row is None:  # DELETE: clearing twice is fine, and changes nothing
                return
            await _announce_if_today(change, request, centre, day)
            await change.audit(
                "exceptional_day", row.id, "clear", centre_id=centre.id, before=snapshot(row)
            )
            await db_session.execute(
                sql_delete(models.ExceptionalDay).where(models.ExceptionalDay.id == row.id)
            )

    @get("/cover-needs")
    async def list_cover_needs(
        self, db_session: NamedDependency[AsyncSession], centre_slug: PathText
    ) -> list[CoverNeedOut]:
        centre = await centre_by_slug(db_session, centre_slug)
        return await _needs_out(db_session, centre)

    @put("/cover-needs", status_code=HTTP_200_OK)
    async def replace_cover_needs(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[list[CoverNeedIn]],
    ) -> list[CoverNeedOut]:
        """The whole set of needs of the centre, replaced at once (planning, not live state:
        audited, not announced)."""
        for need in data:
            if need.end <= need.start:  # "HH:MM" strings order like the times they name
                raise DomainError(
                    f"besoin {need.start}–{need.end} à l'envers / the need ends before it starts"
                )
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            needs = [
                models.CoverNeed(
                    centre_id=centre.id,
                    day_type=DayType(need.day_type).value,
                    start_time=time.fromisoformat(need.start),
                    end_time=time.fromisoformat(need.end),
                    doctors=need.doctors,
                )
                for need in data
            ]
            return await write_cover_needs(change, centre, needs, "replace")


async def write_cover_needs(
    change: Change,
    centre: models.Centre,
    needs: list[models.CoverNeed],
    action: str,
    kinds: Collection[DayType] | None = None,
) -> list[CoverNeedOut]:
    """Replace the centre's cover needs (of ``kinds`` of day only, if given) by ``needs``, in
    the caller's change, audited with the needs before and after."""
    session = change.session
    before = await _needs_out(session, centre)
    replaced = sql_delete(models.CoverNeed).where(models.CoverNeed.centre_id == centre.id)
    if kinds is not None:
        replaced = replaced.where(models.CoverNeed.day_type.in_([kind.value for kind in kinds]))
    await session.execute(replaced)
    session.add_all(needs)
    await session.flush()
    after = await _needs_out(session, centre)
    await change.audit(
        "cover_needs",
        centre.id,
        action,
        centre_id=centre.id,
        before={"needs": _needs_text(before)},
        after={"needs": _needs_text(after)},
    )
    return after
