"""The yardstick: "same weekday, last four weeks" (pure).

Each hour of a coming day is forecast as the average of that hour on the last four days of the
same weekday before ``as_of``. The demand model has to beat this to be worth its explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from forecast.intervals import count_interval
from forecast.types import CentreForecast, DayDemand, HourDemand, Source

# Local hour -> (standard, urgent) arrivals of one service day (floats for averaged networks).
DayCounts = Mapping[int, tuple[float, float]]
History = Mapping[date, DayCounts]

WEEKS = 4


def same_weekday_days(history: History, day: date, as_of: date, weeks: int = WEEKS) -> list[date]:
    """The last ``weeks`` days with figures of ``day``'s weekday strictly before ``as_of``."""
    back = (as_of - day).days % 7 or 7  # the latest same weekday before as_of
    latest = as_of - timedelta(days=back)
    found: list[date] = []
    probe = latest
    earliest = latest - timedelta(days=7 * (weeks + 8))  # skip a few closed weeks, not years
    while len(found) < weeks and probe >= earliest:
        if history.get(probe):
            found.append(probe)
        probe -= timedelta(days=7)
    return found


def baseline_forecast(
    centre_id: int,
    history: History,
    open_hours: Mapping[date, Sequence[int]],
    as_of: date,
) -> CentreForecast:
    """The same-weekday average for each open hour of the days in ``open_hours``."""
    used = {day: counts for day, counts in history.items() if day < as_of}
    days: list[DayDemand] = []
    for day in sorted(open_hours):
        sample = [used[found] for found in same_weekday_days(used, day, as_of)]
        hours: list[HourDemand] = []
        for hour in open_hours[day]:
            standard = sum(counts.get(hour, (0.0, 0.0))[0] for counts in sample)
            urgent = sum(counts.get(hour, (0.0, 0.0))[1] for counts in sample)
            total = standard + urgent
            mean = total / len(sample) if sample else 0.0
            low, high = count_interval(mean, mean)  # Poisson around the average
            share = urgent / total if total else 0.0
            hours.append(HourDemand(hour, round(mean, 2), low, high, round(share, 3)))
        days.append(DayDemand(day, tuple(hours)))
    return CentreForecast(centre_id, as_of, tuple(days), len(used), Source.CENTRE)
