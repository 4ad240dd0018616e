"""Erasing patient data after the network's retention period, keeping anonymous statistics.

Once a ticket's service day is more than WALKIN_RETENTION_DAYS old, its label (initials or
first name), phone, the tablet's idempotency key and the free-text reason for moving it are
erased. Before that, the day's anonymous figures are written to DailyCentreStats. The figures
are computed from what a ticket keeps (priority, status, times), so running the purge again
writes the same figures: it is safe to run from every replica, hourly, and from the CLI.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import JsonB
from litestar import Litestar
from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Integer,
    UniqueConstraint,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from notify.reads import erase_recipients
from queues.models import Ticket
from queues.states import TicketStatus
from rota.models import Centre
from service.changes import Change, ChangePath
from service.db import WriteGate
from service.state import shell

log = logging.getLogger("walkin.queues")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
PURGE_EVERY_S = 3600
FIRST_PURGE_AFTER_S = 60  # let the replica settle after start-up first
PERSONAL_COLUMNS = (
    Ticket.label,
    Ticket.phone,
    Ticket.client_key,
    Ticket.head_reason,
    # The patient's phone: a Web Push subscription and the joining device's digest.
    Ticket.push_subscription,
    Ticket.device_hash,
)


class DailyCentreStats(BigIntBase):
    """One centre's day in figures, with nothing about any patient."""

    __tablename__ = "daily_centre_stats"
    __table_args__ = (UniqueConstraint("centre_id", "service_day", name="uq_daily_stats_day"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    tickets: Mapped[int] = mapped_column(Integer)
    # {"standard": {"done": 120, "no_show": 4, ...}, "urgent": {...}}: final status by priority.
    by_priority_status: Mapped[dict[str, dict[str, int]]] = mapped_column(JsonB)
    left_unseen: Mapped[int] = mapped_column(Integer)
    # Minutes from check-in to the call, for patients who were called; consultation minutes
    # from start (or the call, when the doctor did not press start) to the end.
    mean_wait_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    median_wait_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    mean_consultation_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    median_consultation_min: Mapped[float | None] = mapped_column(Float, nullable=True)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60


def _mean_median(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return round(statistics.fmean(values), 2), round(statistics.median(values), 2)


def day_figures(tickets: Sequence[Ticket]) -> dict[str, Any]:
    """The anonymous figures of one centre's day (plain: testable without a database)."""
    by_priority: dict[str, Counter[str]] = {}
    waits: list[float] = []
    consultations: list[float] = []
    for ticket in tickets:
        by_priority.setdefault(str(ticket.priority), Counter())[str(ticket.status)] += 1
        wait = _minutes(ticket.checked_in_at, ticket.called_at or ticket.started_at)
        if wait is not None:
            waits.append(wait)
        if ticket.status == TicketStatus.DONE:
            consultation = _minutes(ticket.started_at or ticket.called_at, ticket.ended_at)
            if consultation is not None:
                consultations.append(consultation)
    mean_wait, median_wait = _mean_median(waits)
    mean_consultation, median_consultation = _mean_median(consultations)
    return {
        "tickets": len(tickets),
        "by_priority_status": {p: dict(sorted(c.items())) for p, c in sorted(by_priority.items())},
        "left_unseen": sum(1 for t in tickets if t.status == TicketStatus.LEFT_UNSEEN),
        "mean_wait_min": mean_wait,
        "median_wait_min": median_wait,
        "mean_consultation_min": mean_consultation,
        "median_consultation_min": median_consultation,
    }


@dataclass
class PurgeReport:
    days_summarised: int = 0
    tickets_erased: int = 0


async def _days_to_summarise(session: AsyncSession, centre_id: int, cutoff: date) -> list[date]:
    """Past days with personal data still present, or without figures yet."""
    has_personal = or_(*(column.is_not(None) for column in PERSONAL_COLUMNS))
    summarised = select(DailyCentreStats.service_day).where(DailyCentreStats.centre_id == centre_id)
    rows = await session.execute(
        select(Ticket.service_day)
        .where(
            Ticket.centre_id == centre_id,
            Ticket.service_day < cutoff,
            or_(has_personal, Ticket.service_day.not_in(summarised)),
        )
        .distinct()
        .order_by(Ticket.service_day)
    )
    return list(rows.scalars().all())


async def _write_figures(session: AsyncSession, centre_id: int, day: date) -> None:
    tickets = (
        (
            await session.execute(
                select(Ticket).where(Ticket.centre_id == centre_id, Ticket.service_day == day)
            )
        )
        .scalars()
        .all()
    )
    # Replace rather than upsert: the same figures come out, on SQLite and PostgreSQL alike.
    await session.execute(
        delete(DailyCentreStats).where(
            DailyCentreStats.centre_id == centre_id, DailyCentreStats.service_day == day
        )
    )
    session.add(DailyCentreStats(centre_id=centre_id, service_day=day, **day_figures(tickets)))


async def purge_centre(
    change: Change, centre: Centre, now: datetime, retention_days: int
) -> PurgeReport:
    """Summarise, then erase, one centre's expired days, in the caller's change."""
    session = change.session
    cutoff = centre.service_day(now) - timedelta(days=retention_days)
    report = PurgeReport()
    for day in await _days_to_summarise(session, centre.id, cutoff):
        await _write_figures(session, centre.id, day)
        report.days_summarised += 1
    erased = await session.execute(
        update(Ticket)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day < cutoff,
            or_(*(column.is_not(None) for column in PERSONAL_COLUMNS)),
        )
        .values({column.key: None for column in PERSONAL_COLUMNS})
    )
    report.tickets_erased = int(getattr(erased, "rowcount", 0) or 0)
    if report.tickets_erased:
        await change.audit(
            "ticket",
            None,
            "purge",
            centre_id=centre.id,
            after={"erased_tickets": report.tickets_erased, "before_day": cutoff.isoformat()},
        )
    return report


async def purge(
    sessions: SessionFactory, now: datetime, retention_days: int, gate: WriteGate | None = None
) -> PurgeReport:
    total = PurgeReport()
    async with sessions() as session:
        centres = (await session.execute(select(Centre).order_by(Centre.id))).scalars().all()
    for centre in centres:
        # One change per centre, by the system (no actor); nothing live changes: no event.
        async with sessions() as session:
            path = ChangePath(session, gate or WriteGate(enabled=False), None, lambda: now)
            async with path.change() as change:
                report = await purge_centre(change, centre, now, retention_days)
        total.days_summarised += report.days_summarised
        total.tickets_erased += report.tickets_erased
    # The outbox keeps numbers only until a message is settled; anything older still goes.
    async with sessions() as session:
        path = ChangePath(session, gate or WriteGate(enabled=False), None, lambda: now)
        async with path.change():
            await erase_recipients(session, now - timedelta(days=retention_days))
    return total


@asynccontextmanager
async def purge_schedule(app: Litestar) -> AsyncIterator[None]:
    """The hourly purge, on every replica (it is idempotent, and cheap when nothing expired)."""

    async def run() -> None:
        await asyncio.sleep(FIRST_PURGE_AFTER_S)
        while True:
            state = shell(app)
            try:
                report = await purge(
                    state.db.get_session,
                    state.clock(),
                    state.settings.retention_days,
                    state.gate,
                )
                if report.tickets_erased:
                    log.info(
                        "retention purge: %d tickets erased, %d days summarised",
                        report.tickets_erased,
                        report.days_summarised,
                    )
            except Exception:
                log.exception("retention purge failed; retrying in an hour")
            await asyncio.sleep(PURGE_EVERY_S)

    task = asyncio.create_task(run(), name="retention-purge")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
