"""Writing a centre's day of statistics from its tickets: idempotent, recomputable.

The figures need only what a ticket keeps after the retention purge (priority, status, times,
the calling doctor's account, what it was told at check-in), so a day computed before the purge
and again after it comes out the same. Each day is replaced as a whole; a day whose figures are
already those stored is left untouched, so re-running the job changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues import reads as queue_reads
from rota import reads as rota_reads
from rota.models import Centre
from service.changes import ChangePath
from service.db import WriteGate
from service.state import shell
from stats.figures import DayFigures, day_figures, planned_hours, present_by_hour
from stats.models import DayStats, DoctorDayStats, HourStats, figure_values

log = logging.getLogger("walkin.stats")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
RUN_EVERY_S = 3600
FIRST_RUN_AFTER_S = 30


async def compute_day(session: AsyncSession, centre: Centre, day: date) -> DayFigures:
    """The day's figures from its tickets and the rota's plan (reads only)."""
    tickets = await queue_reads.anonymous_tickets(session, centre.id, day)
    shifts = await rota_reads.shifts_on_day(session, centre, day)
    spans = [span for shift in shifts for span in shift.present]
    # A finished day: every stretch has ended, or its page went quiet and it ends at its last beat.
    after_the_day = datetime.max.replace(tzinfo=UTC)
    stretches = await queue_reads.presence_stretches(session, centre, day, after_the_day)
    in_rooms = [
        (s.account_id, s.start, s.end)
        for s in stretches
        if s.state == queue_reads.PresenceState.PRESENT and s.end is not None
    ]
    return day_figures(
        tickets,
        centre.tz,
        planned_hours(spans, day, centre.tz),
        present_by_hour(in_rooms, centre.tz),
    )


def _rows(centre_id: int, day: date, figures: DayFigures) -> list[Any]:
    weekday = day.isoweekday()
    rows: list[Any] = [
        HourStats(
            centre_id=centre_id,
            service_day=day,
            hour=hour,
            weekday=weekday,
            **figure_values(values),
        )
        for hour, values in figures.hours.items()
    ]
    if figures.hours:
        rows.append(
            DayStats(
                centre_id=centre_id,
                service_day=day,
                weekday=weekday,
                **figure_values(figures.total()),
            )
        )
    rows += [
        DoctorDayStats(
            account_id=account,
            centre_id=centre_id,
            service_day=day,
            calls=values.calls,
            seen=values.seen,
            consults=values.consults,
            consult_sum_min=values.consult_sum_min,
        )
        for account, values in figures.doctors.items()
    ]
    return rows


async def stored_day(session: AsyncSession, centre_id: int, day: date) -> DayFigures:
    """The figures stored for a centre's day, as day_figures gives them."""
    hours = await session.execute(
        select(HourStats)
        .where(HourStats.centre_id == centre_id, HourStats.service_day == day)
        .order_by(HourStats.hour)
    )
    doctors = await session.execute(
        select(DoctorDayStats)
        .where(DoctorDayStats.centre_id == centre_id, DoctorDayStats.service_day == day)
        .order_by(DoctorDayStats.account_id)
    )
    return DayFigures(
        hours={row.hour: row.figures() for row in hours.scalars()},
        doctors={row.account_id: row.figures() for row in doctors.scalars()},
    )


async def write_day(session: AsyncSession, centre_id: int, day: date, figures: DayFigures) -> bool:
    """Store a centre's day (in the caller's transaction); False when it was already so."""
    if await stored_day(session, centre_id, day) == figures:
        return False
    for table in (HourStats, DayStats, DoctorDayStats):
        await session.execute(
            delete(table).where(table.centre_id == centre_id, table.service_day == day)
        )
    session.add_all(_rows(centre_id, day, figures))
    await session.flush()
    return True


def _values(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key != "id"}


async def bulk_insert(
    session: AsyncSession, days: Iterable[tuple[int, date, DayFigures]], batch: int = 5000
) -> int:
    """Insert many days at once into tables that hold none of them yet (a generated history:
    the demo, the benchmark); executemany in batches. Returns the rows written."""
    pending: dict[type, list[dict[str, Any]]] = {HourStats: [], DayStats: [], DoctorDayStats: []}
    written = 0

    async def flush() -> None:
        for table, values in pending.items():
            if values:
                await session.execute(insert(table), values)
                values.clear()

    for centre_id, day, figures in days:
        for row in _rows(centre_id, day, figures):
            pending[type(row)].append(_values(row))
            written += 1
        if sum(map(len, pending.values())) >= batch:
            await flush()
    await flush()
    return written


@dataclass
class RunReport:
    days_computed: int = 0
    days_written: int = 0


async def recompute_day(
    sessions: SessionFactory, centre_id: int, day: date, now: datetime, gate: WriteGate
) -> bool:
    """Compute and store one centre's day, as one change of the system; True if it changed."""
    async with sessions() as session:
        centre = await session.get(Centre, centre_id)
        if centre is None:
            return False
        figures = await compute_day(session, centre, day)
        # Statistics are derived data, like the purge's daily figures: no audit entry, no event.
        path = ChangePath(session, gate, None, lambda: now)
        async with path.change() as change:
            return await write_day(change.session, centre_id, day, figures)


async def days_due(session: AsyncSession, centre: Centre, now: datetime) -> list[date]:
    """Finished days with tickets from the last day stored on (its late ends included)."""
    last = (
        await session.execute(
            select(func.max(DayStats.service_day)).where(DayStats.centre_id == centre.id)
        )
    ).scalar_one_or_none()
    since = last or await queue_reads.first_ticket_day(session, centre.id)
    if since is None:
        return []
    yesterday = centre.service_day(now) - timedelta(days=1)
    return await queue_reads.ticket_days(session, centre.id, since, yesterday)


async def run(sessions: SessionFactory, now: datetime, gate: WriteGate) -> RunReport:
    """Bring every centre's statistics up to yesterday."""
    report = RunReport()
    async with sessions() as session:
        centres = (await session.execute(select(Centre).order_by(Centre.id))).scalars().all()
        due = {centre.id: await days_due(session, centre, now) for centre in centres}
    for centre_id, days in due.items():
        for day in days:
            report.days_computed += 1
            report.days_written += await recompute_day(sessions, centre_id, day, now, gate)
    return report


@asynccontextmanager
async def stats_schedule(app: Litestar) -> AsyncIterator[None]:
    """Hourly on every replica: idempotent, and cheap once the days are stored."""

    async def loop() -> None:
        await asyncio.sleep(FIRST_RUN_AFTER_S)
        while True:
            state = shell(app)
            try:
                report = await run(state.db.get_session, state.clock(), state.gate)
                if report.days_written:
                    log.info("statistics: %d days written", report.days_written)
            except Exception:
                log.exception("statistics run failed; retrying in an hour")
            await asyncio.sleep(RUN_EVERY_S)

    task = asyncio.create_task(loop(), name="statistics")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
