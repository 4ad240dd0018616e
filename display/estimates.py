"""What a screen shows of the waits and of who is working: from the estimator and the rota.

The newcomer's wait is the rota-aware estimator's (queues/estimator.py, through queues/live.py)
for a standard patient checking in now: its median and 80 % interval, in whole minutes, or
None when no doctor will call anyone else today (nobody present, nobody expected). The
doctors shown are those in a consulting room now.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from queues import reads as queue_reads
from rota.models import Centre

ON_DUTY_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class WaitRange:
    minutes: int
    low: int
    high: int
    after_closing: bool = False  # a newcomer would not be seen before closing

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "minutes": self.minutes,
            "low": self.low,
            "high": self.high,
            "after_closing": self.after_closing,
        }


async def newcomer_wait(
    session: AsyncSession, centre: Centre, now: datetime, estimates: queue_reads.EstimateCache
) -> WaitRange | None:
    """How long a patient checking in now at this centre should expect to wait (`estimates`:
    the app's cache, shared with reception)."""
    wait = await queue_reads.newcomer_wait(session, centre, now, estimates)
    if math.isinf(wait.wait_min) or math.isinf(wait.high_min):
        return None
    return WaitRange(
        minutes=round(wait.wait_min),
        low=math.floor(wait.low_min),
        high=math.ceil(wait.high_min),
        after_closing=wait.after_closing,
    )


async def doctors_on_duty(session: AsyncSession, centre: Centre, now: datetime) -> list[str]:
    """The doctors present: in a consulting room now (a pause included: they are here).
    Where no doctor reports presence (nobody ever opened a room today), who called lately."""
    present = (await queue_reads.doctors_present(session, [centre.id], now))[centre.id]
    if present:
        return [doctor.display_name for doctor in present]
    return await queue_reads.recent_callers(session, centre, now - ON_DUTY_WINDOW)
