"""A doctor's own space, signed in as a doctor (their account is linked to their doctor record
by ``Doctor.account_id``): my shifts, my availability and wishes for a month, my leave
requests, the notices of publications, my calendar link."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from litestar import Request, Router, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import conflict_out, leave_out, shift_out
from rota.api_cycle import MonthText, cycle_row, month_of
from rota.api_exports import token_digest
from rota.cycle import CycleStatus
from rota.deps import FromDay, ToDay, checked_period, provide_rota_ops
from rota.planning import RotaOps
from rota.problem import month_bounds
from rota.schemas import (
    CalendarTokenOut,
    DayWordIn,
    LeaveAskIn,
    LeaveChangeOut,
    LeaveOut,
    MeOut,
    NoticeOut,
    PlanIn,
    PlanOut,
    ShiftOut,
)
from rota.store import load_network, load_shifts
from service.accounts import Role
from service.auth import Principal, requires_role
from service.errors import Conflict, DomainError
from service.openapi import Problem

# Every route of a doctor's space answers 404 to an account with no active doctor behind it.
NO_DOCTOR = {404: ResponseSpec(Problem, description="Your account is linked to no active doctor")}


async def my_doctor(request: Request[Principal, Any, Any], session: AsyncSession) -> models.Doctor:
    found = await session.execute(
        select(models.Doctor).where(models.Doctor.account_id == request.user.account_id)
    )
    doctor = found.scalar_one_or_none()
    if doctor is None or not doctor.active:
        # 404, not 403: the role may open its space; there is no doctor's record behind it.
        raise NotFoundException(
            "votre compte n'est lié à aucun médecin actif / your account is linked to no "
            "active doctor"
        )
    return doctor


@get("/", responses=NO_DOCTOR)
async def me(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> MeOut:
    doctor = await my_doctor(request, db_session)
    network = await load_network(db_session)
    plan = network.doctors[str(doctor.id)]
    return MeOut(doctor.id, doctor.display_name, doctor.seniority, sorted(plan.centre_ids))


@get("/shifts", responses=NO_DOCTOR)
async def my_shifts(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    first_day: FromDay,
    last_day: ToDay,
) -> list[ShiftOut]:
    checked_period(first_day, last_day)
    doctor = await my_doctor(request, db_session)
    network = await load_network(db_session)
    start, end = network.day_window(first_day, last_day)
    shifts = await load_shifts(db_session, network, start, end, doctor_ids=[doctor.id])
    centres = network.centres
    return [
        shift_out(s, network)
        for s in sorted(shifts, key=lambda s: s.start)
        if first_day <= centres[s.centre_id].service_day(s.start) <= last_day
    ]


async def plan_out(session: AsyncSession, doctor: models.Doctor, month: date) -> PlanOut:
    first, last = month_bounds(month)
    words = (
        await session.execute(
            select(models.Availability)
            .where(
                models.Availability.doctor_id == doctor.id,
                models.Availability.day >= first,
                models.Availability.day <= last,
            )
            .order_by(models.Availability.day, models.Availability.part)
        )
    ).scalars()
    wish = (
        await session.execute(
            select(models.MonthWish).where(
                models.MonthWish.doctor_id == doctor.id, models.MonthWish.month == first
            )
        )
    ).scalar_one_or_none()
    cycle = await cycle_row(session, first)
    return PlanOut(
        month=first,
        cycle_status=cycle.status if cycle else CycleStatus.OPEN.value,
        days=[DayWordIn(w.day, w.state, w.part) for w in words],  # type: ignore[arg-type]
        wanted_shifts=wish.wanted_shifts if wish else None,
        wanted_hours=wish.wanted_hours if wish else None,
        max_weekends=wish.max_weekends if wish else None,
    )


@get("/plan/{month:str}", responses=NO_DOCTOR)
async def my_plan(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    month: MonthText,
) -> PlanOut:
    return await plan_out(db_session, await my_doctor(request, db_session), month_of(month))


@put("/plan/{month:str}", status_code=HTTP_200_OK, responses=NO_DOCTOR)
async def set_my_plan(
    request: Request[Principal, Any, Any],
    ops: NamedDependency[RotaOps],
    month: MonthText,
    data: JSONBody[PlanIn],
) -> PlanOut:
    """Replaces my availability and wishes for the month, until the month is published."""
    first = month_of(month)
    first_day, last_day = month_bounds(first)
    session = ops.session
    seen: set[tuple[date, str]] = set()
    for word in data.days:
        if not first_day <= word.day <= last_day:
            raise DomainError(f"{word.day} n'est pas en {month} / {word.day} is not in {month}")
        if (word.day, word.part) in seen:
            raise DomainError(f"{word.day} {word.part} donné deux fois / given twice")
        seen.add((word.day, word.part))
    async with ops.path.change() as change:
        doctor = await my_doctor(request, session)
        cycle = await cycle_row(session, first)
        if cycle is not None and cycle.status == CycleStatus.PUBLISHED:
            raise Conflict(
                f"le planning de {month} est publié : demandez un échange ou un congé / the "
                f"rota of {month} is published: ask for a swap or leave"
            )
        await session.execute(
            delete(models.Availability).where(
                models.Availability.doctor_id == doctor.id,
                models.Availability.day >= first_day,
                models.Availability.day <= last_day,
            )
        )
        session.add_all(
            models.Availability(doctor_id=doctor.id, day=w.day, part=w.part, state=w.state)
            for w in data.days
        )
        wish = (
            await session.execute(
                select(models.MonthWish).where(
                    models.MonthWish.doctor_id == doctor.id, models.MonthWish.month == first
                )
            )
        ).scalar_one_or_none()
        if wish is None:
            wish = models.MonthWish(doctor_id=doctor.id, month=first)
            session.add(wish)
        wish.wanted_shifts = data.wanted_shifts
        wish.wanted_hours = data.wanted_hours
        wish.max_weekends = data.max_weekends
        await session.flush()
        await change.audit(
            "availability",
            doctor.id,
            "set",
            after={"month": month, "days": len(data.days), "wanted_shifts": data.wanted_shifts},
        )
        answer = await plan_out(session, doctor, first)
    return answer


@post("/leave", status_code=HTTP_201_CREATED, responses=NO_DOCTOR)
async def ask_leave(
    request: Request[Principal, Any, Any], ops: NamedDependency[RotaOps], data: JSONBody[LeaveAskIn]
) -> LeaveChangeOut:
    """A leave request, pending until a manager decides; shifts it falls on are listed."""
    doctor = await my_doctor(request, ops.session)
    network, row, conflicts = await ops.create_leave(
        doctor.id, data.first_day, data.last_day, data.reason, False, True
    )
    return LeaveChangeOut(leave_out(row, network), [conflict_out(c, network) for c in conflicts])


@get("/leave", responses=NO_DOCTOR)
async def my_leave(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> list[LeaveOut]:
    doctor = await my_doctor(request, db_session)
    network = await load_network(db_session)
    rows = await db_session.execute(
        select(models.Leave)
        .where(models.Leave.doctor_id == doctor.id)
        .order_by(models.Leave.starts_at.desc())
    )
    return [leave_out(row, network) for row in rows.scalars()]


@get("/notices", responses=NO_DOCTOR)
async def my_notices(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> list[NoticeOut]:
    doctor = await my_doctor(request, db_session)
    rows = await db_session.execute(
        select(models.RotaNotice)
        .where(models.RotaNotice.doctor_id == doctor.id)
        .order_by(models.RotaNotice.id.desc())
        .limit(50)
    )
    return [NoticeOut(n.id, n.created_at, n.message, n.message_en) for n in rows.scalars()]


@post("/calendar-token", status_code=HTTP_201_CREATED, responses=NO_DOCTOR)
async def my_calendar_link(
    request: Request[Principal, Any, Any], ops: NamedDependency[RotaOps]
) -> CalendarTokenOut:
    """A new subscription link to my shifts (shown once; the managers can revoke it)."""
    token = secrets.token_urlsafe(32)
    async with ops.path.change() as change:
        doctor = await my_doctor(request, ops.session)
        row = models.CalendarToken(doctor_id=doctor.id, token_sha256=token_digest(token))
        ops.session.add(row)
        await ops.session.flush()
        await change.audit("calendar_token", row.id, "create", after={"doctor_id": doctor.id})
        url = str(request.base_url).rstrip("/") + f"/cal/{token}.ics"
        answer = CalendarTokenOut(row.id, doctor.id, row.created_at, None, url)
    return answer


mine = Router(
    path="/me",
    guards=[requires_role(Role.DOCTOR)],
    dependencies={"ops": Provide(provide_rota_ops, sync_to_thread=False)},
    route_handlers=[
        me,
        my_shifts,
        my_plan,
        set_my_plan,
        ask_leave,
        my_leave,
        my_notices,
        my_calendar_link,
    ],
)
