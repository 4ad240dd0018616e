"""Predicted waits of a month's draft on the planning page, and cover needs from a wait target.

The draft is the month's shifts as stored (an applied plan, before or after publishing), or,
for the network office, with the solver's preview on top when one is waiting to be applied. The
forecast package predicts (forecast.reads); the rota owns its cover needs, so replacing them
from the target is written here, through the change path.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK
from msgspec import Meta, Struct
from sqlalchemy.ext.asyncio import AsyncSession

from forecast import reads as forecast_reads
from rota import models
from rota.api_centre_days import write_cover_needs
from rota.api_cycle import month_of
from rota.cycle import SolveJobs
from rota.days import DayType, day_type, days_between
from rota.domain import LeaveStatus
from rota.on_duty import present_spans
from rota.page import PAGE_OPTIONS, _principal, shown_day
from rota.problem import month_bounds
from rota.schemas import CoverNeedOut
from rota.scope import require_centre
from rota.store import Network, load_network, load_period
from service.auth import admin_only, centre_scope
from service.changes import change_path
from service.errors import Conflict
from service.pages import staff_page
from service.params import PathText
from service.state import shell


def _as_of(request: Request[Any, Any, Any], first: date) -> date:
    """The forecast is made today, from the days before (a past month: as it was then)."""
    return min(shell(request.app).clock().date(), first)


async def draft_shifts(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    network: Network,
    slug: str,
    first: date,
    last: date,
    preview: bool,
) -> list[forecast_reads.DraftShift]:
    """The draft's shifts at the centre over [first, last], approved leave taken out; with
    ``preview``, the solver's proposal for the month applied on top of them."""
    period = await load_period(session, first, last, network=network)
    shifts = list(period.shifts)
    job = shell(request.app).part(SolveJobs).get(first.replace(day=1)) if preview else None
    if job is not None and job.changes is not None:
        gone = {s.id for s in job.changes.removed} | {before.id for before, _ in job.changes.moved}
        shifts = [s for s in shifts if s.id not in gone]
        shifts += [after for _, after in job.changes.moved] + list(job.changes.added)
    leave: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for span in period.leaves:
        if span.status is LeaveStatus.APPROVED:
            leave[span.doctor_id].append((span.start, span.end))
    return [
        (s.doctor_id, start, end)
        for s in shifts
        if s.centre_id == slug
        for start, end in present_spans(s.start, s.end, leave[s.doctor_id])
    ]


def _month(text: str | None, request: Request[Any, Any, Any]) -> date:
    if text is None:
        return shell(request.app).clock().date().replace(day=1)
    return month_of(text)


@get("/rota/waits", **PAGE_OPTIONS)
async def rota_waits(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: FromQuery[str],
    month: FromQuery[str | None] = None,
    preview: FromQuery[bool] = False,
) -> Template:
    """The predicted waits of a centre's draft month, day by day (fetched on demand)."""
    require_centre(_principal(request), centre)
    network = await load_network(db_session)
    row = network.centre_row(centre)
    first, last = month_bounds(_month(month, request))
    shifts = await draft_shifts(request, db_session, network, centre, first, last, preview)
    days = await forecast_reads.predicted_waits(
        db_session, row, first, last, shifts, as_of=_as_of(request, first)
    )
    target = (await forecast_reads.wait_targets(db_session, [row.id]))[row.id]
    return staff_page(
        request,
        "rota/waits.html",
        centre=row,
        month=first,
        days=days,
        target=target,
        preview=preview,
        past_days=sum(1 for d in days if d.hours_past_target),
    )


@get("/rota/waits/extra", **PAGE_OPTIONS)
async def rota_waits_extra(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: FromQuery[str],
    day: FromQuery[date],
    preview: FromQuery[bool] = False,
) -> Template:
    """What one or two more doctors in the busy hours of one day would buy."""
    require_centre(_principal(request), centre)
    shown_day(day)  # near date.max the forecast's margins would overflow
    network = await load_network(db_session)
    row = network.centre_row(centre)
    shifts = await draft_shifts(request, db_session, network, centre, day, day, preview)
    bought = await forecast_reads.extra_doctors(
        db_session, row, day, shifts, as_of=_as_of(request, day)
    )
    return staff_page(request, "rota/waits_extra.html", centre=row, day=day, bought=bought)


# In a body the pattern must be msgspec's, not a Litestar Parameter's (which only applies to
# query and path parameters): the schema then says what is accepted.
# Years 2000-2199, as month_of accepts.
MonthField = Annotated[str, Meta(pattern=r"^(20|21)\d{2}-(0[1-9]|1[0-2])$")]


class FromTargetIn(Struct, forbid_unknown_fields=True):
    month: MonthField


class CoverFromTargetController(Controller):
    path = "/centres/{centre_slug:str}/cover-needs/from-target"
    tags = ["rota"]
    guards = [admin_only, centre_scope]

    @post("", status_code=HTTP_200_OK)
    async def cover_needs_from_target(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[FromTargetIn],
    ) -> list[CoverNeedOut]:
        """Replace the centre's cover needs, for each kind of day the month has, by the
        smallest cover that meets its wait target with the month's forecast arrivals (the
        busiest day of that kind at each hour). Kinds the month lacks keep their needs."""
        network = await load_network(db_session)
        row = network.centre_row(centre_slug)
        first, last = month_bounds(month_of(data.month))
        region = network.centres[centre_slug].region
        kinds: dict[DayType, list[date]] = defaultdict(list)
        for day in days_between(first, last):
            kinds[day_type(region, day)].append(day)
        # The simulation runs before the change is opened: the write gate is held for the
        # write only, not for seconds of searching.
        found = {
            kind: await forecast_reads.cover_from_target(
                db_session, row, days, as_of=_as_of(request, first)
            )
            for kind, days in kinds.items()
        }
        if not any(found.values()):
            # A well-formed request the centre's state cannot answer yet: 409, not 400.
            raise Conflict(
                "aucun jour ouvert ou aucune prévision ce mois-ci / "
                "no open day or no forecast this month"
            )
        async with change_path(request, db_session).change() as change:
            await change.lock_centre(row.id)
            needs = [
                models.CoverNeed(
                    centre_id=row.id,
                    day_type=kind.value,
                    start_time=_clock(segment.start),
                    end_time=_clock(min(segment.end, 24 * 60 - 1)),
                    doctors=segment.doctors,
                )
                for kind, segments in found.items()
                for segment in segments
            ]
            return await write_cover_needs(change, row, needs, "from_target", kinds=found)


def _clock(minutes: float) -> time:
    whole = round(minutes)
    return time(whole // 60, whole % 60)


page_handlers = [rota_waits, rota_waits_extra]
