"""Read-only views: cover against need, conflicts, fairness, holidays, who is on duty."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rota.answers import conflict_out
from rota.days import public_holidays
from rota.deps import FromDay, ToDay, centre_by_slug, checked_period, readable_centre
from rota.on_duty import doctors_on_duty
from rota.schemas import ConflictOut, DayCoverOut, FairnessOut, HolidayOut, OnDutyOut
from rota.store import load_network, load_period
from rota.views import conflicts, coverage_out, fairness_out
from service.auth import Principal, centre_scope, manager_only, staff_only
from service.errors import DomainError
from service.params import PathText
from service.state import shell

Year = Annotated[int, QueryParameter(name="year", ge=1990, le=2100)]


@get("/coverage", guards=[staff_only])
async def coverage_view(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    first_day: FromDay,
    last_day: ToDay,
    centre: FromQuery[str | None] = None,
) -> list[DayCoverOut]:
    """Per centre and local day: the needed segments, who is planned, and the gaps."""
    slug = readable_centre(request.user, centre)
    checked_period(first_day, last_day)
    network = await load_network(db_session)
    if slug is not None:
        network.centre_row(slug)  # 404 for an unknown centre
    period = await load_period(db_session, first_day, last_day, network=network)
    return coverage_out(period, None if slug is None else {slug})


@get("/conflicts", guards=[manager_only])
async def conflicts_view(
    db_session: NamedDependency[AsyncSession],
    first_day: FromDay,
    last_day: ToDay,
    centre: FromQuery[str | None] = None,
) -> list[ConflictOut]:
    """Conflicts of the shifts planned in the period (cover gaps: see /coverage)."""
    checked_period(first_day, last_day)
    network = await load_network(db_session)
    if centre is not None:
        network.centre_row(centre)
    period = await load_period(db_session, first_day, last_day, whole_weeks=True, network=network)
    slugs = None if centre is None else {centre}
    return [conflict_out(c, network) for c in conflicts(period, slugs)]


@get("/fairness", guards=[manager_only])
async def fairness_view(
    db_session: NamedDependency[AsyncSession], first_day: FromDay, last_day: ToDay
) -> FairnessOut:
    """Hours, weekend and public-holiday days and late hours of each active doctor."""
    checked_period(first_day, last_day)
    period = await load_period(db_session, first_day, last_day)
    return fairness_out(period, first_day, last_day)


@get("/centres/{centre_slug:str}/holidays", guards=[staff_only, centre_scope])
async def holidays_view(
    db_session: NamedDependency[AsyncSession], centre_slug: PathText, year: Year
) -> list[HolidayOut]:
    """The centre's public holidays in a year (its country, region and Whit Monday setting)."""
    network = await load_network(db_session)
    network.centre_row(centre_slug)
    region = network.centres[centre_slug].region
    try:
        days = public_holidays(region, year)
    except ValueError as exc:
        raise DomainError(str(exc)) from exc
    return [HolidayOut(day, name) for day, name in sorted(days.items())]


@get("/api/centres/{centre_slug:str}/on-duty", guards=[staff_only, centre_scope], tags=["rota"])
async def on_duty_view(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre_slug: PathText,
) -> list[OnDutyOut]:
    """Doctors working at the centre right now (leave taken into account)."""
    centre = await centre_by_slug(db_session, centre_slug)
    now = shell(request.app).clock()
    return [
        OnDutyOut(d.doctor_id, d.display_name, d.room_code, d.start, d.end)
        for d in await doctors_on_duty(db_session, centre, now)
    ]
