"""Who works at a centre, and when: for the wait estimator, screens and managers.

One rule for leave everywhere: a planned shift counts only outside the doctor's approved
leave. The shift stays planned (a conflict for the managers), but nobody is in that room
while the doctor is away, so a leave over part of a shift removes only that part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.domain import LeaveStatus

Span = tuple[datetime, datetime]  # [start, end) in UTC
# The shortest span a datetime has: [at, at + INSTANT) is the instant ``at`` as a window.
INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class DoctorOnDuty:
    doctor_id: int
    display_name: str
    room_code: str | None
    start: datetime  # the shift as planned, UTC
    end: datetime


@dataclass(frozen=True)
class PlannedShift:
    """A planned shift and the stretches of it the doctor is not on approved leave."""

    doctor_id: int
    account_id: int | None  # the doctor's staff account, when they sign in to call
    display_name: str
    room_code: str | None
    start: datetime  # UTC
    end: datetime
    present: tuple[Span, ...]

    def present_at(self, at: datetime) -> bool:
        return any(start <= at < end for start, end in self.present)


def present_spans(start: datetime, end: datetime, leaves: Iterable[Span]) -> tuple[Span, ...]:
    """The parts of [start, end) outside every leave, in order."""
    pieces: list[Span] = []
    cursor = start
    for leave_start, leave_end in sorted(leaves):
        if leave_end <= cursor or leave_start >= end:
            continue
        if leave_start > cursor:
            pieces.append((cursor, leave_start))
        cursor = max(cursor, leave_end)
        if cursor >= end:
            break
    if cursor < end:
        pieces.append((cursor, end))
    return tuple(pieces)


async def planned_shifts(
    session: AsyncSession, centre_id: int, window_start: datetime, window_end: datetime
) -> list[PlannedShift]:
    """The shifts at a centre that overlap [window_start, window_end), with approved leave
    taken out, by start then room. One query: each shift comes with the leaves it overlaps."""
    shift, doctor, room, leave = models.Shift, models.Doctor, models.Room, models.Leave
    rows = await session.execute(
        select(
            shift.id,
            doctor.id,
            doctor.account_id,
            doctor.display_name,
            room.code,
            shift.starts_at,
            shift.ends_at,
            leave.starts_at,
            leave.ends_at,
        )
        .join(doctor, doctor.id == shift.doctor_id)
        .outerjoin(room, room.id == shift.room_id)
        .outerjoin(
            leave,
            and_(
                leave.doctor_id == shift.doctor_id,
                leave.status == LeaveStatus.APPROVED.value,
                leave.starts_at < shift.ends_at,
                leave.ends_at > shift.starts_at,
            ),
        )
        .where(
            shift.centre_id == centre_id,
            shift.starts_at < window_end,
            shift.ends_at > window_start,
        )
        .order_by(shift.starts_at, room.code.nulls_last(), doctor.id, shift.id)
    )
    by_shift: dict[int, PlannedShift] = {}
    leaves: dict[int, list[Span]] = {}
    for shift_id, doctor_id, account_id, name, code, start, end, away, back in rows.tuples():
        by_shift.setdefault(
            shift_id, PlannedShift(doctor_id, account_id, name, code, start, end, ())
        )
        if away is not None and back is not None:
            leaves.setdefault(shift_id, []).append((away, back))
    # Dicts keep the query's order: by start, then room.
    return [
        replace(planned, present=present_spans(planned.start, planned.end, leaves.get(key, ())))
        for key, planned in by_shift.items()
    ]


def on_duty_at(shifts: Sequence[PlannedShift], at: datetime) -> list[DoctorOnDuty]:
    """The doctors of these shifts who are at work at ``at`` (start included, end excluded)."""
    return [
        DoctorOnDuty(s.doctor_id, s.display_name, s.room_code, s.start, s.end)
        for s in shifts
        if s.present_at(at)
    ]


async def doctors_on_duty(
    session: AsyncSession, centre: models.Centre, at: datetime
) -> list[DoctorOnDuty]:
    """Doctors with a shift running at the centre at ``at`` and not on approved leave then,
    by start then room."""
    return on_duty_at(await planned_shifts(session, centre.id, at, at + INSTANT), at)
