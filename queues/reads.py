"""What the queue offers the other features: the public view of tickets, counts, estimates.

Other packages read the queue through this module only (tests/test_borders.py checks it).
Everything here is safe to show in a waiting room: no patient label or phone leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.estimator import WaitEstimate
from queues.live import EstimateCache
from queues.models import CentreDay, RemoteJoin, Ticket
from queues.ordering import Priority
from queues.patient_view import link_expired, patient_view, ticket_by_token
from queues.service import public_ticket
from queues.states import TicketStatus
from rota.models import Centre, Room
from service.accounts import Role, StaffAccount

__all__ = [
    "PUBLIC_TICKET_FIELDS",
    "EstimateCache",
    "WaitEstimate",
    "called_tickets",
    "checkin_open",
    "link_expired",
    "newcomer_wait",
    "patient_view",
    "public_ticket",
    "public_view",
    "recent_callers",
    "recent_calls",
    "remote_join_centres",
    "ticket_by_token",
    "waiting_counts",
]

# What anyone in the waiting room may see of a ticket.
PUBLIC_TICKET_FIELDS = frozenset(
    {"id", "number", "priority", "status", "room", "room_name", "called_at", "call_count"}
)


def public_view(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """Only the public fields of a ticket as it travels in an event (whatever events grow)."""
    return {key: value for key, value in ticket.items() if key in PUBLIC_TICKET_FIELDS}


def _shown(ticket: Ticket, rooms: dict[int, Room]) -> dict[str, Any]:
    # Filtered again: public_ticket() may grow a field that screens must still not get.
    return public_view(public_ticket(ticket, rooms))


def _of_day(centre: Centre, day: date) -> tuple[Any, ...]:
    return (Ticket.centre_id == centre.id, Ticket.service_day == day)


async def called_tickets(session: AsyncSession, centre: Centre, day: date) -> list[dict[str, Any]]:
    """Tickets called and not yet in consultation, the latest call first."""
    rooms = {room.id: room for room in centre.rooms}
    rows = await session.execute(
        select(Ticket)
        .where(*_of_day(centre, day), Ticket.status == TicketStatus.CALLED)
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
    )
    return [_shown(ticket, rooms) for ticket in rows.scalars()]


async def recent_calls(
    session: AsyncSession, centre: Centre, day: date, limit: int
) -> list[dict[str, Any]]:
    """The last ``limit`` tickets called today, whatever became of them, the latest first."""
    rooms = {room.id: room for room in centre.rooms}
    rows = await session.execute(
        select(Ticket)
        .where(*_of_day(centre, day), Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return [_shown(ticket, rooms) for ticket in rows.scalars()]


async def waiting_counts(session: AsyncSession, centre: Centre, day: date) -> dict[str, int]:
    """Patients waiting per priority ("standard", "urgent"), zero included."""
    rows = await session.execute(
        select(Ticket.priority, func.count(Ticket.id))
        .where(*_of_day(centre, day), Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.priority)
    )
    counts = {priority.value: 0 for priority in Priority}
    for priority, count in rows.all():
        counts[str(priority)] = int(count)
    return counts


async def checkin_open(session: AsyncSession, centre: Centre, day: date) -> bool:
    """Whether reception still takes patients that day (it may stop when the day is full)."""
    closed = (
        await session.execute(
            select(CentreDay.checkin_closed).where(
                CentreDay.centre_id == centre.id, CentreDay.service_day == day
            )
        )
    ).scalar_one_or_none()
    return not closed


async def recent_callers(session: AsyncSession, centre: Centre, since: datetime) -> list[str]:
    """Display names of the doctors who called a patient here since ``since``, by name."""
    rows = await session.execute(
        select(StaffAccount.display_name)
        .join(Ticket, Ticket.called_by_id == StaffAccount.id)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.called_at >= since,
            StaffAccount.role == Role.DOCTOR,
        )
        .distinct()
        .order_by(StaffAccount.display_name)
    )
    return list(rows.scalars().all())


async def newcomer_wait(
    session: AsyncSession, centre: Centre, now: datetime, estimates: EstimateCache
) -> WaitEstimate:
    """The wait of a standard patient checking in now (``estimates``: the app's cache,
    ``shell(app).part(EstimateCache)``, shared by reception, the screens and the public board)."""
    estimate = await estimates.get(session, centre, now)
    return estimate.newcomer[Priority.STANDARD]


async def remote_join_centres(session: AsyncSession) -> set[int]:
    """The centres that take tickets from home (their join page: /attente/<slug>/rejoindre)."""
    rows = await session.execute(select(RemoteJoin.centre_id).where(RemoteJoin.enabled.is_(True)))
    return set(rows.scalars().all())
