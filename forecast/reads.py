"""What the forecast offers the other features: the demand forecast of centres over days.

The rota's predicted waits replay each centre-day with these arrivals; the comparison pages
put them next to what happened.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forecast.cover import (
    DayCover,
    ExtraDoctors,
    NeedSegment,
    busiest_of,
    cover_for_day,
    what_extra_doctors_buy,
)
from forecast.demand import MIN_HISTORY_DAYS, YEAR, forecast_centre
from forecast.models import WaitTargetRow
from forecast.school import school_holidays
from forecast.types import CentreForecast, DayDemand
from forecast.waits import (
    DEFAULT_RUNS,
    DEFAULT_TARGET,
    Behaviour,
    DayPlan,
    DayWaits,
    HourWaits,
    Span,
    WaitTarget,
    predict_day,
)
from rota import reads as rota_reads
from rota.models import Centre
from stats import reads as stats_reads

__all__ = [
    "DEFAULT_TARGET",
    "HISTORY_DAYS",
    "MAX_FORECAST_DAYS",
    "CentreForecast",
    "DayCover",
    "DayWaits",
    "DraftShift",
    "ExtraDoctors",
    "HourWaits",
    "NeedSegment",
    "WaitTarget",
    "centre_behaviour",
    "cover_from_target",
    "demand_forecasts",
    "extra_doctors",
    "open_local_hours",
    "predicted_waits",
    "wait_targets",
]

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
            school_holidays(centre.country, since, last + timedelta(days=7)),
        )
        for centre in centres
    }


# A shift of the draft: (doctor, start, end), instants in UTC. The doctor counts from the start.
DraftShift = tuple[str, datetime, datetime]

# Consultation lengths of the last eight weeks: recent enough to follow a centre's habits.
CONSULT_HISTORY_DAYS = 56


async def wait_targets(session: AsyncSession, centre_ids: Collection[int]) -> dict[int, WaitTarget]:
    """Each centre's wait target, the network's default where the centre set none."""
    rows = await session.execute(
        select(WaitTargetRow).where(WaitTargetRow.centre_id.in_(list(centre_ids)))
    )
    found = {row.centre_id: WaitTarget(row.share, row.minutes) for row in rows.scalars()}
    return {centre_id: found.get(centre_id, DEFAULT_TARGET) for centre_id in centre_ids}


async def centre_behaviour(session: AsyncSession, centre: Centre, as_of: date) -> Behaviour:
    """The centre's consultation lengths from its statistics (the estimator's default without
    any); turnover and patience are the live estimator's."""
    lengths = await stats_reads.consult_lengths(
        session, centre.id, as_of - timedelta(days=CONSULT_HISTORY_DAYS), as_of - timedelta(days=1)
    )
    return Behaviour(consult_min=lengths)


def _local_minutes(at: datetime, day: date, tz: ZoneInfo) -> float:
    local = at.astimezone(tz)
    return (local.date() - day).days * 1440.0 + local.hour * 60.0 + local.minute + local.second / 60


@dataclass(frozen=True)
class _Day:
    demand: DayDemand
    opens: float
    closes: float


async def _days(
    session: AsyncSession, centre: Centre, first: date, last: date, as_of: date
) -> dict[date, _Day]:
    """The centre's open days of [first, last] with their demand and opening, local minutes."""
    forecast = (await demand_forecasts(session, [centre.id], first, last, as_of=as_of)).get(
        centre.id
    )
    tz = ZoneInfo(centre.timezone)
    days: dict[date, _Day] = {}
    day = first
    while day <= last:
        opening = (await rota_reads.opening_hours(session, [centre], day))[centre.id]
        demand = forecast.day(day) if forecast is not None else None
        if opening.opens is not None and opening.closes is not None and demand is not None:
            days[day] = _Day(
                demand,
                _local_minutes(opening.opens, day, tz),
                _local_minutes(opening.closes, day, tz),
            )
        day += timedelta(days=1)
    return days


