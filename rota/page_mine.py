"""A doctor's own page: my shifts (list and month), notices, availability and wishes for the
next month, a leave request, giving away or swapping a shift, my calendar link.
Server-rendered; edits through the JSON API of rota.api_mine and rota.api_offers
(static/mine.js)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import leave_out, shift_out
from rota.api_mine import my_doctor, plan_out
from rota.api_offers import doctor_offers
from rota.days import days_between
from rota.offer_ops import OfferOps
from rota.problem import month_bounds
from rota.store import load_network, load_shifts
from service.accounts import Role
from service.auth import Principal, requires_role
from service.changes import change_path
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page
from service.state import shell

# Colleagues' shifts offered to swap against: the coming four weeks (a select stays short).
SWAP_HORIZON = timedelta(weeks=4)


@get(
    "/rota/me",
    guards=[requires_role(Role.DOCTOR)],
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    include_in_schema=False,
)
async def my_page(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    month: FromQuery[date | None] = None,
) -> Template:
    today = shell(request.app).clock().date()
    doctor = await my_doctor(request, db_session)
    network = await load_network(db_session)
    first, last = month_bounds(today)
    # The month to shape: the next one by default (the current one is planned already).
    planned_month = month_bounds(month or last + timedelta(days=1))[0]
    plan_first, plan_last = month_bounds(planned_month)
    start, end = network.day_window(first, plan_last)
    shifts = [
        shift_out(s, network)
        for s in sorted(
            await load_shifts(db_session, network, start, end, doctor_ids=[doctor.id]),
            key=lambda s: s.start,
        )
    ]
    shifts = [s for s in shifts if first <= s.day <= plan_last]
    plan = await plan_out(db_session, doctor, planned_month)
    said = {(w.day, w.part): w.state for w in plan.days}
    notices = (
        await db_session.execute(
            select(models.RotaNotice)
            .where(models.RotaNotice.doctor_id == doctor.id)
            .order_by(models.RotaNotice.id.desc())
            .limit(5)
        )
    ).scalars()
    leave = (
        await db_session.execute(
            select(models.Leave)
            .where(models.Leave.doctor_id == doctor.id, models.Leave.ends_at >= start)
            .order_by(models.Leave.starts_at)
        )
    ).scalars()
    now = shell(request.app).clock()
    my_centres = network.doctors[str(doctor.id)].centre_ids
    colleague_shifts = [
        shift_out(s, network)
        for s in sorted(
            await load_shifts(
                db_session,
                network,
                now,
                min(end, now + SWAP_HORIZON),
                centre_ids=[network.centre_row(slug).id for slug in sorted(my_centres)],
            ),
            key=lambda s: s.start,
        )
        if s.doctor_id != str(doctor.id) and s.start > now
    ]
    offers = await doctor_offers(OfferOps(change_path(request, db_session)), network, doctor.id)
    return staff_page(
        request,
        "rota/mine.html",
        upcoming=[s for s in shifts if s.start > now],
        colleague_shifts=colleague_shifts,
        my_offers=[o for o in offers if o.from_doctor_id == doctor.id],
        offers_for_me=[o for o in offers if o.from_doctor_id != doctor.id],
        doctor=doctor,
        today=today,
        shifts=shifts,
        worked_days={s.day for s in shifts},
        month_days=list(days_between(first, last)),
        plan=plan,
        plan_days=[(d, said.get((d, "day"), "")) for d in days_between(plan_first, plan_last)],
        planned_month=planned_month,
        notices=list(notices),
        leave=[leave_out(row, network) for row in leave],
    )
