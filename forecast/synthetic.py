"""A generated network's hourly arrivals, to measure the forecast on (pure, seeded).

26 centres of four kinds, each in a school zone, with what walk-in centres open 7/7 see:
Mondays and weekends busier, a morning peak and an evening rise; public holidays busy like a
Sunday and the day after them busier still; winter epidemics (bronchiolitis in December, flu
peaking in January or February, its date and height varying from one winter to the next); a
summer lull in towns and a summer crowd at the seaside; school holidays (families away from
the suburbs, at the seaside); a yearly growth; whole days busier or quieter than their
expectation; Poisson counts on top. The same seed gives the same network.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from forecast import school
from forecast.baseline import History


class CentreKind(StrEnum):
    CITY = "city"
    SUBURB = "suburb"
    SEASIDE = "seaside"
    RURAL = "rural"


ZONES = school.FRENCH_ZONES
KIND_COUNTS = {CentreKind.CITY: 8, CentreKind.SUBURB: 8, CentreKind.SEASIDE: 5, CentreKind.RURAL: 5}
WEEKDAY = {1: 1.15, 2: 1.0, 3: 0.95, 4: 0.95, 5: 1.0, 6: 1.2, 7: 1.3}
# Share of a weekday's and a weekend day's arrivals per local hour (8:00-21:59).
WEEKDAY_HOURS = {
    8: 1.5, 9: 1.6, 10: 1.3, 11: 1.1, 12: 0.8, 13: 0.8, 14: 0.9,
    15: 0.9, 16: 1.0, 17: 1.2, 18: 1.3, 19: 1.0, 20: 0.6, 21: 0.4,
}  # fmt: skip
WEEKEND_HOURS = {
    8: 0.9, 9: 1.3, 10: 1.5, 11: 1.4, 12: 1.0, 13: 0.9, 14: 1.0,
    15: 1.1, 16: 1.1, 17: 1.1, 18: 1.0, 19: 0.9, 20: 0.6, 21: 0.4,
}  # fmt: skip
SCHOOL_EFFECT = {
    CentreKind.CITY: 0.95,
    CentreKind.SUBURB: 0.88,
    CentreKind.SEASIDE: 1.2,
    CentreKind.RURAL: 1.0,
}
SUMMER_EFFECT = {
    CentreKind.CITY: -0.18,
    CentreKind.SUBURB: -0.22,
    CentreKind.SEASIDE: 0.7,
    CentreKind.RURAL: -0.05,
}
RURAL_SCALE = {CentreKind.RURAL: 0.7}  # fewer people around
DAY_NOISE = 0.06  # relative sd of whole days: weather, a nearby surgery closed


@dataclass(frozen=True)
class SyntheticCentre:
    id: int
    name: str
    kind: CentreKind
    zone: str  # school zone, as the `holidays` package names it
    patients_per_day: float  # at the start, on an ordinary Tuesday
    growth_per_year: float
    closes: int  # the first hour closed (20 or 22)

    @property
    def hours(self) -> list[int]:
        return list(range(8, self.closes))


@dataclass(frozen=True)
class SyntheticNetwork:
    centres: tuple[SyntheticCentre, ...]
    first: date
    last: date
    history: dict[int, dict[date, dict[int, tuple[int, int]]]]  # centre -> day -> hour

    def holidays(self) -> frozenset[date]:
        return public_holidays(self.first.year, self.last.year + 1)


def network_centres(seed: int, kinds: dict[CentreKind, int] | None = None) -> list[SyntheticCentre]:
    rng = random.Random(f"centres:{seed}")
    centres: list[SyntheticCentre] = []
    for kind, count in (kinds or KIND_COUNTS).items():
        for n in range(count):
            centres.append(
                SyntheticCentre(
                    id=len(centres) + 1,
                    name=f"{kind.value}-{n + 1}",
                    kind=kind,
                    zone=ZONES[rng.randrange(3)],
                    patients_per_day=rng.uniform(100, 250)
                    * (0.7 if kind is CentreKind.RURAL else 1),
                    growth_per_year=rng.uniform(0.0, 0.08),
                    closes=22 if rng.random() < 0.3 else 20,
                )
            )
    return centres


@lru_cache(maxsize=8)
def public_holidays(first_year: int, last_year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=range(first_year, last_year + 1)))


@lru_cache(maxsize=8)
def school_holidays(zone: str, first_year: int, last_year: int) -> frozenset[date]:
    """A zone's school holidays, summer included."""
    return school.school_holidays("FR", date(first_year, 1, 1), date(last_year, 12, 31))[zone]


def _bump(day: date, peak: date, width_days: float) -> float:
    return math.exp(-0.5 * ((day - peak).days / width_days) ** 2)


