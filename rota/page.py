"""The managers' planning page: centres by days, cover against need, conflicts, leave.

A centre manager sees the same page limited to their own centres (rows, conflicts, the day
panel, fairness of the doctors attached there, the leave they decide); the month's planning
cycle stays the network office's (one cycle for the whole network), so its panel is hidden.

Server-rendered, in parts that htmx fetches again after each edit instead of reloading the
page: the board (grid, with the conflict count and the fairness panel out of band), the
panel of one centre's day, the pending leave and the shift offers a colleague took. Edits
themselves go through the JSON API (static/rota.js), which then tells those parts to refresh.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from litestar import Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import gap_out, leave_out, shift_out
from rota.api_offers import manager_offers
from rota.conflicts import RotaConflict, Severity
from rota.days import days_between
from rota.offer_ops import OfferOps
from rota.schemas import OfferOut
from rota.scope import doctors_decided, planned_slugs, require_centre
from rota.store import Period, load_network, load_period
from rota.views import conflicts, coverage, fairness_out
from service.auth import Principal, admin_only
from service.changes import change_path
from service.errors import DomainError
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page
from service.state import shell

View = Literal["week", "month"]
# A rota is planned weeks ahead, kept years: outside these the page has nothing to show, and
# near date.max its week and margins would overflow into a 500.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2199, 12, 31)
PAGE_OPTIONS: dict[str, Any] = {
    "guards": [admin_only],
    "exception_handlers": PAGE_EXCEPTION_HANDLERS,
    "include_in_schema": False,
}


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


def shown_day(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DomainError(
            f"date hors planning / date out of range: {day} ({EARLIEST_DAY.year}–{LATEST_DAY.year})"
        )
    return day


def period_bounds(start: date, view: View) -> tuple[date, date]:
    """The Monday-to-Sunday week of `start`, or its calendar month."""
    shown_day(start)
    if view == "month":
        first = start.replace(day=1)
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)
        return first, last
    first = start - timedelta(days=start.weekday())
    return first, first + timedelta(days=6)


def _cell(day: date, day_cover: Any, cell_conflicts: list[RotaConflict]) -> dict[str, Any]:
    missing = max((g.missing for g in day_cover.gaps), default=0) if day_cover else 0
    segments = day_cover.segments if day_cover else ()
    if cell_conflicts:
        state = "conflict"
    elif missing:
        state = "gap"
    else:
        state = "covered" if segments else "none"
    return {
        "day": day,
        "missing": missing,
        "conflicts": cell_conflicts,
        # Written in the cell (a tooltip is nothing on a touch screen): the kinds, in order.
        "kinds": list(dict.fromkeys(c.kind.value for c in cell_conflicts))[:3],
        "errors": sum(c.severity is Severity.ERROR for c in cell_conflicts),
        "state": state,
        "holiday": day_cover is not None and day_cover.day_type.value == "public_holiday",
        "needed": max((s.needed for s in segments), default=0),
        "planned": min((s.planned_min for s in segments), default=0),
    }


async def board_context(
    request: Request[Any, Any, Any], session: AsyncSession, start: date | None, view: View
) -> dict[str, Any]:
    """Everything the board shows for the period around `start` (one load of the shifts)."""
    today = shell(request.app).clock().date()
    anchor = start or today
    first, last = period_bounds(anchor, view)
    period = await load_period(session, first, last, whole_weeks=True)
    shown = planned_slugs(_principal(request))
    found = conflicts(period, shown)
    by_cell = _conflicts_by_cell(period, found)
    cover = {(day.centre_id, day.day): day for day in coverage(period, shown)}
    days = list(days_between(first, last))
    rows = [
        {
            "slug": slug,
            "centre": centre,
            "cells": [_cell(d, cover.get((slug, d)), by_cell.get((slug, d), [])) for d in days],
        }
        for slug, centre in sorted(period.network.centres.items(), key=lambda i: i[1].name)
        if shown is None or slug in shown
    ]
    fair = fairness_out(period, first, last, shown)
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    return {
        "view": view,
        # The day the period was asked for: switching week ↔ month keeps it in view (the
        # week of 1 December begins on 30 November, whose month is November).
        "anchor": today if first <= today <= last else anchor,
        "first": first,
        "last": last,
        "today": today,
        "previous": (first - step).isoformat(),
        "following": (first + step if view == "week" else last + timedelta(days=1)).isoformat(),
        "days": days,
        "rows": rows,
        "fairness": fair,
        "busiest": sorted(
            fair.doctors, key=lambda d: (-(d.weekend_days + d.holiday_days), -d.hours)
        )[:8],
        "conflict_count": len(found),
        "plans_network": shown is None,
    }


def _principal(request: Request[Any, Any, Any]) -> Principal:
    user = request.user
    assert isinstance(user, Principal)  # the pages' guard let only staff in
    return user


async def _pending_leave(
    request: Request[Any, Any, Any], session: AsyncSession, first: date, last: date, today: date
) -> list[Any]:
    """Leave awaiting a decision that falls in the period viewed and is not over yet, of the
    doctors whose leave the viewer decides."""
    network = await load_network(session)
    start, end = network.day_window(max(first, today), last)
    query = (
        select(models.Leave)
        .where(
            models.Leave.status == "pending",
            models.Leave.ends_at > start,
            models.Leave.starts_at < end,
        )
        .order_by(models.Leave.starts_at)
    )
    decided = await doctors_decided(session, _principal(request))
    if decided is not None:
        query = query.where(models.Leave.doctor_id.in_(decided))
    pending = (await session.execute(query)).scalars()
    # The window is a little wider than the local days in every zone: keep the real ones.
    shown = [leave_out(row, network) for row in pending]
    return [
        leave for leave in shown if leave.last_day >= max(first, today) and leave.first_day <= last
    ]


async def _offers_to_decide(
    request: Request[Any, Any, Any], session: AsyncSession
) -> list[OfferOut]:
    """Shifts a colleague took (or swaps accepted), waiting for the manager's decision."""
    ops = OfferOps(change_path(request, session))
    return await manager_offers(ops, await load_network(session), request.user)


