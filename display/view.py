"""What a waiting-room screen shows of a centre, read from the database.

Whitelists only: a screen never receives a patient's label or phone, whatever the models or
the queue's events grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from display.estimates import WaitRange, doctors_on_duty, newcomer_wait
from queues import reads as queue_reads
from rota import reads as rota_reads
from rota.models import Centre

RECENT_CALLS = 6
SCREEN_EVENT_FIELDS = frozenset({"type", "seq", "centre"})


def screen_event(event: dict[str, Any]) -> dict[str, Any]:
    """A queue event as screens may see it."""
    shown = {key: value for key, value in event.items() if key in SCREEN_EVENT_FIELDS}
    if isinstance(event.get("ticket"), dict):
        shown["ticket"] = queue_reads.public_view(event["ticket"])
    if isinstance(event.get("finished"), list):  # consultations a call ended
        shown["finished"] = [
            queue_reads.public_view(t) for t in event["finished"] if isinstance(t, dict)
        ]
    return shown


async def load_centre(session: AsyncSession, centre_id: int) -> Centre | None:
    return (
        await session.execute(
            select(Centre).where(Centre.id == centre_id).execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Waits:
    """What the screens and the public board both show of a centre now."""

    open_now: bool
    checkin_open: bool
    newcomer_wait: WaitRange | None  # None: closed, check-in stopped, or nobody will call
    waiting: dict[str, int]  # by priority
    opening: list[list[str]]  # today's hours, local ["HH:MM", "HH:MM"] pairs


async def centre_waits(
    session: AsyncSession,
    centre: Centre,
    now: datetime,
    estimates: queue_reads.EstimateCache,
    opening: rota_reads.DayOpening,
) -> Waits:
    """``opening``: the rota's hours of the centre today (rota.reads.opening_today)."""
    day = centre.service_day(now)
    is_open = opening.open_at(now)
    accepting = await queue_reads.checkin_open(session, centre, day)
    wait = await newcomer_wait(session, centre, now, estimates) if is_open and accepting else None
    return Waits(
        open_now=is_open,
        checkin_open=accepting,
        newcomer_wait=wait,
        waiting=await queue_reads.waiting_counts(session, centre, day),
        opening=opening.local_hours(),
    )


async def centre_state(
    session: AsyncSession, centre: Centre, now: datetime, estimates: queue_reads.EstimateCache
) -> dict[str, Any]:
    """The changing part of a screen: calls, waiting counts, estimate, doctors, opening."""
    day = centre.service_day(now)
    opening = (await rota_reads.opening_today(session, [centre], now))[centre.id]
    waits = await centre_waits(session, centre, now, estimates, opening)
    return {
        "called": await queue_reads.called_tickets(session, centre, day),
        "recent": await queue_reads.recent_calls(session, centre, day, RECENT_CALLS),
        "waiting": waits.waiting,
        "newcomer_wait": waits.newcomer_wait.as_dict() if waits.newcomer_wait else None,
        "doctors_on_duty": await doctors_on_duty(session, centre, now),
        "checkin_open": waits.checkin_open,
        "open_now": waits.open_now,
        "opening": waits.opening,
    }


def centre_identity(centre: Centre) -> dict[str, str]:
    return {"slug": centre.slug, "name": centre.name, "timezone": centre.timezone}
