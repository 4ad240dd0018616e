"""Centres as managers set them up: settings and opening hours."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED
from msgspec import structs
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.convert import centre_to_domain, hours_of
from rota.deps import apply_patch, centre_by_slug
from rota.schemas import CentreIn, CentrePatch, CentreRotaOut, RoomOut
from service.audit import snapshot
from service.auth import Principal, admin_only, centre_scope, manager_only
from service.changes import change_path
from service.errors import DomainError
from service.params import PathText


def centre_out(centre: models.Centre) -> CentreRotaOut:
    return CentreRotaOut(
        slug=centre.slug,
        name=centre.name,
        timezone=centre.timezone,
        country=centre.country,
        subdivision=centre.subdivision,
        city=centre.city,
        address=centre.address,
        opening_hours=centre.opening_hours,
        whit_monday_is_holiday=centre.whit_monday_is_holiday,
        public_holiday_hours=centre.public_holiday_hours,
        rooms=[room_out(r) for r in centre.rooms],
        wait_alert_minutes=centre.wait_alert_minutes,
        interns_need_supervisor=centre.interns_need_supervisor,
        juniors_need_senior=centre.juniors_need_senior,
    )


def room_out(room: models.Room) -> RoomOut:
    return RoomOut(room.code, room.name, room.position, room.retired_at is not None)


def _validated(centre: models.Centre) -> None:
    """Every setting must make a centre the rota logic accepts (zone, region, hours)."""
    try:
        for day, hours in centre.opening_hours.items():
            if day not in {str(d) for d in range(1, 8)}:
                raise ValueError(f"jour {day!r} : utilisez 1 (lundi) à 7 (dimanche)")
            hours_of(hours)
        centre_to_domain(centre)
    except ValueError as exc:
        raise DomainError(f"{exc} / invalid centre settings") from exc


class CentreRotaController(Controller):
    path = "/centres"
    guards = [admin_only, centre_scope]

    @get("/")
    async def list_centres(
        self, request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> list[CentreRotaOut]:
        """Every centre for a network manager; a centre manager's own centres."""
        rows = await db_session.execute(select(models.Centre).order_by(models.Centre.name))
        return [centre_out(c) for c in rows.scalars() if request.user.may_act_at(c.slug)]

    @post("/", status_code=HTTP_201_CREATED, guards=[manager_only])
    async def create_centre(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[CentreIn],
    ) -> CentreRotaOut:
        centre = models.Centre(**structs.asdict(data), event_seq=0)
        centre.rooms = []
        _validated(centre)
        # A new centre has no live state yet (nobody watches it): audited, not announced.
        async with change_path(request, db_session).change() as change:
            db_session.add(centre)
            await db_session.flush()
            await change.audit(
                "centre", centre.id, "create", centre_id=centre.id, after=snapshot(centre)
            )
            answer = centre_out(centre)
        return answer

    @get("/{centre_slug:str}")
    async def get_centre(
        self, db_session: NamedDependency[AsyncSession], centre_slug: PathText
    ) -> CentreRotaOut:
        return centre_out(await centre_by_slug(db_session, centre_slug))

    @patch("/{centre_slug:str}")
    async def update_centre(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[CentrePatch],
    ) -> CentreRotaOut:
        """Name, zone, hours, holiday rules: what screens and the estimator show today."""
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            await change.bump_one(centre.id)
            async with change.audited("centre", centre, "update", centre_id=centre.id):
                apply_patch(centre, data)
                _validated(centre)
            change.publish(centre.id, {"type": "centre.changed", "centre": centre.slug})
            answer = centre_out(centre)
        return answer
