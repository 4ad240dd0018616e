"""Repeating shift patterns ("every Tuesday 08:00–14:00 at Lyon, room 2") → concrete shifts.

Times of a pattern are local wall-clock times of the centre: a 08:00–14:00 pattern gives
08:00–14:00 local on both sides of a DST change, so its UTC instants move by an hour.
A wall time that does not exist or exists twice is resolved as in
:func:`rota.days.local_instant` (fold=0: a gap time is pushed forward by the gap, an
ambiguous time means its first occurrence). A shift that this makes empty (e.g. 02:00–03:00 on
the spring-forward night) is dropped rather than raised, since it has no working time at all.
An end time at or before the start time means the shift ends the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from rota.days import DayType, day_type, days_between
from rota.domain import CentrePlan, PlannedShift


@dataclass(frozen=True)
class ShiftPattern:
    id: str
    doctor_id: str
    centre_id: str
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday
    start_time: time
    end_time: time
    first_day: date
    last_day: date | None = None  # None: open-ended, bounded by the expansion window
    room: str | None = None
    interval_weeks: int = 1  # 2 = every other week, counted from the week of first_day
    exception_days: frozenset[date] = frozenset()
    skip_public_holidays: bool = False

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("Jours de la semaine invalides (0 = lundi … 6 = dimanche)")
        if self.interval_weeks < 1:
            raise ValueError("L'intervalle doit être d'au moins une semaine")
        if self.last_day is not None and self.last_day < self.first_day:
            raise ValueError("La date de fin précède la date de début")
        if self.start_time == self.end_time:
            raise ValueError("Le créneau est de durée nulle")


def shift_id_for(pattern_id: str, day: date) -> str:
    """Stable id of the shift a pattern gives on a day (calendar UIDs depend on it)."""
    return f"{pattern_id}@{day.isoformat()}"


def pattern_days(pattern: ShiftPattern, window_first: date, window_last: date) -> list[date]:
    """Days the pattern applies to within the window, before holiday and exception rules."""
    first = max(pattern.first_day, window_first)
    last = window_last if pattern.last_day is None else min(pattern.last_day, window_last)
    anchor_monday = pattern.first_day - timedelta(days=pattern.first_day.weekday())
    days = []
    for day in days_between(first, last) if first <= last else ():
        week_index = (day - anchor_monday).days // 7
        if day.weekday() in pattern.weekdays and week_index % pattern.interval_weeks == 0:
            days.append(day)
    return days


def expand_pattern(
    pattern: ShiftPattern, centre: CentrePlan, window_first: date, window_last: date
) -> list[PlannedShift]:
    """Concrete shifts of a pattern on the local days window_first..window_last (inclusive)."""
    if centre.id != pattern.centre_id:
        raise ValueError(
            f"Le modèle {pattern.id} concerne le centre {pattern.centre_id}, pas {centre.id}"
        )
    overnight = pattern.end_time <= pattern.start_time
    shifts = []
    for day in pattern_days(pattern, window_first, window_last):
        if day in pattern.exception_days:
            continue
        if pattern.skip_public_holidays and day_type(centre.region, day) is DayType.PUBLIC_HOLIDAY:
            continue
        start = centre.instant(day, pattern.start_time)
        end = centre.instant(day + timedelta(days=1) if overnight else day, pattern.end_time)
        if end <= start:
            continue
        shifts.append(
            PlannedShift(
                id=shift_id_for(pattern.id, day),
                doctor_id=pattern.doctor_id,
                centre_id=pattern.centre_id,
                start=start,
                end=end,
                room=pattern.room,
            )
        )
    return shifts
