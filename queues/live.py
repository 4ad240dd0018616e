"""Live wait estimates: the database's view of a centre turned into the estimator's snapshot.

The estimator (queues/estimator.py) is pure; this module gathers what the service knows at a
moment: the queue, the consultations under way, today's rota, today's finished consultations,
the centre's recent history, and how many patients left unseen.
"""

from __future__ import annotations

import asyncio
import math
import time as _time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues import estimator
from queues.models import Ticket
from queues.ordering import Priority
from queues.presence import PresenceState, PresenceStretch, stretches_of_day
from queues.states import TicketStatus
from rota import reads as rota_reads
from rota.models import Centre
from service.metrics import ESTIMATE_SECONDS

# Minutes between the end of a consultation and the doctor's next call.
TURNOVER_MIN = 1.0
HISTORY_DAYS = 14
HISTORY_LIMIT = 600
# A doctor calling without reporting presence counts as present while their last call or
# consultation end is this recent (longer than nearly every consultation).
CALLING_WITHOUT_PAGE = timedelta(minutes=45)


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


@dataclass(frozen=True, slots=True)
class _DayTicket:
    """What the estimate needs of one of today's tickets (not the whole row: thousands of
    ORM objects a day would cost the event loop more than the estimate itself)."""

    id: int
    priority: str
    status: str
    checked_in_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    called_by_id: int | None


# Work between two returns to the event loop while estimating (the goal: never block it 20 ms).
# A task waking behind a slice may wait for two of them (the estimate's next step is ahead of
# it in the loop's ready queue) plus a pass of the collector: 5 ms slices gave 22 ms at 7,567
# waiting (bench/bench_estimator.py --loop).
SLICE_S = 0.002

# Rows read between two returns to the event loop: the result processing of a large day
# (thousands of tickets, their instants converted one by one) stays in slices of a few ms.
ROWS_PER_SLICE = 250


async def _tickets_of_day(session: AsyncSession, centre: Centre, day: date) -> list[_DayTicket]:
    columns = (
        Ticket.id,
        Ticket.priority,
        Ticket.status,
        Ticket.checked_in_at,
        Ticket.queued_at,
        Ticket.called_at,
        Ticket.started_at,
        Ticket.ended_at,
        Ticket.called_by_id,
    )
    result = await session.stream(
        select(*columns)
        .where(Ticket.centre_id == centre.id, Ticket.service_day == day)
        .execution_options(yield_per=ROWS_PER_SLICE)
    )
    tickets: list[_DayTicket] = []
    async for rows in result.partitions(ROWS_PER_SLICE):
        tickets.extend(_DayTicket(*row) for row in rows)
        await asyncio.sleep(0)
    return tickets


def _consult_min(ticket: _DayTicket) -> float | None:
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


@dataclass(frozen=True)
class _DayFacts:
    """What the database says of a centre's day at ``now``, read on the event loop; turning it
    into a snapshot (``_snapshot``) is done in slices, handing the loop back between them."""

    now: datetime
    midnight: datetime
    opens: float
    closes: float
    today: Sequence[_DayTicket]
    shifts: Sequence[PlannedShift]
    stretches: Sequence[PresenceStretch]
    history: tuple[float, ...]


async def _day_facts(
    session: AsyncSession, centre: Centre, now: datetime, shifts_today: ShiftsToday
) -> _DayFacts:
    day = centre.service_day(now)
    midnight = datetime.combine(day, time(0), centre.tz).astimezone(UTC)
    # The rota's hours: a public holiday's own hours or an exceptional closure count here too.
    opening = (await rota_reads.opening_hours(session, [centre], day))[centre.id]
    return _DayFacts(
        now=now,
        midnight=midnight,
        opens=_minutes(opening.opens, midnight) if opening.opens else 0.0,
        closes=_minutes(opening.closes, midnight) if opening.closes else 0.0,
        today=await _tickets_of_day(session, centre, day),
        shifts=await shifts_today(session, centre, day),
        stretches=await stretches_of_day(session, centre, day, now),
        history=await _history(session, centre, day),
    )


async def snapshot_of(
    session: AsyncSession, centre: Centre, now: datetime, shifts_today: ShiftsToday
) -> estimator.CentreSnapshot:
    return await _snapshot(await _day_facts(session, centre, now, shifts_today))


class _Slicer:
    """Hands the event loop back once ``SLICE_S`` of work has gone by since it last did."""

    def __init__(self) -> None:
        self.since = _time.perf_counter()

    async def pause(self) -> None:
        if _time.perf_counter() - self.since >= SLICE_S:
            await asyncio.sleep(0)
            self.since = _time.perf_counter()


