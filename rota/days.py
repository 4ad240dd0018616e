"""Public holidays, day types and opening hours of a centre on a local service day.

Everything here is wall-clock time in a centre's IANA zone turned into UTC instants. Local
times that do not exist (spring-forward gap) or exist twice (autumn fall-back) are resolved with
``fold=0`` (see :func:`local_instant`), the same rule everywhere in the rota, so two modules never
disagree about which instant 02:30 means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from dateutil.easter import easter


class DayType(StrEnum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public_holiday"


SUPPORTED_COUNTRIES: frozenset[str] = frozenset({"FR", "BE"})

# holidays knows Alsace-Moselle as '6AE' (Alsace) and '57' (Moselle, same days), but raises
# NotImplementedError for the Bas-Rhin/Haut-Rhin department numbers people actually type.
_FRENCH_SUBDIVISION_ALIASES: Mapping[str, str] = {
    "67": "6AE",
    "68": "6AE",
    "bas-rhin": "6AE",
    "haut-rhin": "6AE",
    "alsace": "6AE",
    "alsace-moselle": "6AE",
    "6ae": "6AE",
    "57": "57",
    "moselle": "57",
}


@dataclass(frozen=True)
class HolidayRegion:
    """Where a centre's public holidays come from. Build it with :func:`holiday_region`."""

    country: str
    subdivision: str | None = None
    # Lundi de Pentecôte is a "journée de solidarité" in France: many networks stay on weekday
    # cover. Whether it counts as a holiday is a setting, not a code change.
    whit_monday_is_holiday: bool = True


def holiday_region(
    country: str, subdivision: str | None = None, *, whit_monday_is_holiday: bool = True
) -> HolidayRegion:
    """Validated region with the subdivision code the ``holidays`` package expects.

    Raises ValueError (with a message fit for a 4xx answer) for an unknown country or
    subdivision.
    """
    code = country.strip().upper()
    if code not in SUPPORTED_COUNTRIES:
        supported = ", ".join(sorted(SUPPORTED_COUNTRIES))
        raise ValueError(
            f"Pays non pris en charge : {country!r} (pays pris en charge : {supported})"
        )
    if subdivision is None or not subdivision.strip():
        return HolidayRegion(code, None, whit_monday_is_holiday)
    wanted = subdivision.strip()
    known = holidays.country_holidays(code).subdivisions
    if code == "FR" and wanted.lower() in _FRENCH_SUBDIVISION_ALIASES:
        return HolidayRegion(
            code, _FRENCH_SUBDIVISION_ALIASES[wanted.lower()], whit_monday_is_holiday
        )
    for candidate in known:
        if candidate.lower() == wanted.lower():
            return HolidayRegion(code, candidate, whit_monday_is_holiday)
    raise ValueError(
        f"Subdivision inconnue pour {code} : {subdivision!r} "
        f"(valeurs possibles : {', '.join(known)})"
    )


@lru_cache(maxsize=512)
def _holidays_of_year(region: HolidayRegion, year: int) -> Mapping[date, str]:
    try:
        calendar = holidays.country_holidays(
            region.country, subdiv=region.subdivision, years=year, language="fr"
        )
    except NotImplementedError as exc:  # a region built by hand, bypassing holiday_region()
        raise ValueError(f"Jours fériés indisponibles pour {region}: {exc}") from exc
    days = {day: name for day, name in calendar.items()}
    if not region.whit_monday_is_holiday:
        days.pop(easter(year) + timedelta(days=50), None)
    return MappingProxyType(days)


def public_holidays(region: HolidayRegion, year: int) -> Mapping[date, str]:
    """Public holidays of one year: local date → French name."""
    return _holidays_of_year(region, year)


def holiday_name(region: HolidayRegion, day: date) -> str | None:
    return _holidays_of_year(region, day.year).get(day)


def day_type(region: HolidayRegion, day: date) -> DayType:
    """A public holiday wins over the weekend (a holiday Sunday counts as a holiday)."""
    if day in _holidays_of_year(region, day.year):
        return DayType.PUBLIC_HOLIDAY
    return DayType.WEEKEND if day.weekday() >= 5 else DayType.WEEKDAY


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError (not a KeyError) for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Fuseau horaire inconnu : {name!r}") from exc


def local_instant(day: date, wall: time, time_zone: str) -> datetime:
    """The UTC instant of a local wall-clock time.

    fold=0 everywhere: a time in the spring gap (02:30 on the last Sunday of March in Paris)
    becomes the instant 02:30 would be before the change, i.e. it shows as 03:30 local; a time
    that occurs twice in autumn means its first occurrence (summer time).
    """
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=zone(time_zone))
    return local.astimezone(UTC)


def local_day(instant: datetime, time_zone: str) -> date:
    """The service day (local date) an instant falls on in a zone."""
    return instant.astimezone(zone(time_zone)).date()


@dataclass(frozen=True, order=True)
class Interval:
    """Half-open span [start, end) of UTC instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Les instants doivent porter un fuseau horaire (UTC)")
        if self.end <= self.start:
            raise ValueError("La fin doit être postérieure au début")

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, order=True)
class TimeRange:
    """Local wall-clock hours on one day, start < end (centres do not open overnight)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"Horaires invalides : {self.start:%H:%M}–{self.end:%H:%M}")

    def on(self, day: date, time_zone: str) -> Interval:
        return Interval(
            local_instant(day, self.start, time_zone), local_instant(day, self.end, time_zone)
        )


Hours = tuple[TimeRange, ...]


@dataclass(frozen=True)
class ExceptionalDay:
    """A day with other hours than usual: ``hours=()`` means closed."""

    day: date
    hours: Hours = ()
    reason: str = ""


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours (index 0 = Monday), exceptional days, and public-holiday hours.

    On a public holiday the centre keeps the normal hours of that weekday unless
    ``public_holiday_hours`` says otherwise; an exceptional day beats both.
    """

    weekly: tuple[Hours, Hours, Hours, Hours, Hours, Hours, Hours]
    public_holiday_hours: Hours | None = None
    exceptions: tuple[ExceptionalDay, ...] = ()
    _by_day: Mapping[date, ExceptionalDay] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_day = {exception.day: exception for exception in self.exceptions}
        if len(by_day) != len(self.exceptions):
            raise ValueError("Un jour exceptionnel est défini deux fois")
        object.__setattr__(self, "_by_day", MappingProxyType(by_day))

    @classmethod
    def every_day(
        cls,
        *hours: TimeRange,
        public_holiday_hours: Hours | None = None,
        exceptions: tuple[ExceptionalDay, ...] = (),
    ) -> OpeningHours:
        return cls((hours,) * 7, public_holiday_hours, exceptions)

    def hours_on(self, day: date, is_public_holiday: bool) -> Hours:
        exception = self._by_day.get(day)
        if exception is not None:
            return exception.hours
        if is_public_holiday and self.public_holiday_hours is not None:
            return self.public_holiday_hours
        return self.weekly[day.weekday()]


def opening_intervals(
    opening: OpeningHours, region: HolidayRegion, time_zone: str, day: date
) -> tuple[Interval, ...]:
    """When a centre is open on a local date, as UTC intervals (empty when closed)."""
    is_holiday = day_type(region, day) is DayType.PUBLIC_HOLIDAY
    return tuple(hours.on(day, time_zone) for hours in opening.hours_on(day, is_holiday))


def days_between(first_day: date, last_day: date) -> Iterable[date]:
    """Every date from first_day to last_day, both included."""
    for offset in range((last_day - first_day).days + 1):
        yield first_day + timedelta(days=offset)
