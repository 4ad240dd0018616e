"""Rows that tests put straight into the database: planned doctors and waiting patients."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import RoomPresence, Ticket
from rota.models import Doctor, Shift


async def planned_doctor(
    session: AsyncSession,
    centre_id: int,
    name: str,
    start: datetime,
    end: datetime,
    account_id: int | None = None,
) -> Doctor:
    """A doctor (with the account given, else none) with one shift at the centre; flushed,
    not committed."""
    doctor = Doctor(display_name=name, weekly_limit_hours=48.0, active=True, account_id=account_id)
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


def in_room(
    session: AsyncSession,
    centre_id: int,
    account_id: int,
    room_id: int,
    since: datetime,
    seen: datetime,
    state: str = "present",
) -> None:
    """A doctor in a consulting room since ``since``, the page's last beat at ``seen``."""
    session.add(
        RoomPresence(
            centre_id=centre_id,
            service_day=since.date(),
            account_id=account_id,
            room_id=room_id,
            state=state,
            started_at=since,
            last_seen_at=seen,
        )
    )