def _winter_peaks(year: int, seed: int) -> tuple[date, float, date, float]:
    """The winter starting in ``year``: bronchiolitis peak and height, flu peak and height."""
    rng = random.Random(f"winter:{seed}:{year}")
    bronchiolitis = date(year, 12, 1) + timedelta(days=rng.randint(0, 21))
    flu = date(year + 1, 1, 5) + timedelta(days=rng.randint(0, 35))
    return bronchiolitis, rng.uniform(0.1, 0.2), flu, rng.uniform(0.2, 0.4)


def season_factor(centre: SyntheticCentre, day: date, seed: int) -> float:
    epidemics = 0.0
    for winter in (day.year - 1, day.year):
        bronchiolitis, b_height, flu, f_height = _winter_peaks(winter, seed)
        child_share = 0.6 if centre.kind is CentreKind.SUBURB else 0.4
        epidemics += b_height * child_share * 2 * _bump(day, bronchiolitis, 14)
        epidemics += f_height * _bump(day, flu, 16)
    summer = SUMMER_EFFECT[centre.kind] * _bump(day, date(day.year, 8, 3), 18)
    return 1.0 + epidemics + summer


def day_rate(centre: SyntheticCentre, day: date, first: date, seed: int) -> float:
    """Expected arrivals of the day, before its own noise."""
    hol = public_holidays(day.year - 1, day.year + 1)
    years = (day - first).days / 365.25
    rate: float = centre.patients_per_day * (1 + centre.growth_per_year) ** years
    rate *= season_factor(centre, day, seed)
    if day in hol:
        rate *= WEEKDAY[7] * 1.1
    else:
        rate *= WEEKDAY[day.isoweekday()]
        before = day - timedelta(days=1)
        if before in hol:
            rate *= 1.2  # the visits put off by the holiday
        elif day.isoweekday() in (1, 5) and (
            day + timedelta(days=1) in hol or day - timedelta(days=1) in hol
        ):
            rate *= 1.1  # a bridge: surgeries closed, walk-in open
    if day in school_holidays(centre.zone, day.year - 1, day.year + 1):
        rate *= SCHOOL_EFFECT[centre.kind]
    return rate


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 60:  # Knuth's loop is slow for large means; the normal is close there
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def generate_centre(
    centre: SyntheticCentre, first: date, last: date, seed: int
) -> dict[date, dict[int, tuple[int, int]]]:
    found: dict[date, dict[int, tuple[int, int]]] = {}
    day = first
    hol = public_holidays(first.year, last.year + 1)
    while day <= last:
        rng = random.Random(f"{seed}:{centre.id}:{day.isoformat()}")
        rate = day_rate(centre, day, first, seed) * math.exp(rng.gauss(0, DAY_NOISE))
        weekend = day.isoweekday() >= 6 or day in hol
        shape = {h: (WEEKEND_HOURS if weekend else WEEKDAY_HOURS)[h] for h in centre.hours}
        total_shape = sum(shape.values())
        epidemic = season_factor(centre, day, seed) - 1
        hours: dict[int, tuple[int, int]] = {}
        for hour, weight in shape.items():
            count = _poisson(rng, rate * weight / total_shape)
            urgent_share = 0.07 + (0.04 if hour >= 19 else 0) + 0.05 * max(0.0, epidemic)
            urgent = sum(1 for _ in range(count) if rng.random() < urgent_share)
            hours[hour] = (count - urgent, urgent)
        found[day] = hours
        day += timedelta(days=1)
    return found


def generate_network(
    first: date, last: date, seed: int = 1, kinds: dict[CentreKind, int] | None = None
) -> SyntheticNetwork:
    centres = tuple(network_centres(seed, kinds))
    history = {centre.id: generate_centre(centre, first, last, seed) for centre in centres}
    return SyntheticNetwork(centres, first, last, history)


def network_average(histories: Sequence[History]) -> dict[date, dict[int, tuple[float, float]]]:
    """The average centre-day of several histories (what stats.reads gives for the network)."""
    sums: dict[date, dict[int, list[float]]] = {}
    centres_on: dict[date, int] = {}
    for history in histories:
        for day, hours in history.items():
            centres_on[day] = centres_on.get(day, 0) + 1
            by_hour = sums.setdefault(day, {})
            for hour, (standard, urgent) in hours.items():
                pair = by_hour.setdefault(hour, [0.0, 0.0])
                pair[0] += standard
                pair[1] += urgent
    return {
        day: {h: (s / centres_on[day], u / centres_on[day]) for h, (s, u) in sorted(hours.items())}
        for day, hours in sorted(sums.items())
    }
