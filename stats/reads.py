"""What the statistics offer the other features: the history of arrivals and waits.

Other packages read the history through this module only (tests/test_borders.py checks it):
the demand forecast trains on the hourly arrivals, the predicted waits draw consultation
lengths from the days' histograms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from stats.figures import CONSULT_EDGES
from stats.models import DayStats, HourStats

__all__ = [
    "DayArrivals",
    "consult_lengths",
    "hourly_arrivals",
    "network_hourly_arrivals",
]

# Local hour -> (standard, urgent) arrivals of one service day.
DayArrivals = dict[int, tuple[int, int]]


async def hourly_arrivals(
    session: AsyncSession, centre_ids: Collection[int], first: date, last: date
) -> dict[int, dict[date, DayArrivals]]:
    """Each centre's arrivals by service day and local hour in [first, last]; a day without
    a stored hour (closed, or before the centre's statistics began) is absent."""
    if not centre_ids:
        return {}
    # Columns, not entities: a year of one centre is ~5,000 rows.
    rows = await session.execute(
        select(
            HourStats.centre_id,
            HourStats.service_day,
            HourStats.hour,
            HourStats.arrivals_standard,
            HourStats.arrivals_urgent,
        ).where(
            HourStats.centre_id.in_(list(centre_ids)),
            HourStats.service_day >= first,
            HourStats.service_day <= last,
        )
    )
    found: dict[int, dict[date, DayArrivals]] = defaultdict(lambda: defaultdict(dict))
    for centre_id, day, hour, standard, urgent in rows.tuples():
        found[centre_id][day][hour] = (standard, urgent)
    return {centre: dict(sorted(days.items())) for centre, days in found.items()}


async def network_hourly_arrivals(
    session: AsyncSession, first: date, last: date
) -> dict[date, dict[int, tuple[float, float]]]:
    """The network's average centre-day: arrivals by day and hour, divided by the centres
    that have figures that day (so that a centre joining does not look like growth)."""
    totals = await session.execute(
        select(
            HourStats.service_day,
            HourStats.hour,
            func.sum(HourStats.arrivals_standard),
            func.sum(HourStats.arrivals_urgent),
        )
        .where(HourStats.service_day >= first, HourStats.service_day <= last)
        .group_by(HourStats.service_day, HourStats.hour)
    )
    counts = await session.execute(
        select(HourStats.service_day, func.count(func.distinct(HourStats.centre_id)))
        .where(HourStats.service_day >= first, HourStats.service_day <= last)
        .group_by(HourStats.service_day)
    )
    centres_on = {day: int(count) for day, count in counts.tuples()}
    found: dict[date, dict[int, tuple[float, float]]] = defaultdict(dict)
    for day, hour, standard, urgent in totals.tuples():
        size = centres_on.get(day) or 1
        found[day][int(hour)] = (float(standard or 0) / size, float(urgent or 0) / size)
    return dict(sorted(found.items()))


# Consultation lengths handed out at most: enough for the shape, bounded for a year of history.
CONSULT_SAMPLE = 500


async def consult_lengths(
    session: AsyncSession, centre_id: int, first: date, last: date
) -> tuple[float, ...]:
    """The centre's consultation lengths over [first, last], rebuilt from the days' histograms
    (the tickets themselves are purged): bucket middles, each as often as its share of the
    consultations, at most CONSULT_SAMPLE of them; empty without history."""
    rows = await session.execute(
        select(DayStats.consult_hist).where(
            DayStats.centre_id == centre_id,
            DayStats.service_day >= first,
            DayStats.service_day <= last,
        )
    )
    total = [0] * len(CONSULT_EDGES)
    for (hist,) in rows.tuples():
        for index, count in enumerate(hist[: len(total)]):
            total[index] += count
    seen = sum(total)
    if not seen:
        return ()
    scale = min(1.0, CONSULT_SAMPLE / seen)
    lengths: list[float] = []
    for index, count in enumerate(total):
        low = CONSULT_EDGES[index]
        high = CONSULT_EDGES[index + 1] if index + 1 < len(CONSULT_EDGES) else low + 10
        lengths.extend([max(0.5, (low + high) / 2)] * round(count * scale))
    return tuple(lengths)
