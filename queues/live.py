"""Live wait estimates: the database's view of a centre turned into the estimator's snapshot.

The estimator (queues/estimator.py) is pure; this module gathers what the service knows at a
moment: the queue, the consultations under way, today's rota, today's finished consultations,
the centre's recent history, and how many patients left unseen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues import estimator
from queues.models import Ticket
from queues.ordering import Priority
from queues.states import TicketStatus
from rota import reads as rota_reads
from rota.models import Centre

# Minutes between the end of a consultation and the doctor's next call.
TURNOVER_MIN = 1.0
HISTORY_DAYS = 14
HISTORY_LIMIT = 600


@dataclass(frozen=True)
class PlannedShift:
    """A doctor's shift today at a centre, as the rota says."""

    doctor_key: str  # "account:<id>" when the doctor signs in to call, else "doctor:<id>"
    start: datetime
    end: datetime


ShiftsToday = Callable[[AsyncSession, Centre, date], Awaitable[Sequence[PlannedShift]]]


def account_key(account_id: int | None) -> str:
    return f"account:{account_id}" if account_id is not None else "account:unknown"


def _minutes(at: datetime, midnight: datetime) -> float:
    return (at - midnight).total_seconds() / 60.0


def _consult_min(ticket: Ticket) -> float | None:
    begun = ticket.started_at or ticket.called_at
    if begun is None or ticket.ended_at is None:
        return None
    return max(0.0, (ticket.ended_at - begun).total_seconds() / 60.0)


async def _history(session: AsyncSession, centre: Centre, day: date) -> tuple[float, ...]:
    """Lengths of the consultations finished at this centre over the last two weeks."""
    begun = func.coalesce(Ticket.started_at, Ticket.called_at)
    rows = await session.execute(
        select(begun, Ticket.ended_at)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day < day,
            Ticket.service_day >= day - timedelta(days=HISTORY_DAYS),
            Ticket.status == TicketStatus.DONE.value,
            begun.is_not(None),
            Ticket.ended_at.is_not(None),
        )
        .order_by(Ticket.ended_at.desc())
        .limit(HISTORY_LIMIT)
    )
    return tuple(
        max(0.0, (ended - start).total_seconds() / 60.0)
        for start, ended in rows.tuples()
        if start is not None and ended is not None
    )


