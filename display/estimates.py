"""Placeholder-free wait estimate and doctors on duty, each isolated in one function.

`newcomer_wait` will be replaced by the rota-aware estimator (queues/estimator.py) and
`doctors_on_duty` by the rota; callers only see these two functions.

The rule used now, stated so that staff can check it by hand:
    wait = (patients waiting) × (mean length of today's last 10 finished consultations,
           started → ended; 12 min when none) ÷ (rooms that called a patient today, at least 1)
The range is ±25 % of it once 5 or more consultations were measured today, ±50 % before,
in whole minutes. A newcomer is standard priority, so everybody already waiting is ahead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import Ticket
from queues.states import TicketStatus
from rota.models import Centre
from service.accounts import Role, StaffAccount

DEFAULT_CONSULTATION_MIN = 12.0
MEASURED_CONSULTATIONS = 10
CONFIDENT_AFTER = 5
ON_DUTY_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class WaitRange:
    minutes: int
    low: int
    high: int

    def as_dict(self) -> dict[str, int]:
        return {"minutes": self.minutes, "low": self.low, "high": self.high}


def estimate_wait(
    waiting_ahead: int, consultation_minutes: Sequence[float], active_rooms: int
) -> WaitRange:
    """The rule above, as a plain function."""
    mean = (
        sum(consultation_minutes) / len(consultation_minutes)
        if consultation_minutes
        else DEFAULT_CONSULTATION_MIN
    )
    expected = waiting_ahead * mean / max(1, active_rooms)
    spread = 0.25 if len(consultation_minutes) >= CONFIDENT_AFTER else 0.5
    return WaitRange(
        minutes=round(expected),
        low=math.floor(expected * (1 - spread)),
        high=math.ceil(expected * (1 + spread)),
    )


async def newcomer_wait(session: AsyncSession, centre: Centre, now: datetime) -> WaitRange:
    """How long a patient checking in now at this centre should expect to wait."""
    day = centre.service_day(now)
    today = (Ticket.centre_id == centre.id, Ticket.service_day == day)
    waiting = (
        await session.execute(
            select(func.count(Ticket.id)).where(*today, Ticket.status == TicketStatus.WAITING)
        )
    ).scalar_one()
    finished = (
        await session.execute(
            select(Ticket.started_at, Ticket.ended_at)
            .where(
                *today,
                Ticket.status == TicketStatus.DONE,
                Ticket.started_at.is_not(None),
                Ticket.ended_at.is_not(None),
            )
            .order_by(Ticket.ended_at.desc())
            .limit(MEASURED_CONSULTATIONS)
        )
    ).all()
    lengths = [
        (ended - started).total_seconds() / 60
        for started, ended in finished
        if started is not None and ended is not None and ended >= started
    ]
    rooms = (
        await session.execute(
            select(func.count(distinct(Ticket.room_id))).where(*today, Ticket.room_id.is_not(None))
        )
    ).scalar_one()
    return estimate_wait(int(waiting), lengths, int(rooms))


async def doctors_on_duty(session: AsyncSession, centre: Centre, now: datetime) -> list[str]:
    """Doctors who called a patient here in the last two hours (until the rota says)."""
    rows = await session.execute(
        select(StaffAccount.display_name)
        .join(Ticket, Ticket.called_by_id == StaffAccount.id)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.called_at >= now - ON_DUTY_WINDOW,
            StaffAccount.role == Role.DOCTOR,
        )
        .distinct()
        .order_by(StaffAccount.display_name)
    )
    return list(rows.scalars().all())
