"""What the forecast offers the other features: the demand forecast of centres over days.

The rota's predicted waits replay each centre-day with these arrivals; the comparison pages
put them next to what happened.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forecast.demand import MIN_HISTORY_DAYS, YEAR, forecast_centre
from forecast.types import CentreForecast
from rota import reads as rota_reads
from rota.models import Centre
from stats import reads as stats_reads

__all__ = ["HISTORY_DAYS", "MAX_FORECAST_DAYS", "demand_forecasts", "open_local_hours"]

# A year and five weeks back: last year's same weeks and the month before them (the season).
HISTORY_DAYS = YEAR + 35 + 7
MAX_FORECAST_DAYS = 92  # a quarter: past that the forecast is last year's shape and little else


def open_local_hours(opening: rota_reads.DayOpening) -> list[int]:
    """The local wall-clock hours the centre is open at some moment of (an 08:30 opening
    counts the 8 o'clock hour: its patients arrive in it)."""
    tz = ZoneInfo(opening.time_zone)
    hours: set[int] = set()
    for span in opening.intervals:
        at = span.start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        while at < span.end:
            hours.add(at.astimezone(tz).hour)
            at += timedelta(hours=1)
    return sorted(hours)


async def _open_hours(
    session: AsyncSession, centres: Sequence[Centre], first: date, last: date
) -> dict[int, dict[date, list[int]]]:
    found: dict[int, dict[date, list[int]]] = {centre.id: {} for centre in centres}
    day = first
    while day <= last:
        for centre_id, opening in (await rota_reads.opening_hours(session, centres, day)).items():
            found[centre_id][day] = open_local_hours(opening)
        day += timedelta(days=1)
    return found


async def demand_forecasts(
    session: AsyncSession,
    centre_ids: Collection[int],
    first: date,
    last: date,
    *,
    as_of: date,
) -> dict[int, CentreForecast]:
    """Each centre's forecast of arrivals for its open hours of [first, last], trained on the
    service days strictly before ``as_of`` (a past ``as_of`` gives the forecast as it would
    have been made then). Unknown centre ids are left out."""
    if first > last:
        raise ValueError("first comes after last")
    if (last - first).days + 1 > MAX_FORECAST_DAYS:
        raise ValueError(f"at most {MAX_FORECAST_DAYS} days at a time")
    centres = list(
        (
            await session.execute(
                select(Centre).where(Centre.id.in_(list(centre_ids))).order_by(Centre.id)
            )
        ).scalars()
    )
    if not centres:
        return {}
    since = as_of - timedelta(days=HISTORY_DAYS)
    until = as_of - timedelta(days=1)
    history = await stats_reads.hourly_arrivals(session, [c.id for c in centres], since, until)
    network: dict[date, dict[int, tuple[float, float]]] = {}
    if any(len(history.get(c.id, {})) < MIN_HISTORY_DAYS for c in centres):
        network = await stats_reads.network_hourly_arrivals(session, since, until)
    open_hours = await _open_hours(session, centres, first, last)
    return {
        centre.id: forecast_centre(
            centre.id,
            history.get(centre.id, {}),
            network,
            open_hours[centre.id],
            rota_reads.centre_holidays(centre, since, last + timedelta(days=7)),
            as_of,
        )
        for centre in centres
    }
