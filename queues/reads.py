"""What the queue offers the other features: the public view of tickets, counts, estimates.

Other packages read the queue through this module only (tests/test_borders.py checks it).
Everything here is safe to show in a waiting room: no patient label or phone leaves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.estimator import (
    DEFAULT_CONSULT_MIN,
    PATIENCE_MIN,
    PRIOR_IMPATIENT,
    ConsultLengths,
    WaitEstimate,
)
from queues.live import TURNOVER_MIN, EstimateCache
from queues.models import CentreDay, RemoteJoin, Ticket
from queues.ordering import Priority
from queues.patient_view import link_expired, patient_view, ticket_by_token
from queues.presence import (
    DoctorPresence,
    PresenceState,
    PresenceStretch,
    present_now,
    stretches_of_day,
)
from queues.replay import DayOutcome, run_day
from queues.scenario import DoctorRota, Scenario, ScenarioPatient
from queues.service import public_ticket
from queues.states import TicketStatus
from rota.models import Centre, Room
from service.accounts import Role, StaffAccount

__all__ = [
    "DEFAULT_CONSULT_MIN",
    "PATIENCE_MIN",
    "PRIOR_IMPATIENT",
    "PUBLIC_TICKET_FIELDS",
    "TURNOVER_MIN",
    "AnonymousTicket",
    "ConsultLengths",
    "DayOutcome",
    "DoctorPresence",
    "DoctorRota",
    "EstimateCache",
    "PresenceState",
    "PresenceStretch",
    "Priority",
    "Scenario",
    "ScenarioPatient",
    "WaitEstimate",
    "WaitingSummary",
    "anonymous_tickets",
    "called_tickets",
    "checkin_open",
    "doctors_present",
    "first_ticket_day",
    "link_expired",
    "newcomer_wait",
    "patient_view",
    "presence_stretches",
    "public_ticket",
    "public_view",
    "recent_callers",
    "recent_calls",
    "remote_join_centres",
    "run_day",
    "ticket_by_token",
    "ticket_days",
    "waiting_counts",
    "waiting_summaries",
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


@dataclass(frozen=True)
class WaitingSummary:
    """Who waits at a centre on its service day: how many, and since when the longest."""

    waiting: int
    urgent: int
    oldest_checked_in: datetime | None  # None: nobody waits


async def waiting_summaries(
    session: AsyncSession, centres: Sequence[Centre], now: datetime
) -> dict[int, WaitingSummary]:
    """Each centre's waiting patients on its own service day at ``now`` (one query)."""
    if not centres:
        return {}
    days = or_(
        *(
            and_(Ticket.centre_id == centre.id, Ticket.service_day == centre.service_day(now))
            for centre in centres
        )
    )
    rows = await session.execute(
        select(
            Ticket.centre_id,
            func.count(Ticket.id),
            func.count(Ticket.id).filter(Ticket.priority == Priority.URGENT.value),
            func.min(Ticket.checked_in_at),
        )
        .where(days, Ticket.status == TicketStatus.WAITING)
        .group_by(Ticket.centre_id)
    )
    found = {centre.id: WaitingSummary(0, 0, None) for centre in centres}
    for centre_id, waiting, urgent, oldest in rows.tuples():
        found[centre_id] = WaitingSummary(int(waiting), int(urgent), oldest)
    return found


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


@dataclass(frozen=True)
class AnonymousTicket:
    """What the statistics may know of a ticket: times, states and the caller, nothing of the
    patient (no label, phone, idempotency key or reason): the same before and after the purge."""

    priority: str
    status: str
    checked_in_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    called_by_id: int | None  # the calling doctor's staff account
    told_wait_min: float | None
    told_high_min: float | None
    joined_position: int | None


async def anonymous_tickets(
    session: AsyncSession, centre_id: int, day: date
) -> list[AnonymousTicket]:
    """A centre's tickets of one service day, anonymous, in check-in order."""
    rows = await session.execute(
        select(
            Ticket.priority,
            Ticket.status,
            Ticket.checked_in_at,
            Ticket.called_at,
            Ticket.started_at,
            Ticket.ended_at,
            Ticket.called_by_id,
            Ticket.told_wait_min,
            Ticket.told_high_min,
            Ticket.joined_position,
        )
        .where(Ticket.centre_id == centre_id, Ticket.service_day == day)
        .order_by(Ticket.seq_no)
    )
    return [AnonymousTicket(*row) for row in rows.all()]


async def ticket_days(
    session: AsyncSession, centre_id: int, since: date, until: date
) -> list[date]:
    """The service days in [since, until] on which the centre gave tickets, in order."""
    rows = await session.execute(
        select(Ticket.service_day)
        .where(
            Ticket.centre_id == centre_id,
            Ticket.service_day >= since,
            Ticket.service_day <= until,
        )
        .distinct()
        .order_by(Ticket.service_day)
    )
    return list(rows.scalars().all())


async def first_ticket_day(session: AsyncSession, centre_id: int) -> date | None:
    """The centre's earliest service day with a ticket, if any."""
    found = await session.execute(
        select(func.min(Ticket.service_day)).where(Ticket.centre_id == centre_id)
    )
    return found.scalar_one_or_none()


async def doctors_present(
    session: AsyncSession, centre_ids: Sequence[int], now: datetime
) -> dict[int, list[DoctorPresence]]:
    """The doctors in a consulting room now at each centre (each id asked is a key, an empty
    list when nobody is in): account id, display name, room, present or paused, and since when
    (UTC) they are in that state. A doctor whose page went away over 90 s ago is not listed."""
    return await present_now(session, centre_ids, now)


async def remote_join_centres(session: AsyncSession) -> set[int]:
    """The centres that take tickets from home (their join page: /attente/<slug>/rejoindre)."""
    rows = await session.execute(select(RemoteJoin.centre_id).where(RemoteJoin.enabled.is_(True)))
    return set(rows.scalars().all())


async def presence_stretches(
    session: AsyncSession, centre: Centre, day: date, now: datetime
) -> list[PresenceStretch]:
    """The day's stretches of doctors in consulting rooms at the centre, up to ``now``, in order
    of start: account id, present or paused, start and end (UTC; None: under way). A stretch
    whose page went quiet ends at its last beat."""
    return await stretches_of_day(session, centre, day, now)
