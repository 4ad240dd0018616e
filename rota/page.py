"""The managers' planning page: centres by days, cover against need, conflicts, leave.

Server-rendered from the same period as the API views (one load of the shifts), with a little
JavaScript (static/rota.js) that calls the JSON API for edits and reloads the page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal
from urllib.parse import quote

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import leave_out
from rota.conflicts import RotaConflict, Severity
from rota.days import days_between
from rota.page_text import TEXT, weekday_name
from rota.store import Period, load_period
from rota.views import conflicts, coverage, fairness_out
from service.auth import manager_only


def _to_login(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='')}", status_code=HTTP_303_SEE_OTHER)


def _conflicts_by_cell(
    period: Period, found: list[RotaConflict]
) -> dict[tuple[str, date], list[RotaConflict]]:
    """Each conflict in the cell of each centre and day of the shifts it names."""
    shifts = {s.id: s for s in period.shifts}
    centres = period.network.centres
    cells: dict[tuple[str, date], list[RotaConflict]] = defaultdict(list)
    for conflict in found:
        seen = set()
        for shift_id in conflict.shift_ids:
            shift = shifts.get(shift_id)
            if shift is None:
                continue
            key = (shift.centre_id, centres[shift.centre_id].service_day(shift.start))
            if key not in seen:
                seen.add(key)
                cells[key].append(conflict)
    return cells


def _first_day(start: date, view: str) -> tuple[date, date]:
    if view == "month":
        first = start.replace(day=1)
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)
        return first, last
    first = start - timedelta(days=start.weekday())
    return first, first + timedelta(days=6)


@get(
    "/rota",
    guards=[manager_only],
    exception_handlers={NotAuthorizedException: _to_login},
    include_in_schema=False,
)
async def rota_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[date | None] = None,
    view: FromQuery[Literal["week", "month"]] = "week",
    lang: FromQuery[Literal["fr", "en"]] = "fr",
) -> Template:
    today = request.app.state["clock"]().date()
    first, last = _first_day(start or today, view)
    period = await load_period(db_session, first, last, whole_weeks=True)
    network = period.network
    found = conflicts(period)
    by_cell = _conflicts_by_cell(period, found)
    cover = {(day.centre_id, day.day): day for day in coverage(period)}
    days = list(days_between(first, last))
    rows = []
    for slug, centre in sorted(network.centres.items(), key=lambda item: item[1].name):
        cells = []
        for day in days:
            day_cover = cover.get((slug, day))
            cell_conflicts = by_cell.get((slug, day), [])
            errors = sum(c.severity is Severity.ERROR for c in cell_conflicts)
            missing = max((g.missing for g in day_cover.gaps), default=0) if day_cover else 0
            cells.append(
                {
                    "day": day,
                    "cover": day_cover,
                    "missing": missing,
                    "conflicts": cell_conflicts,
                    "errors": errors,
                    "state": "conflict"
                    if cell_conflicts
                    else "gap"
                    if missing
                    else "covered"
                    if day_cover and day_cover.segments
                    else "none",
                    "holiday": day_cover is not None
                    and day_cover.day_type.value == "public_holiday",
                    "needed": max((s.needed for s in day_cover.segments), default=0)
                    if day_cover
                    else 0,
                    "planned": min((s.planned_min for s in day_cover.segments), default=0)
                    if day_cover
                    else 0,
                }
            )
        rows.append({"slug": slug, "centre": centre, "cells": cells})
    pending = (
        await db_session.execute(
            select(models.Leave)
            .where(models.Leave.status == "pending")
            .order_by(models.Leave.starts_at)
        )
    ).scalars()
    fair = fairness_out(period, first, last)
    busiest = sorted(fair.doctors, key=lambda d: (-(d.weekend_days + d.holiday_days), -d.hours))[:8]
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    doctors = [
        {"id": int(d.id), "name": d.display_name, "centres": sorted(d.centre_ids)}
        for i, d in sorted(network.doctors.items(), key=lambda item: item[1].display_name)
        if network.doctor_rows[int(i)].active
    ]
    return Template(
        template_name="rota/planning.html",
        context={
            "lang": lang,
            "t": TEXT[lang],
            "weekday_name": weekday_name,
            "view": view,
            "first": first,
            "last": last,
            "today": today,
            "previous": (first - step).isoformat(),
            "following": (first + step if view == "week" else last + timedelta(days=1)).isoformat(),
            "days": days,
            "rows": rows,
            "pending": [leave_out(row, network) for row in pending],
            "fairness": fair,
            "busiest": busiest,
            "doctors": doctors,
            "rooms": {slug: list(c.rooms) for slug, c in network.centres.items()},
            "conflict_count": len(found),
        },
    )
