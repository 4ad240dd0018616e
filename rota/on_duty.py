"""Who is on duty at a centre at an instant: for the wait estimator, screens and managers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.domain import LeaveStatus


@dataclass(frozen=True)
class DoctorOnDuty:
    doctor_id: int
    display_name: str
    room_code: str | None
    start: datetime  # the shift, UTC
    end: datetime


async def doctors_on_duty(
    session: AsyncSession, centre: models.Centre, at: datetime
) -> list[DoctorOnDuty]:
    """Doctors with a shift running at the centre at ``at`` (start included, end excluded),
    by start then room. A doctor on approved leave at that instant is left out: the shift is
    still planned (a conflict for the managers) but nobody will be in that room."""
    shift, doctor, room, leave = models.Shift, models.Doctor, models.Room, models.Leave
    on_leave = exists().where(
        and_(
            leave.doctor_id == shift.doctor_id,
            leave.status == LeaveStatus.APPROVED.value,
            leave.starts_at <= at,
            leave.ends_at > at,
        )
    )
    rows = await session.execute(
        select(doctor.id, doctor.display_name, room.code, shift.starts_at, shift.ends_at)
        .join(doctor, doctor.id == shift.doctor_id)
        .outerjoin(room, room.id == shift.room_id)
        .where(
            shift.centre_id == centre.id,
            shift.starts_at <= at,
            shift.ends_at > at,
            ~on_leave,
        )
        .order_by(shift.starts_at, room.code.nulls_last(), doctor.id)
    )
    return [DoctorOnDuty(*row) for row in rows.tuples()]
