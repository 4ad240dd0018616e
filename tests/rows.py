"""Rows that tests put straight into the database: planned doctors and waiting patients."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import Ticket
from rota.models import Doctor, Shift


async def planned_doctor(
    session: AsyncSession, centre_id: int, name: str, start: datetime, end: datetime
) -> Doctor:
    """A doctor (no account) with one shift at the centre; flushed, not committed."""
    doctor = Doctor(display_name=name, weekly_limit_hours=48.0, active=True)
    session.add(doctor)
    await session.flush()
    session.add(Shift(doctor_id=doctor.id, centre_id=centre_id, starts_at=start, ends_at=end))
    return doctor


def waiting_patients(
    session: AsyncSession, centre_id: int, day: date, count: int, last_arrival: datetime
) -> None:
    """``count`` standard patients waiting, one a minute until ``last_arrival``."""
    for n in range(1, count + 1):
        arrived = last_arrival - timedelta(minutes=count - n)
        session.add(
            Ticket(
                centre_id=centre_id,
                service_day=day,
                seq_no=n,
                number=f"A{n:03d}",
                priority="standard",
                status="waiting",
                checked_in_at=arrived,
                queued_at=arrived,
                call_count=0,
            )
        )
