"""Statistics of a replayed day against counts made directly from its tickets, before and
after the retention purge, and the job run again changes nothing (both tiers)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queues.models import Ticket
from queues.retention import purge
from service.accounts import Role
from service.db import WriteGate
from stats import job
from stats.figures import WAIT_EDGES
from stats.models import DayStats, DoctorDayStats, HourStats
from tests.conftest import World, staff_account
from tests.rows import in_room, waiting_patients
from tests.stats.replayed import replayed_tickets, scenario

pytestmark = pytest.mark.timeout(120)

DAY = date(2026, 10, 11)  # the scenario's Sunday
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 44 days on: past the 30 days' retention
PARIS = ZoneInfo("Europe/Paris")


async def _seed(db: async_sessionmaker[AsyncSession], world: World) -> int:
    centre = world.centres["paris"]
    async with db() as session:
        doctors = [staff_account(f"dr-{n}", Role.DOCTOR, centre) for n in range(3)]
        session.add_all(doctors)
        await session.flush()
        session.add_all(replayed_tickets(scenario(), centre.id, DAY, [d.id for d in doctors]))
        await session.commit()
    return centre.id


async def _tickets(db: async_sessionmaker[AsyncSession], centre_id: int) -> list[Ticket]:
    async with db() as session:
        rows = await session.execute(select(Ticket).where(Ticket.centre_id == centre_id))
        return list(rows.scalars())


def _direct_counts(tickets: list[Ticket]) -> dict[int, Counter[str]]:
    """Counted plainly from the tickets: by hour of check-in, of the call, of the end."""
    hours: dict[int, Counter[str]] = defaultdict(Counter)
    for ticket in tickets:
        joined = hours[ticket.checked_in_at.astimezone(PARIS).hour]
        joined["arrivals"] += 1
        joined[str(ticket.status)] += 1
        if ticket.called_at is not None:
            joined["waits"] += 1
            hours[ticket.called_at.astimezone(PARIS).hour]["called"] += 1
        if ticket.status == "done" and ticket.ended_at is not None:
            hours[ticket.ended_at.astimezone(PARIS).hour]["seen"] += 1
    return hours


async def _stored(db: async_sessionmaker[AsyncSession], centre_id: int) -> job.DayFigures:
    async with db() as session:
        return await job.stored_day(session, centre_id, DAY)


async def _row_ids(db: async_sessionmaker[AsyncSession]) -> set[tuple[str, int]]:
    async with db() as session:
        found: set[tuple[str, int]] = set()
        for table in (HourStats, DayStats, DoctorDayStats):
            ids = (await session.execute(select(table.id))).scalars()
            found |= {(table.__tablename__, row_id) for row_id in ids}
        return found


async def test_replayed_day_statistics_equal_direct_counts_before_and_after_the_purge(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    centre_id = await _seed(db, world)
    gate = WriteGate(enabled=False)
    first = await job.run(db, NOW, gate)
    assert (first.days_computed, first.days_written) == (1, 1)

    tickets = await _tickets(db, centre_id)
    stored = await _stored(db, centre_id)
    direct = _direct_counts(tickets)
    assert set(stored.hours) == set(direct)
    for hour, counts in direct.items():
        figures = stored.hours[hour]
        assert figures.arrivals == counts["arrivals"], hour
        assert figures.left_unseen == counts["left_unseen"], hour
        assert figures.no_shows == counts["no_show"], hour
        assert figures.called == counts["called"], hour
        assert figures.seen == counts["seen"], hour
        assert figures.waits == counts["waits"], hour

    total = stored.total()
    waits = [(t.called_at - t.checked_in_at).total_seconds() / 60 for t in tickets if t.called_at]
    assert total.arrivals == len(tickets) == len(scenario().patients)
    assert total.left_unseen == sum(1 for t in tickets if t.status == "left_unseen") > 0
    assert total.no_shows == sum(1 for t in tickets if t.status == "no_show") > 0
    assert total.wait_sum_min == pytest.approx(sum(waits), abs=0.01)
    # From the histogram, within one bucket of the exact figures.
    for q, exact in ((0.5, statistics.median(waits)), (0.9, statistics.quantiles(waits, n=10)[-1])):
        got = total.median_wait_min if q == 0.5 else total.p90_wait_min
        assert got is not None and abs(got - exact) <= 10, (q, got, exact)
    told = [t for t in tickets if t.called_at and t.told_wait_min is not None]
    errors = [(t.called_at - t.checked_in_at).total_seconds() / 60 - t.told_wait_min for t in told]  # type: ignore[operator]
    assert total.told == len(told) > 0
    assert total.estimate_mae_min == pytest.approx(statistics.fmean(map(abs, errors)), abs=0.06)
    assert total.estimate_bias_min == pytest.approx(statistics.fmean(errors), abs=0.06)
    above = sum(
        1
        for t in told
        if t.told_high_min is not None
        and (t.called_at - t.checked_in_at).total_seconds() / 60 > t.told_high_min  # type: ignore[operator]
    )
    assert total.told_above_high == above
    left_positions = Counter(t.joined_position for t in tickets if t.status == "left_unseen")
    assert {i: n for i, n in enumerate(total.left_positions) if n} == dict(left_positions)
    by_doctor = Counter(t.called_by_id for t in tickets if t.status == "done")
    assert {account: f.seen for account, f in stored.doctors.items()} == dict(by_doctor)
    assert sum(f.calls for f in stored.doctors.values()) == len(waits)
    assert len(WAIT_EDGES) == len(total.wait_hist)

    # The purge erases the patients' data: the tickets still give the same figures.
    ids = await _row_ids(db)
    report = await purge(db, NOW, retention_days=30)
    assert report.tickets_erased == len(tickets)
    assert all(t.label is None and t.phone is None for t in await _tickets(db, centre_id))
    again = await job.run(db, NOW, gate)
    assert (again.days_computed, again.days_written) == (1, 0)
    assert await _row_ids(db) == ids  # nothing rewritten
    assert await _stored(db, centre_id) == stored

    # Recomputable for a day: dropped, then computed again from the purged tickets.
    async with db() as session:
        await session.execute(delete(HourStats).where(HourStats.service_day == DAY))
        await session.commit()
    assert await job.recompute_day(db, centre_id, DAY, NOW, gate)
    assert await _stored(db, centre_id) == stored
    assert not await job.recompute_day(db, centre_id, DAY, NOW, gate)


async def test_a_doctor_in_a_room_who_calls_nobody_counts_as_present(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    centre = world.centres["paris"]
    room = centre.rooms[0]
    async with db() as session:
        doctor = staff_account("dr-quiet", Role.DOCTOR, centre)
        session.add(doctor)
        await session.flush()
        arrived = datetime(2026, 10, 11, 9, 5, tzinfo=PARIS)
        waiting_patients(session, centre.id, DAY, 1, arrived)
        # In the room 10:15-12:20 by the page's beats, then the page went quiet; paused 13h-14h.
        start = datetime(2026, 10, 11, 10, 15, tzinfo=PARIS)
        in_room(session, centre.id, doctor.id, room.id, start, start.replace(hour=12, minute=20))
        pause = datetime(2026, 10, 11, 13, 0, tzinfo=PARIS)
        in_room(session, centre.id, doctor.id, room.id, pause, pause.replace(hour=14), "paused")
        await session.commit()
    async with db() as session:
        figures = await job.compute_day(session, centre, DAY)
    present = {hour: f.doctors_present for hour, f in figures.hours.items() if f.doctors_present}
    assert present == {10: 1, 11: 1, 12: 1}
    assert figures.hours[9].arrivals == 1
