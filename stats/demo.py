"""A generated history for the demo and the benchmark: weeks of plausible centre days.

The figures are computed by the same ``day_figures`` as real days, from generated anonymous
tickets (nothing is stored of them): arrivals follow the walk-in day's shape (a morning peak,
a quieter lunch, an evening rise; more on weekends and holidays), waits grow when arrivals
outrun the doctors on duty, the longest waits lose patients, and the posted estimate is the
actual wait give or take the estimator's usual error.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import reads as rota_reads
from rota.models import Centre
from stats.figures import DayFigures, day_figures, planned_hours
from stats.job import bulk_insert
from stats.models import DayStats

# Share of a day's arrivals per local hour, 08:00-21:59 (closed hours get none).
HOUR_SHAPE = {
    8: 1.4, 9: 1.5, 10: 1.3, 11: 1.1, 12: 0.8, 13: 0.8, 14: 0.9,
    15: 0.9, 16: 1.0, 17: 1.1, 18: 1.2, 19: 1.0, 20: 0.6, 21: 0.4,
}  # fmt: skip
CONSULT_MEAN_MIN = 13.0


@dataclass(frozen=True)
class DemoTicket:
    priority: str
    status: str
    checked_in_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    called_by_id: int | None
    told_wait_min: float | None
    told_high_min: float | None
    joined_position: int | None


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is fine for the small hourly means here.
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate_day(
    rng: random.Random,
    day: date,
    tz: ZoneInfo,
    open_hours: Sequence[int],
    patients_per_day: float,
    doctors_by_hour: dict[int, float],
    caller_at: Callable[[int, datetime], int | None],
) -> list[DemoTicket]:
    """One day's anonymous tickets at a centre. ``doctors_by_hour``: doctors on duty per hour
    (the rota's or a plausible one); ``caller_at(room, instant)``: who called from that room."""
    weekend = day.isoweekday() >= 6
    scale = patients_per_day * (1.25 if weekend else 1.0) / sum(HOUR_SHAPE[h] for h in open_hours)
    midnight = datetime.combine(day, time(0), tz)
    closing = midnight + timedelta(hours=max(open_hours) + 1)
    doctor_free: list[datetime] = []
    tickets: list[DemoTicket] = []
    waiting_ahead = 0
    for hour in open_hours:
        doctors = max(1, round(doctors_by_hour.get(hour, 0) or patients_per_day / 40))
        while len(doctor_free) < doctors:
            doctor_free.append(midnight + timedelta(hours=hour))
        del doctor_free[doctors:]
        count = _poisson(rng, scale * HOUR_SHAPE[hour])
        for second in sorted(rng.uniform(0, 3599) for _ in range(count)):
            arrived = midnight + timedelta(hours=hour, seconds=second)
            urgent = rng.random() < 0.08
            slot = min(range(len(doctor_free)), key=doctor_free.__getitem__)
            called = max(arrived, doctor_free[slot]) + timedelta(minutes=rng.uniform(0.5, 3))
            wait = (called - arrived).total_seconds() / 60
            if urgent:  # seen first, by whoever is free next
                called = arrived + timedelta(minutes=rng.uniform(1, 10))
                wait = (called - arrived).total_seconds() / 60
            told = max(0.0, wait * rng.uniform(0.75, 1.3) + rng.gauss(0, 5))
            told_high = told * 1.4 + 10
            position = min(25, max(0, round(waiting_ahead * rng.uniform(0.6, 1.0))))
            caller = caller_at(slot, called)

            def ticket(
                status: str,
                called_at: datetime | None,
                ended_at: datetime,
                by: int | None,
                *,
                arrived: datetime = arrived,
                urgent: bool = urgent,
                told: float = told,
                told_high: float = told_high,
                position: int = position,
            ) -> DemoTicket:
                return DemoTicket(
                    priority="urgent" if urgent else "standard",
                    status=status,
                    checked_in_at=arrived,
                    called_at=called_at,
                    started_at=called_at if status == "done" else None,
                    ended_at=ended_at,
                    called_by_id=by,
                    told_wait_min=round(told, 1),
                    told_high_min=round(told_high, 1),
                    joined_position=position,
                )

            if called > closing + timedelta(minutes=30) or rng.random() < min(0.4, wait / 400):
                left = arrived + timedelta(minutes=min(wait, 90))
                tickets.append(ticket("left_unseen", None, left, None))
            elif rng.random() < 0.03:
                doctor_free[slot] = called + timedelta(minutes=3)
                tickets.append(ticket("no_show", called, doctor_free[slot], caller))
            else:
                length = max(4.0, rng.lognormvariate(math.log(CONSULT_MEAN_MIN), 0.4))
                ended = called + timedelta(minutes=length)
                doctor_free[slot] = ended + timedelta(minutes=1)
                tickets.append(ticket("done", called, ended, caller))
        busy = sum(1 for free in doctor_free if free > midnight + timedelta(hours=hour + 1))
        waiting_ahead = max(0, busy * 2 + rng.randint(-2, 3))
    return tickets


def demo_day_figures(
    rng: random.Random,
    day: date,
    tz: ZoneInfo,
    open_hours: Sequence[int],
    patients_per_day: float,
    spans: Sequence[tuple[datetime, datetime]] = (),
    accounts: Mapping[int, Sequence[tuple[datetime, datetime]]] | None = None,
) -> DayFigures:
    """A generated day's figures; without the rota's ``spans``, a plausible plan. A doctor
    with a staff account (``accounts``: their present spans) calls from the first rooms while
    on duty; the other calls are by doctors without one (not kept per doctor)."""
    planned = planned_hours(spans, day, tz) if spans else {}
    if not planned:
        planned = {
            hour: float(max(1, round(patients_per_day * HOUR_SHAPE[hour] / 55)))
            for hour in open_hours
        }
    on_duty = sorted((accounts or {}).items())

    def caller_at(room: int, when: datetime) -> int:
        if room < len(on_duty):
            account, present = on_duty[room]
            if any(start <= when < end for start, end in present):
                return account
        return -1 - room  # negative: no account, counted as present, not stored

    tickets = generate_day(rng, day, tz, open_hours, patients_per_day, planned, caller_at)
    figures = day_figures(tickets, tz, planned)
    doctors = {account: f for account, f in figures.doctors.items() if account > 0}
    return DayFigures(figures.hours, doctors)


HISTORY_DAYS = 42  # six weeks: a month page, week-over-week trends, the heatmaps
FORECAST_WEEKS = 8  # the demand forecast's own history before the month it is compared on


def history_days(today: date) -> int:
    """Days of generated history: six weeks, and at least the previous month with eight weeks
    before it (the comparison of a past month with its forecast made on its first day)."""
    previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return max(HISTORY_DAYS, (today - previous_month).days + 7 * FORECAST_WEEKS)


def patients_per_day(slug: str) -> float:
    """A centre's usual day, 100 to 250 patients, the same for the same centre."""
    return 100 + random.Random(slug).random() * 150


def open_local_hours(opening: rota_reads.DayOpening) -> list[int]:
    tz = ZoneInfo(opening.time_zone)
    hours: set[int] = set()
    for span in opening.intervals:
        at = span.start
        while at < span.end:
            hours.add(at.astimezone(tz).hour)
            at += timedelta(hours=1)
    return sorted(h for h in hours if h in HOUR_SHAPE)


async def seed_history(session: AsyncSession, now: datetime) -> None:
    """The demo's past weeks of statistics at every centre, unless some are stored already;
    written in the caller's transaction. Days the rota covers use its shifts, and the calls
    of a doctor with an account (the demo's) are theirs."""
    if (await session.execute(select(func.count(DayStats.id)))).scalar_one():
        return
    centres = list((await session.execute(select(Centre).order_by(Centre.id))).scalars())
    days = []
    for back in range(history_days(now.date()), 0, -1):
        day = now.date() - timedelta(days=back)
        openings = await rota_reads.opening_hours(session, centres, day)
        for centre in centres:
            hours = open_local_hours(openings[centre.id])
            if not hours:
                continue
            shifts = await rota_reads.shifts_on_day(session, centre, day)
            spans = [span for shift in shifts for span in shift.present]
            accounts: dict[int, list[tuple[datetime, datetime]]] = {}
            for shift in shifts:
                if shift.account_id is not None:
                    accounts.setdefault(shift.account_id, []).extend(shift.present)
            rng = random.Random(f"{centre.slug}:{day.isoformat()}")
            size = patients_per_day(centre.slug) * (1.3 if _holiday(centre, day) else 1.0)
            figures = demo_day_figures(rng, day, centre.tz, hours, size, spans, accounts)
            days.append((centre.id, day, figures))
    await bulk_insert(session, days)


def _holiday(centre: Centre, day: date) -> bool:
    return day in rota_reads.centre_holidays(centre, day, day)