async def _snapshot(facts: _DayFacts, slicer: _Slicer | None = None) -> estimator.CentreSnapshot:
    slicer = slicer or _Slicer()
    now, midnight, opens, closes, today = (
        facts.now,
        facts.midnight,
        facts.opens,
        facts.closes,
        facts.today,
    )
    doctors: dict[str, list[tuple[float, float]]] = {}
    for shift in facts.shifts:
        doctors.setdefault(shift.doctor_key, []).append(
            (_minutes(shift.start, midnight), _minutes(shift.end, midnight))
        )
    planned = bool(doctors)
    free_from: dict[str, float] = {}
    consultations: list[estimator.Consultation] = []
    finished: list[float] = []
    waits: list[float] = []
    waiting: list[estimator.WaitingPatient] = []
    checkins: list[estimator.CheckIn] = []
    left = 0
    for n, ticket in enumerate(today):
        if n % 100 == 0:
            await slicer.pause()
        key = account_key(ticket.called_by_id)
        checked_in = _minutes(ticket.checked_in_at, midnight)
        checkins.append(estimator.CheckIn(checked_in, Priority(ticket.priority)))
        # Remote patients not arrived yet keep their place in the simulation: they are in
        # line, and most arrive in time.
        if ticket.status in (TicketStatus.WAITING, TicketStatus.NOT_ARRIVED):
            waiting.append(
                estimator.WaitingPatient(
                    str(ticket.id), Priority(ticket.priority), _minutes(ticket.queued_at, midnight)
                )
            )
            continue
        if ticket.status == TicketStatus.LEFT_UNSEEN:
            left += 1
        if ticket.called_by_id is not None and not planned:
            # No rota for today at this centre: the best guess is that whoever has been calling
            # today goes on until closing. Without even that, the wait is unknown (infinite).
            doctors.setdefault(key, [(float(opens), float(closes))])
        if ticket.called_at is not None:
            waits.append(max(0.0, _minutes(ticket.called_at, midnight) - checked_in))
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

    present, paused = _presence(facts)
    for key in present:
        doctors.setdefault(key, [])  # in a room without a planned shift: a stand-in
    await slicer.pause()
    return estimator.CentreSnapshot(
        now=_minutes(now, midnight),
        opens=float(opens),
        closes=float(closes),
        turnover_min=TURNOVER_MIN,
        waiting=tuple(waiting),
        consultations=tuple(consultations),
        doctors=tuple(
            estimator.DoctorDay(
                key,
                tuple(sorted(spans)),
                free_from.get(key),
                present=tuple(present.get(key, ())),
                paused_since=paused.get(key),
                # A rota doctor without an account cannot open a room: calls as planned.
                tracked=key.startswith("account:"),
            )
            for key, spans in sorted(doctors.items())
        ),
        today_consult_min=tuple(finished),
        history_consult_min=facts.history,
        checkins_today=tuple(checkins),
        left_unseen_today=left,
        waits_today_min=tuple(waits),
        presence_known=True,
    )


def _presence(facts: _DayFacts) -> tuple[dict[str, list[tuple[float, float]]], dict[str, float]]:
    """Each doctor's stretches in a room today (minutes; infinite end: under way) and when
    those who paused did. A doctor who calls without the consulting-room page (another
    client of the API) is present from their first call today while they keep calling."""
    midnight = facts.midnight
    present: dict[str, list[tuple[float, float]]] = {}
    paused: dict[str, float] = {}
    tracked: set[str] = set()
    for stretch in facts.stretches:
        key = account_key(stretch.account_id)
        tracked.add(key)
        start = _minutes(stretch.start, midnight)
        end = math.inf if stretch.end is None else _minutes(stretch.end, midnight)
        paused.pop(key, None)
        if stretch.state == PresenceState.PAUSED:
            if stretch.end is None:
                paused[key] = start
            continue
        spans = present.setdefault(key, [])
        if spans and spans[-1][1] >= start:  # moved rooms: one presence
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    calls: dict[str, list[datetime]] = {}
    for ticket in facts.today:
        if ticket.called_by_id is not None and ticket.called_at is not None:
            calls.setdefault(account_key(ticket.called_by_id), []).append(
                ticket.ended_at or ticket.called_at
            )
    for key, times in calls.items():
        if key not in tracked and facts.now - max(times) <= CALLING_WITHOUT_PAGE:
            present[key] = [(_minutes(min(times), midnight), math.inf)]
    return present, paused


async def centre_estimate(
    session: AsyncSession, centre: Centre, now: datetime, shifts_today: ShiftsToday
) -> estimator.CentreEstimate:
    """The centre's estimate now, computed on the event loop in slices of at most ``SLICE_S``
    of work: its cost grows with the day (2,500 waiting took 156 ms in one go), and the loop
    serves screens and tablets in between. Not a worker thread: pure Python there still holds
    the interpreter lock, and under load the loop then waited 40-200 ms to get it back
    (bench/bench_estimator.py). The work is bounded too: fewer simulated days for long queues
    (``estimator.runs_for``)."""
    slicer = _Slicer()
    snapshot = await _snapshot(await _day_facts(session, centre, now, shifts_today), slicer)
    steps = estimator.estimate_steps(snapshot, estimator.runs_for(len(snapshot.waiting)))
    while True:
        try:
            # The metric counts the estimate's own work, not the pauses that yield the loop.
            with ESTIMATE_SECONDS.time():
                next(steps)
        except StopIteration as done:
            result: estimator.CentreEstimate = done.value
            return result
        await slicer.pause()


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
        self._pending: dict[tuple[int, int, int], asyncio.Future[estimator.CentreEstimate]] = {}

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
        # One computation per centre and key at a time: screens, tablets and the public board
        # asking together wait for the same one.
        key = (centre.id, centre.event_seq, minute)
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(
                centre_estimate(session, centre, now, self._shifts_today)
            )
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        value = await asyncio.shield(pending)
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