async def snapshot_of(
    session: AsyncSession, centre: Centre, now: datetime, shifts_today: ShiftsToday
) -> estimator.CentreSnapshot:
    tz = centre.tz
    day = centre.service_day(now)
    midnight = datetime.combine(day, time(0), tz).astimezone(UTC)
    # The rota's hours: a public holiday's own hours or an exceptional closure count here too.
    opening = (await rota_reads.opening_hours(session, [centre], day))[centre.id]
    opens = _minutes(opening.opens, midnight) if opening.opens else 0.0
    closes = _minutes(opening.closes, midnight) if opening.closes else 0.0

    today = (
        (
            await session.execute(
                select(Ticket).where(Ticket.centre_id == centre.id, Ticket.service_day == day)
            )
        )
        .scalars()
        .all()
    )

    doctors: dict[str, list[tuple[float, float]]] = {}
    for shift in await shifts_today(session, centre, day):
        doctors.setdefault(shift.doctor_key, []).append(
            (_minutes(shift.start, midnight), _minutes(shift.end, midnight))
        )
    if not doctors:
        # No rota for today at this centre: the best guess is that whoever has been calling
        # today goes on until closing. Without even that, the wait is unknown (infinite).
        for ticket in today:
            if ticket.called_by_id is not None:
                doctors.setdefault(
                    account_key(ticket.called_by_id), [(float(opens), float(closes))]
                )
    free_from: dict[str, float] = {}
    consultations: list[estimator.Consultation] = []
    finished: list[float] = []
    waits: list[float] = []
    for ticket in today:
        key = account_key(ticket.called_by_id)
        if ticket.called_at is not None and ticket.status != TicketStatus.WAITING:
            waits.append(
                max(
                    0.0,
                    _minutes(ticket.called_at, midnight) - _minutes(ticket.checked_in_at, midnight),
                )
            )
        if ticket.status in (TicketStatus.CALLED, TicketStatus.IN_CONSULTATION):
            begun = ticket.started_at or ticket.called_at or now
            consultations.append(estimator.Consultation(key, _minutes(begun, midnight)))
            # Someone calling without a planned shift (a stand-in): known, but no more calls.
            doctors.setdefault(key, [])
        length = _consult_min(ticket)
        if ticket.status == TicketStatus.DONE and length is not None and ticket.ended_at:
            finished.append(length)
            end = _minutes(ticket.ended_at, midnight) + TURNOVER_MIN
            free_from[key] = max(free_from.get(key, end), end)

    waiting = tuple(
        estimator.WaitingPatient(str(t.id), Priority(t.priority), _minutes(t.queued_at, midnight))
        for t in today
        # Remote patients not arrived yet keep their place in the simulation: they are in
        # line, and most arrive in time.
        if t.status in (TicketStatus.WAITING, TicketStatus.NOT_ARRIVED)
    )
    return estimator.CentreSnapshot(
        now=_minutes(now, midnight),
        opens=float(opens),
        closes=float(closes),
        turnover_min=TURNOVER_MIN,
        waiting=waiting,
        consultations=tuple(consultations),
        doctors=tuple(
            estimator.DoctorDay(key, tuple(sorted(spans)), free_from.get(key))
            for key, spans in sorted(doctors.items())
        ),
        today_consult_min=tuple(finished),
        history_consult_min=await _history(session, centre, day),
        checkins_today=tuple(
            estimator.CheckIn(_minutes(t.checked_in_at, midnight), Priority(t.priority))
            for t in today
        ),
        left_unseen_today=sum(1 for t in today if t.status == TicketStatus.LEFT_UNSEEN),
        waits_today_min=tuple(waits),
    )


async def centre_estimate(
    session: AsyncSession, centre: Centre, now: datetime, shifts_today: ShiftsToday
) -> estimator.CentreEstimate:
    return estimator.estimate(await snapshot_of(session, centre, now, shifts_today))


@dataclass(frozen=True)
class _Cached:
    seq: int
    minute: int
    at: datetime
    value: estimator.CentreEstimate


class EstimateCache:
    """The last estimate per centre, reused while nothing changed within the same minute.

    Every queue change bumps the centre's sequence number, so (seq, minute) is a complete key:
    screens and tablets polling the same centre share one computation.
    """

    def __init__(self, shifts_today: ShiftsToday) -> None:
        self._shifts_today = shifts_today
        self._by_centre: dict[int, _Cached] = {}

    async def get(
        self,
        session: AsyncSession,
        centre: Centre,
        now: datetime,
        tolerate: timedelta | None = None,
    ) -> estimator.CentreEstimate:
        """The estimate now; with `tolerate`, any estimate made that recently will do, even
        if the queue changed since (a newcomer's wait barely moves in a few seconds)."""
        minute = int(now.timestamp() // 60)
        cached = self._by_centre.get(centre.id)
        if cached is not None and (
            (cached.seq == centre.event_seq and cached.minute == minute)
            or (tolerate is not None and timedelta(0) <= now - cached.at <= tolerate)
        ):
            return cached.value
        value = await centre_estimate(session, centre, now, self._shifts_today)
        self._by_centre[centre.id] = _Cached(centre.event_seq, minute, now, value)
        return value


async def rota_shifts_today(
    session: AsyncSession, centre: Centre, day: date
) -> Sequence[PlannedShift]:
    """The rota's shifts at the centre that touch the local day, less the doctors' leave."""
    return [
        # A doctor who signs in calls as their account: the same key as their consultations.
        PlannedShift(
            account_key(shift.account_id) if shift.account_id else f"doctor:{shift.doctor_id}",
            start,
            end,
        )
        for shift in await rota_reads.shifts_on_day(session, centre, day)
        for start, end in shift.present
    ]
