"""Reading the statistics tables for the pages: a few grouped queries per page.

Period pages read the day rows (one per centre-day: a year of 26 centres is ~9,500 rows) and
add their histograms up in Python; only the hour × weekday heatmap reads hour rows, grouped
in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stats.figures import Figures
from stats.models import DayStats, DoctorDayStats, HourStats
from stats.periods import Period, week_start

CentreIds = Collection[int] | None  # None: every centre
_FIGURE_COLUMNS = [getattr(DayStats, spec.name) for spec in fields(Figures)]


async def hours_of(session: AsyncSession, centre_id: int, period: Period) -> dict[int, Figures]:
    """A centre's figures by local hour, added up over the period."""
    rows = await session.execute(
        select(HourStats).where(
            HourStats.centre_id == centre_id,
            HourStats.service_day >= period.first,
            HourStats.service_day <= period.last,
        )
    )
    hours: dict[int, Figures] = defaultdict(Figures)
    for row in rows.scalars():
        hours[row.hour].add(row.figures())
    return dict(sorted(hours.items()))


async def days_of(
    session: AsyncSession, centres: CentreIds, period: Period
) -> dict[int, dict[date, Figures]]:
    """Each centre's figures by day over the period (centres without data are absent)."""
    # Columns, not entities: building 10,000 ORM objects took most of a year's page.
    query = select(DayStats.centre_id, DayStats.service_day, *_FIGURE_COLUMNS).where(
        DayStats.service_day >= period.first, DayStats.service_day <= period.last
    )
    if centres is not None:
        query = query.where(DayStats.centre_id.in_(list(centres)))
    found: dict[int, dict[date, Figures]] = defaultdict(dict)
    for centre_id, day, *values in (await session.execute(query)).tuples():
        found[centre_id][day] = Figures(*values)
    return {centre: dict(sorted(days.items())) for centre, days in found.items()}


def by_week(days: dict[date, Figures]) -> dict[date, Figures]:
    """Days added up by ISO week (keyed by its Monday)."""
    weeks: dict[date, Figures] = defaultdict(Figures)
    for day, figures in days.items():
        weeks[week_start(day)].add(figures)
    return dict(sorted(weeks.items()))


@dataclass(frozen=True)
class HeatCell:
    arrivals: int
    centre_days: int  # centre-days open in that hour
    waits: int
    wait_sum_min: float

    @property
    def mean_arrivals(self) -> float:
        return round(self.arrivals / self.centre_days, 1) if self.centre_days else 0.0

    @property
    def mean_wait_min(self) -> float | None:
        return round(self.wait_sum_min / self.waits, 1) if self.waits else None


async def heatmap(
    session: AsyncSession, centres: CentreIds, period: Period
) -> dict[tuple[int, int], HeatCell]:
    """(ISO weekday, local hour) -> arrivals per open centre-day and the mean wait."""
    query = (
        select(
            HourStats.weekday,
            HourStats.hour,
            func.sum(HourStats.arrivals_standard + HourStats.arrivals_urgent),
            func.count(HourStats.id),
            func.sum(HourStats.waits),
            func.sum(HourStats.wait_sum_min),
        )
        .where(HourStats.service_day >= period.first, HourStats.service_day <= period.last)
        .group_by(HourStats.weekday, HourStats.hour)
    )
    if centres is not None:
        query = query.where(HourStats.centre_id.in_(list(centres)))
    return {
        (int(weekday), int(hour)): HeatCell(int(arrivals), int(count), int(waits), float(total))
        for weekday, hour, arrivals, count, waits, total in (await session.execute(query)).all()
    }


@dataclass(frozen=True)
class DoctorDay:
    centre_id: int
    day: date
    calls: int
    seen: int
    consults: int
    consult_sum_min: float


async def doctor_days(session: AsyncSession, account_id: int, period: Period) -> list[DoctorDay]:
    rows = await session.execute(
        select(DoctorDayStats)
        .where(
            DoctorDayStats.account_id == account_id,
            DoctorDayStats.service_day >= period.first,
            DoctorDayStats.service_day <= period.last,
        )
        .order_by(DoctorDayStats.service_day, DoctorDayStats.centre_id)
    )
    return [
        DoctorDay(r.centre_id, r.service_day, r.calls, r.seen, r.consults, r.consult_sum_min)
        for r in rows.scalars()
    ]
