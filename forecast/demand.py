"""The demand forecast of one centre (pure: plain numbers in, a CentreForecast out).

Explainable by construction: an hour's expected arrivals are

    level × trend × season × weekday × special day × hour share

- level: the centre's recent days (the last four weeks) with the weekday and the special days
  divided out;
- season: with a year of history, how last year's same weeks compared with last year's weeks
  just before the forecast's start (winter epidemics, summer lull or peak, school holidays as
  the history shows them);
- trend: without a year of history, a damped slope of the last twelve weeks;
- weekday: each weekday's share of its week over the last twelve weeks;
- school holidays: their effect where the history shows it (the `holidays` package has the
  zones' calendars; a centre's zone is the one its history follows);
- special day: public holidays (of the centre's region), bridge days (a Friday after a
  Thursday holiday, a Monday before a Tuesday one) and the day after a holiday, each measured on
  the history where it has some, else a prior;
- hour share: the weekday's (a holiday takes Sunday's) distribution over the hours.

The interval is a negative binomial's 10th-90th percentile: Poisson noise plus the spread of
whole days the history shows, which widens with the horizon. With less than eight weeks of its
own history a centre gets the network's average centre-day scaled to its own level.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from forecast.baseline import DayCounts, History
from forecast.intervals import count_interval
from forecast.types import CentreForecast, DayDemand, HourDemand, Source

MIN_HISTORY_DAYS = 56  # eight weeks: below that a weekday has too few days to show its shape
LEVEL_DAYS = 28
SHAPE_DAYS = 84
YEAR = 364  # 52 weeks: last year's same weekday
SEASON_HALF_WIDTH = 3  # last year's analogue is the week centred on the same weekday
TREND_CAP_PER_WEEK = 0.01
HORIZON_SPREAD_PER_WEEK = 0.015  # the level drifts: the interval widens with the horizon
URGENT_PRIOR_WEIGHT = 20.0  # arrivals' worth of the centre's overall urgent share per hour
SPECIAL_PRIOR_WEIGHT = 1.0  # days' worth of the prior for a special day's factor
SCHOOL_PRIOR_WEIGHT = 5.0  # days' worth of "no effect" for the school holidays
SUMMER = (7, 8)  # months: the summer break is the season's to show (it hardly moves)


class DayKind(StrEnum):
    NORMAL = "normal"
    HOLIDAY = "holiday"
    BRIDGE = "bridge"  # a working day between a public holiday and the weekend
    AFTER = "after"  # the day after a holiday (not a bridge): the deferred visits come


def _is_bridge(day: date, holidays: Collection[date]) -> bool:
    weekday = day.isoweekday()
    return day not in holidays and (
        (weekday == 5 and day - timedelta(days=1) in holidays)
        or (weekday == 1 and day + timedelta(days=1) in holidays)
    )


def day_kind(day: date, holidays: Collection[date]) -> DayKind:
    if day in holidays:
        return DayKind.HOLIDAY
    if _is_bridge(day, holidays):
        return DayKind.BRIDGE
    if day - timedelta(days=1) in holidays:
        return DayKind.AFTER
    return DayKind.NORMAL


def _total(counts: DayCounts) -> float:
    return sum(standard + urgent for standard, urgent in counts.values())


@dataclass(frozen=True)
class DemandModel:
    """What the history says of one centre (or the network's average centre)."""

    as_of: date
    history_days: int
    level: float  # arrivals of an ordinary day (weekday factors average 1) at as_of
    weekly_trend: float  # relative change per week (0 with a year's season)
    weekday_factor: Mapping[int, float]  # ISO weekday -> factor
    special_factor: Mapping[DayKind, float]  # a holiday's is of the level, the others' of the day
    hour_share: Mapping[int, Mapping[int, float]]  # ISO weekday -> local hour -> share of day
    urgent_share: Mapping[int, float]  # local hour -> urgent share
    day_spread: float  # relative sd of whole days around the model
    hour_dispersion: float  # an hour's variance over its mean, given the day (at least 1)
    season_daily: Mapping[date, float]  # last year's deseasonalised day totals (may be empty)
    season_base: float  # their mean just before as_of - YEAR (0: no season)
    holidays: frozenset[date]
    estimate_spread: float = 0.0  # relative error of the level (and season) themselves
    school_zone: str | None = None  # the zone whose school holidays the history shows
    school_factor: float = 1.0
    school_days: frozenset[date] = frozenset()

    def season(self, day: date) -> float:
        """This day's level against the level at as_of, from last year (1 without a year)."""
        if not self.season_base:
            return 1.0
        then = day - timedelta(days=YEAR)
        window = [
            self.season_daily[then + timedelta(days=d)]
            for d in range(-SEASON_HALF_WIDTH, SEASON_HALF_WIDTH + 1)
            if then + timedelta(days=d) in self.season_daily
            and then + timedelta(days=d) < self.as_of
        ]
        return sum(window) / len(window) / self.season_base if window else 1.0

    def day_mean(self, day: date) -> float:
        """Expected arrivals over the usual open hours of the day."""
        kind = day_kind(day, self.holidays)
        weeks_ahead = max(0.0, (day - self.as_of).days / 7)
        base = self.level * self.season(day) * (1 + self.weekly_trend * weeks_ahead)
        if day in self.school_days:
            base *= self.school_factor
        if kind is DayKind.HOLIDAY:
            return max(0.0, base * self.special_factor[kind])
        factor = self.weekday_factor.get(day.isoweekday(), 1.0)
        return max(0.0, base * factor * self.special_factor.get(kind, 1.0))

    def shape(self, day: date) -> Mapping[int, float]:
        holiday = day_kind(day, self.holidays) is DayKind.HOLIDAY
        return self.hour_share.get(7 if holiday else day.isoweekday(), {})

    def predict(self, day: date, hours: Sequence[int]) -> DayDemand:
        total = self.day_mean(day)
        shares = self.shape(day)
        weeks_ahead = max(0.0, (day - self.as_of).days / 7)
        spread2 = (
            self.day_spread**2
            + self.estimate_spread**2
            + (HORIZON_SPREAD_PER_WEEK * weeks_ahead) ** 2
        )
        found: list[HourDemand] = []
        for hour in hours:
            mean = total * _share_at(shares, hour)
            variance = self.hour_dispersion * mean + spread2 * mean * mean
            low, high = count_interval(mean, variance)
            found.append(
                HourDemand(hour, round(mean, 2), low, high, round(self.urgent_share[hour], 3))
                if hour in self.urgent_share
                else HourDemand(hour, round(mean, 2), low, high, round(_mean_share(self), 3))
            )
        return DayDemand(day, tuple(found))


def _share_at(shares: Mapping[int, float], hour: int) -> float:
    """An hour's share of the day; an hour the history never had open takes its nearest
    neighbour's (a centre that opens an hour later still gets patients in it)."""
    if hour in shares:
        return shares[hour]
    if not shares:
        return 0.0
    nearest = min(shares, key=lambda known: (abs(known - hour), known))
    return shares[nearest]


def _mean_share(model: DemandModel) -> float:
    values = list(model.urgent_share.values())
    return sum(values) / len(values) if values else 0.0


def fit(
    history: History,
    holidays: Collection[date],
    as_of: date,
    school: Mapping[str, Collection[date]] | None = None,
) -> DemandModel:
    """The model of a history (days strictly before ``as_of`` are used, the others ignored).
    ``school``: the school holidays of each zone the centre may be in; the zone whose
    holidays the history shows most is taken (centres do not record their zone)."""
    used = {day: counts for day, counts in history.items() if day < as_of and _total(counts) > 0}
    hol = frozenset(holidays)
    kinds = {day: day_kind(day, hol) for day in used}
    recent = [day for day in used if (as_of - day).days <= SHAPE_DAYS]
    weekday_factor = _weekday_factors(used, kinds, recent)
    hour_share = _hour_shares(used, kinds, recent)

    def deseasonalised(day: date) -> float:
        factor = weekday_factor.get(day.isoweekday(), 1.0)
        return _total(used[day]) / factor if factor > 0 else 0.0

    ordinary = {day: deseasonalised(day) for day in used if kinds[day] is DayKind.NORMAL}
    zone, school_factor, school_days = None, 1.0, frozenset[date]()
    best = 0.0
    for name, days in sorted((school or {}).items()):
        short_breaks = frozenset(d for d in days if d.month not in SUMMER)
        factor, evidence = _school_effect(ordinary, short_breaks)
        if evidence > best:
            zone, school_factor, school_days, best = name, factor, short_breaks, evidence
    if school_factor != 1.0:  # school days divided out too: the level is of ordinary weeks
        ordinary = {d: v / school_factor if d in school_days else v for d, v in ordinary.items()}
    special_factor = _special_factors(used, kinds, ordinary, weekday_factor)
    level_days = [ordinary[d] for d in ordinary if (as_of - d).days <= LEVEL_DAYS]
    if not level_days:  # a month without an ordinary day: take the latest ones there are
        level_days = [ordinary[d] for d in sorted(ordinary)[-LEVEL_DAYS:]]
    level = sum(level_days) / len(level_days) if level_days else 0.0

    # Last year's analogue: the deseasonalised days a year back and the month before.
    season_base = 0.0
    year_back = as_of - timedelta(days=YEAR)
    base_days = [v for d, v in ordinary.items() if 0 < (year_back - d).days <= LEVEL_DAYS]
    if len(base_days) >= LEVEL_DAYS // 2 and min(used) <= year_back - timedelta(days=LEVEL_DAYS):
        season_base = sum(base_days) / len(base_days)
    trend = 0.0 if season_base else _trend(ordinary, as_of)
    day_spread = _day_spread(used, kinds, recent, weekday_factor)

    return DemandModel(
        as_of=as_of,
        history_days=len(used),
        level=level,
        weekly_trend=trend,
        weekday_factor=weekday_factor,
        special_factor=special_factor,
        hour_share=hour_share,
        urgent_share=_urgent_shares(used, recent),
        day_spread=day_spread,
        hour_dispersion=_hour_dispersion(used, kinds, recent, hour_share),
        season_daily=ordinary if season_base else {},
        season_base=season_base,
        holidays=hol,
        school_zone=zone,
        school_factor=school_factor,
        school_days=school_days,
        estimate_spread=_estimate_spread(day_spread, level, len(level_days), bool(season_base)),
    )


def _estimate_spread(day_spread: float, level: float, days: int, season: bool) -> float:
    """The level is a mean of ``days`` days, each off by the days' spread and their Poisson
    noise; with a season, last year's week and month add their own errors."""
    per_day = day_spread**2 + (1 / level if level > 0 else 1.0)
    variance = per_day / max(days, 1)
    if season:
        variance += per_day / (2 * SEASON_HALF_WIDTH + 1) + per_day / LEVEL_DAYS
    return math.sqrt(variance)


def _weekday_factors(
    used: History, kinds: Mapping[date, DayKind], recent: Sequence[date]
) -> dict[int, float]:
    """Each weekday's day against its own ISO week's mean day (levels cancel out)."""
    weeks: dict[date, list[date]] = defaultdict(list)
    for day in recent:
        weeks[day - timedelta(days=day.weekday())].append(day)
    ratios: dict[int, list[float]] = defaultdict(list)
    for days in weeks.values():
        ordinary = [d for d in days if kinds[d] is DayKind.NORMAL]
        if len(ordinary) < 5:  # a week with a holiday or a gap would tilt the others
            continue
        mean = sum(_total(used[d]) for d in ordinary) / len(ordinary)
        for day in ordinary:
            ratios[day.isoweekday()].append(_total(used[day]) / mean)
    factors = {w: sum(r) / len(r) for w, r in ratios.items() if r}
    if not factors:
        return {w: 1.0 for w in range(1, 8)}
    norm = sum(factors.values()) / len(factors)
    return {w: factors.get(w, norm) / norm for w in range(1, 8)}


def _hour_shares(
    used: History, kinds: Mapping[date, DayKind], recent: Sequence[date]
) -> dict[int, dict[int, float]]:
    """ISO weekday -> hour -> share of the day's arrivals; holidays count as Sundays."""
    sums: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for day in recent:
        weekday = 7 if kinds[day] is DayKind.HOLIDAY else day.isoweekday()
        for hour, (standard, urgent) in used[day].items():
            sums[weekday][hour] += standard + urgent
    overall: dict[int, float] = defaultdict(float)
    for by_hour in sums.values():
        for hour, count in by_hour.items():
            overall[hour] += count
    shares: dict[int, dict[int, float]] = {}
    for weekday in range(1, 8):
        by_hour = sums.get(weekday) or overall
        total = sum(by_hour.values())
        shares[weekday] = {h: c / total for h, c in sorted(by_hour.items())} if total else {}
    return shares


def _special_factors(
    used: History,
    kinds: Mapping[date, DayKind],
    ordinary: Mapping[date, float],
    weekday_factor: Mapping[int, float],
) -> dict[DayKind, float]:
    """Each special kind's day against the ordinary days around it (two weeks either side),
    shrunk towards a prior: a holiday like a Sunday, a bridge like its weekday, the day after
    a little busier."""
    priors = {DayKind.HOLIDAY: weekday_factor.get(7, 1.0), DayKind.BRIDGE: 1.0, DayKind.AFTER: 1.1}
    ratios: dict[DayKind, list[float]] = defaultdict(list)
    for day, kind in kinds.items():
        if kind is DayKind.NORMAL:
            continue
        local = _local_level(ordinary, day)
        if local is None:
            continue
        expected = local if kind is DayKind.HOLIDAY else local * weekday_factor[day.isoweekday()]
        if expected > 0:
            ratios[kind].append(_total(used[day]) / expected)
    return {
        kind: (sum(ratios[kind]) + SPECIAL_PRIOR_WEIGHT * prior)
        / (len(ratios[kind]) + SPECIAL_PRIOR_WEIGHT)
        for kind, prior in priors.items()
    }


def _local_level(
    values: Mapping[date, float], day: date, exclude: Collection[date] = ()
) -> float | None:
    """The mean of the values two weeks either side of ``day`` (None with fewer than five)."""
    near = [
        values[d]
        for d in (day + timedelta(days=n) for n in range(-14, 15) if n)
        if d in values and d not in exclude
    ]
    return sum(near) / len(near) if len(near) >= 5 else None


def _school_effect(ordinary: Mapping[date, float], school: Collection[date]) -> tuple[float, float]:
    """(factor, evidence) of school holidays: their ordinary days against the ordinary days
    around them out of the holidays, shrunk towards 1; evidence grows with the effect's size
    and the days that show it."""
    ratios = []
    for day in ordinary:
        if day in school:
            local = _local_level(ordinary, day, exclude=school)
            if local:
                ratios.append(ordinary[day] / local)
    if not ratios:
        return 1.0, 0.0
    factor = (sum(ratios) + SCHOOL_PRIOR_WEIGHT) / (len(ratios) + SCHOOL_PRIOR_WEIGHT)
    return factor, abs(math.log(factor)) * math.sqrt(len(ratios))


def _trend(ordinary: Mapping[date, float], as_of: date) -> float:
    """Relative change per week over the last twelve weeks (least squares), halved and capped:
    a short history's slope is mostly noise and season."""
    points = [((d - as_of).days / 7, v) for d, v in ordinary.items() if (as_of - d).days <= 84]
    if len(points) < 28:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    var_x = sum((x - mean_x) ** 2 for x, _ in points)
    if not var_x or not mean_y:
        return 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var_x / mean_y
    return max(-TREND_CAP_PER_WEEK, min(TREND_CAP_PER_WEEK, slope / 2))


def _urgent_shares(used: History, recent: Sequence[date]) -> dict[int, float]:
    standard: dict[int, float] = defaultdict(float)
    urgent: dict[int, float] = defaultdict(float)
    for day in recent:
        for hour, (s, u) in used[day].items():
            standard[hour] += s
            urgent[hour] += u
    all_urgent, all_total = sum(urgent.values()), sum(urgent.values()) + sum(standard.values())
    prior = all_urgent / all_total if all_total else 0.0
    return {
        hour: (urgent[hour] + URGENT_PRIOR_WEIGHT * prior)
        / (urgent[hour] + standard[hour] + URGENT_PRIOR_WEIGHT)
        for hour in sorted(standard.keys() | urgent.keys())
    }


def _day_spread(
    used: History,
    kinds: Mapping[date, DayKind],
    recent: Sequence[date],
    weekday_factor: Mapping[int, float],
) -> float:
    """Relative sd of ordinary days around their week's level, Poisson noise taken out."""
    weeks: dict[date, list[date]] = defaultdict(list)
    for day in recent:
        if kinds[day] is DayKind.NORMAL:
            weeks[day - timedelta(days=day.weekday())].append(day)
    excess: list[float] = []
    for days in weeks.values():
        if len(days) < 5:
            continue
        level = sum(_total(used[d]) / weekday_factor[d.isoweekday()] for d in days) / len(days)
        # The week's mean comes from these same days: their residuals are n/(n-1) too small.
        unbias = len(days) / (len(days) - 1)
        for day in days:
            expected = level * weekday_factor[day.isoweekday()]
            if expected > 0:
                squared = (_total(used[day]) - expected) ** 2 * unbias
                excess.append((squared - expected) / expected**2)
    if not excess:
        return 0.1  # no full week to tell: a tenth, as walk-in days usually vary
    return max(0.03, math.sqrt(max(0.0, sum(excess) / len(excess))))


def _hour_dispersion(
    used: History,
    kinds: Mapping[date, DayKind],
    recent: Sequence[date],
    hour_share: Mapping[int, Mapping[int, float]],
) -> float:
    """An hour's variance over its mean, the day's total known (1 for Poisson arrivals)."""
    ratios: list[float] = []
    for day in recent:
        weekday = 7 if kinds[day] is DayKind.HOLIDAY else day.isoweekday()
        shares = hour_share.get(weekday, {})
        total = _total(used[day])
        for hour, (s, u) in used[day].items():
            expected = total * shares.get(hour, 0.0)
            if expected >= 1:
                ratios.append((s + u - expected) ** 2 / expected)
    return max(1.0, sum(ratios) / len(ratios)) if ratios else 1.0


def forecast_centre(
    centre_id: int,
    history: History,
    network: History,
    open_hours: Mapping[date, Sequence[int]],
    holidays: Collection[date],
    as_of: date,
    school: Mapping[str, Collection[date]] | None = None,
) -> CentreForecast:
    """The centre's forecast for each day of ``open_hours`` (its open local hours): from its
    own history with eight weeks or more, else the network's average centre scaled to it."""
    model = fit(history, holidays, as_of, school)
    source = Source.CENTRE
    if model.history_days < MIN_HISTORY_DAYS:
        # The network's average mixes the zones: its school effect is left out.
        network_model = fit(network, holidays, as_of)
        model = _network_model(model, network_model, history, network, as_of)
        source = Source.NETWORK
    days = tuple(model.predict(day, open_hours[day]) for day in sorted(open_hours))
    return CentreForecast(
        centre_id, as_of, days, sum(1 for d in history if d < as_of and history[d]), source
    )


def _network_model(
    own: DemandModel, network: DemandModel, history: History, average: History, as_of: date
) -> DemandModel:
    """The network's model at the centre's level: the ratio of the centre's days to the
    network's average on the same days (1 with none); the interval widens with fewer days."""
    shared = [d for d in history if d < as_of and _total(history[d]) > 0 and d in average]
    mine = sum(_total(history[d]) for d in shared)
    theirs = sum(_total(average[d]) for d in shared)
    scale = mine / theirs if shared and theirs else 1.0
    # The scale's own error: about 1/sqrt(days) of a day's spread, plus what the centre's
    # difference in shape may add; with no day at all, a centre may be half or twice the mean.
    scale_spread = 0.5 if not shared else 0.1 + 0.3 / math.sqrt(len(shared))
    return DemandModel(
        as_of=as_of,
        history_days=own.history_days,
        level=network.level * scale,
        weekly_trend=network.weekly_trend,
        weekday_factor=network.weekday_factor,
        special_factor=network.special_factor,
        hour_share=network.hour_share,
        urgent_share=own.urgent_share if own.history_days >= 14 else network.urgent_share,
        day_spread=math.sqrt(network.day_spread**2 + scale_spread**2),
        hour_dispersion=max(own.hour_dispersion, 1.0),
        season_daily=network.season_daily,
        season_base=network.season_base,
        holidays=network.holidays,
    )