def _doctors(shifts: Sequence[DraftShift], day: date, tz: ZoneInfo) -> tuple[tuple[Span, ...], ...]:
    """Each doctor's shifts that begin on the local ``day``, local minutes, by doctor id."""
    spans: dict[str, list[Span]] = {}
    for doctor, start, end in shifts:
        if start.astimezone(tz).date() == day:
            spans.setdefault(doctor, []).append(
                (_local_minutes(start, day, tz), _local_minutes(end, day, tz))
            )
    return tuple(tuple(sorted(spans[doctor])) for doctor in sorted(spans))


# The page asks again for the same draft (another centre opened, a reload): a prediction is a
# pure function of its inputs, so the inputs are the cache key, the draft's version included.
@lru_cache(maxsize=4096)
def _predict(plan: DayPlan, behaviour: Behaviour, target: WaitTarget, runs: int) -> DayWaits:
    return predict_day(plan, behaviour, target, runs)


async def predicted_waits(
    session: AsyncSession,
    centre: Centre,
    first: date,
    last: date,
    shifts: Sequence[DraftShift],
    *,
    as_of: date,
    runs: int = DEFAULT_RUNS,
) -> list[DayWaits]:
    """The predicted waits of each open day of [first, last] at the centre with ``shifts`` (the
    draft's, at this centre), the demand forecast made ``as_of`` and the centre's target."""
    if first > last:
        raise ValueError("first comes after last")
    if (last - first).days + 1 > MAX_FORECAST_DAYS:
        raise ValueError(f"at most {MAX_FORECAST_DAYS} days at a time")
    target = (await wait_targets(session, [centre.id]))[centre.id]
    behaviour = await centre_behaviour(session, centre, as_of)
    tz = ZoneInfo(centre.timezone)
    out = []
    for day, known in (await _days(session, centre, first, last, as_of)).items():
        plan = DayPlan(
            centre.id, known.demand, known.opens, known.closes, _doctors(shifts, day, tz)
        )
        out.append(_predict(plan, behaviour, target, runs))
    return out


async def extra_doctors(
    session: AsyncSession,
    centre: Centre,
    day: date,
    shifts: Sequence[DraftShift],
    *,
    as_of: date,
) -> ExtraDoctors | None:
    """What one or two more doctors in the busy hours of ``day`` would buy (None: closed)."""
    known = (await _days(session, centre, day, day, as_of)).get(day)
    if known is None:
        return None
    target = (await wait_targets(session, [centre.id]))[centre.id]
    behaviour = await centre_behaviour(session, centre, as_of)
    plan = DayPlan(
        centre.id,
        known.demand,
        known.opens,
        known.closes,
        _doctors(shifts, day, ZoneInfo(centre.timezone)),
    )
    # As many simulated days as the month's table, whose figures its first line repeats.
    return await anyio.to_thread.run_sync(
        what_extra_doctors_buy, plan, behaviour, target, DEFAULT_RUNS
    )


async def cover_from_target(
    session: AsyncSession, centre: Centre, days: Sequence[date], *, as_of: date
) -> tuple[NeedSegment, ...]:
    """The cover need that meets the centre's target on every one of ``days`` (days of one kind:
    cover needs are per weekday / weekend / public holiday): the smallest cover of a day made of
    each hour's busiest forecast, within the widest opening of them. Empty when all are closed
    or no arrival is foreseen."""
    if not days:
        return ()
    found = await _days(session, centre, min(days), max(days), as_of)
    chosen = [found[day] for day in days if day in found]
    busiest = busiest_of([known.demand for known in chosen])
    if busiest is None or busiest.mean <= 0:
        return ()  # no arrivals foreseen (no history anywhere): nothing to size a need on
    target = (await wait_targets(session, [centre.id]))[centre.id]
    behaviour = await centre_behaviour(session, centre, as_of)
    opens = min(known.opens for known in chosen)
    closes = max(known.closes for known in chosen)
    found_cover = await anyio.to_thread.run_sync(
        cover_for_day, centre.id, busiest, opens, closes, behaviour, target
    )
    return found_cover.segments
