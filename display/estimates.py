"""What a screen shows of the waits and of who is working: from the estimator and the rota.

The newcomer's wait is the rota-aware estimator's (queues/estimator.py, through queues/live.py)
for a standard patient checking in now: its median and 80 % interval, in whole minutes, or
None when no doctor on the rota will call anyone else today. Doctors on duty are the rota's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.live import EstimateCache
from queues.models import Ticket
from queues.ordering import Priority
from rota.models import Centre
from rota.on_duty import doctors_on_duty as planned_on_duty
from service.accounts import Role, StaffAccount

ON_DUTY_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class WaitRange:
    minutes: int
    low: int
    high: int

    def as_dict(self) -> dict[str, int]:
        return {"minutes": self.minutes, "low": self.low, "high": self.high}


async def newcomer_wait(
    session: AsyncSession, centre: Centre, now: datetime, estimates: EstimateCache
) -> WaitRange | None:
    """How long a patient checking in now at this centre should expect to wait (`estimates`:
    the app's cache, shared with reception)."""
    estimate = await estimates.get(session, centre, now)
    wait = estimate.newcomer[Priority.STANDARD]
    if math.isinf(wait.wait_min) or math.isinf(wait.high_min):
        return None
    return WaitRange(
        minutes=round(wait.wait_min),
        low=math.floor(wait.low_min),
        high=math.ceil(wait.high_min),
    )


async def doctors_on_duty(session: AsyncSession, centre: Centre, now: datetime) -> list[str]:
    """The rota's doctors at work here now; without a rota, who called here lately."""
    planned = await planned_on_duty(session, centre, now)
    if planned:
        return [doctor.display_name for doctor in planned]
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