async def provide_board(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[date | None] = None,
    view: FromQuery[View] = "month",
) -> dict[str, Any]:
    """The board of the period the query names: the whole page and its htmx refresh alike."""
    return await board_context(request, db_session, start, view)


BOARD_OPTIONS: dict[str, Any] = {**PAGE_OPTIONS, "dependencies": {"board": Provide(provide_board)}}


@get("/rota", **BOARD_OPTIONS)
async def rota_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    board: NamedDependency[dict[str, Any]],
) -> Template:
    pending = await _pending_leave(
        request, db_session, board["first"], board["last"], board["today"]
    )
    offers = await _offers_to_decide(request, db_session)
    return staff_page(request, "rota/planning.html", pending=pending, offers=offers, **board)


@get("/rota/board", **BOARD_OPTIONS)
async def rota_board(
    request: Request[Any, Any, Any], board: NamedDependency[dict[str, Any]]
) -> Template:
    return staff_page(request, "rota/board.html", out_of_band=True, **board)


@get("/rota/day", **PAGE_OPTIONS)
async def rota_day(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: FromQuery[str],
    day: FromQuery[date],
) -> Template:
    """One centre's day: its shifts (to move or remove), its conflicts and gaps in words, and
    the form to add a shift."""
    network = await load_network(db_session)
    row = network.centre_row(centre)
    principal = _principal(request)
    require_centre(principal, centre)
    shown_day(day)
    period = await load_period(db_session, day, day, whole_weeks=True, network=network)
    shifts = period.shifts
    service_day = network.centres[centre].service_day
    found = _conflicts_by_cell(period, conflicts(period, {centre})).get((centre, day), [])
    covers = coverage(period, {centre})
    day_cover = covers[0] if covers else None
    active = sorted(
        (d for i, d in network.doctors.items() if network.doctor_rows[int(i)].active),
        key=lambda d: d.display_name,
    )
    doctors = [d for d in active if centre in d.centre_ids]
    # A shift moves to the planner's own centres only, and to a doctor working at one of them.
    planned = planned_slugs(principal)
    if planned is not None:
        active = [d for d in active if d.centre_ids & planned]
    return staff_page(
        request,
        "rota/day.html",
        centre=row,
        day=day,
        conflicts=found,
        gaps=[gap_out(g, network) for g in day_cover.gaps] if day_cover else [],
        all_doctors=active,
        centres=sorted(
            (c for c in network.centres.values() if planned is None or c.id in planned),
            key=lambda c: c.name,
        ),
        shifts=[
            shift_out(s, network)
            for s in sorted(shifts, key=lambda s: (s.start, s.room or ""))
            if service_day(s.start) == day
        ],
        doctors=doctors,
        rooms=network.centres[centre].rooms,
    )


@get("/rota/leave", **PAGE_OPTIONS)
async def rota_leave(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[date | None] = None,
    view: FromQuery[View] = "month",
) -> Template:
    today = shell(request.app).clock().date()
    first, last = period_bounds(start or today, view)
    pending = await _pending_leave(request, db_session, first, last, today)
    offers = await _offers_to_decide(request, db_session)
    return staff_page(
        request,
        "rota/leave.html",
        pending=pending,
        offers=offers,
        view=view,
        first=first,
        anchor=start or today,
    )


page_handlers = [rota_page, rota_board, rota_day, rota_leave]
