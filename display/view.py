"""What a waiting-room screen shows of a centre, read from the database.

Whitelists only: a screen never receives a patient's label or phone, whatever the models or
the queue's events grow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from display.estimates import doctors_on_duty, newcomer_wait
from queues.live import EstimateCache
from queues.models import CentreDay, Ticket
from queues.ordering import Priority
from queues.service import public_ticket
from queues.states import TicketStatus
from rota.models import Centre

RECENT_CALLS = 6
SCREEN_TICKET_FIELDS = frozenset(
    {"id", "number", "priority", "status", "room", "room_name", "called_at", "call_count"}
)
SCREEN_EVENT_FIELDS = frozenset({"type", "seq", "centre"})


def screen_ticket(ticket: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in ticket.items() if key in SCREEN_TICKET_FIELDS}


def screen_event(event: dict[str, Any]) -> dict[str, Any]:
    """A queue event as screens may see it."""
    shown = {key: value for key, value in event.items() if key in SCREEN_EVENT_FIELDS}
    if isinstance(event.get("ticket"), dict):
        shown["ticket"] = screen_ticket(event["ticket"])
    if isinstance(event.get("finished"), list):  # consultations a call ended
        shown["finished"] = [screen_ticket(t) for t in event["finished"] if isinstance(t, dict)]
    return shown


async def load_centre(session: AsyncSession, centre_id: int) -> Centre | None:
    return (
        await session.execute(
            select(Centre).where(Centre.id == centre_id).execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


def open_now(centre: Centre, now: datetime) -> bool:
    local = now.astimezone(centre.tz)
    return any(start <= local.time() < end for start, end in centre.opening_on(local.date()))


def opening_today(centre: Centre, now: datetime) -> list[list[str]]:
    day = centre.service_day(now)
    return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in centre.opening_on(day)]


async def checkin_open(session: AsyncSession, centre: Centre, now: datetime) -> bool:
    closed = (
        await session.execute(
            select(CentreDay.checkin_closed).where(
                CentreDay.centre_id == centre.id,
                CentreDay.service_day == centre.service_day(now),
            )
        )
    ).scalar_one_or_none()
    return not closed


async def waiting_counts(session: AsyncSession, centre: Centre, now: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(Ticket.priority, func.count(Ticket.id))
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day == centre.service_day(now),
            Ticket.status == TicketStatus.WAITING,
        )
        .group_by(Ticket.priority)
    )
    counts = {priority.value: 0 for priority in Priority}
    for priority, count in rows.all():
        counts[str(priority)] = int(count)
    return counts


async def centre_state(
    session: AsyncSession, centre: Centre, now: datetime, estimates: EstimateCache
) -> dict[str, Any]:
    """The changing part of a screen: calls, waiting counts, estimate, doctors, opening."""
    rooms = {room.id: room for room in centre.rooms}
    today = (Ticket.centre_id == centre.id, Ticket.service_day == centre.service_day(now))
    called = (
        await session.execute(
            select(Ticket)
            .where(*today, Ticket.status == TicketStatus.CALLED)
            .order_by(Ticket.called_at.desc(), Ticket.id.desc())
        )
    ).scalars()
    recent = (
        await session.execute(
            select(Ticket)
            .where(*today, Ticket.called_at.is_not(None))
            .order_by(Ticket.called_at.desc(), Ticket.id.desc())
            .limit(RECENT_CALLS)
        )
    ).scalars()
    is_open = open_now(centre, now)
    accepting = await checkin_open(session, centre, now)
    wait = await newcomer_wait(session, centre, now, estimates) if is_open and accepting else None
    return {
        "called": [screen_ticket(public_ticket(t, rooms)) for t in called],
        "recent": [screen_ticket(public_ticket(t, rooms)) for t in recent],
        "waiting": await waiting_counts(session, centre, now),
        "newcomer_wait": wait.as_dict() if wait else None,
        "doctors_on_duty": await doctors_on_duty(session, centre, now),
        "checkin_open": accepting,
        "open_now": is_open,
        "opening": opening_today(centre, now),
    }


def centre_identity(centre: Centre) -> dict[str, str]:
    return {"slug": centre.slug, "name": centre.name, "timezone": centre.timezone}
