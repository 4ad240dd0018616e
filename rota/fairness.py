"""Who carries the load: hours, weekend days, public-holiday days and late hours per doctor.

Counted by service day (local date of a shift's start at its centre) within the period, both
ends included. A day is counted once per doctor even with several shifts that day; a public
holiday on a weekend counts as a holiday, not a weekend day. Late hours are the part of a shift
after ``late_from`` local time (20:00 by default) and up to the next 06:00.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from rota.days import DayType, day_type, local_instant
from rota.domain import CentrePlan, DoctorPlan, PlannedShift


@dataclass(frozen=True)
class DoctorLoad:
    doctor_id: str
    shifts: int
    hours: float
    days_worked: int
    weekend_days: int
    holiday_days: int
    late_hours: float
    centre_ids: tuple[str, ...]


@dataclass(frozen=True)
class Spread:
    minimum: float
    maximum: float
    mean: float
    stdev: float  # population standard deviation: the doctors listed are the whole population

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0.0, 0.0, 0.0, 0.0)
        return cls(
            float(min(values)),
            float(max(values)),
            statistics.fmean(values),
            statistics.pstdev(values),
        )


@dataclass(frozen=True)
class FairnessReport:
    first_day: date
    last_day: date
    loads: tuple[DoctorLoad, ...]  # one per doctor given, also those without any shift
    hours: Spread
    weekend_days: Spread
    holiday_days: Spread
    late_hours: Spread


def _late_hours(shift: PlannedShift, centre: CentrePlan, day: date, late_from: time) -> float:
    """Hours of the shift between late_from on its service day and 06:00 the next morning."""
    late_start = local_instant(day, late_from, centre.time_zone)
    late_end = local_instant(day + timedelta(days=1), time(6), centre.time_zone)
    overlap = min(shift.end, late_end) - max(shift.start, late_start)
    return max(overlap.total_seconds(), 0.0) / 3600


def fairness(
    shifts: Iterable[PlannedShift],
    centres: Mapping[str, CentrePlan],
    doctors: Iterable[DoctorPlan],
    first_day: date,
    last_day: date,
    late_from: time = time(20),
) -> FairnessReport:
    """Per-doctor load over the period and its spread across the doctors given."""
    doctor_ids = [doctor.id for doctor in doctors]
    wanted = set(doctor_ids)
    count: dict[str, int] = defaultdict(int)
    hours: dict[str, float] = defaultdict(float)
    late: dict[str, float] = defaultdict(float)
    days: dict[str, set[date]] = defaultdict(set)
    weekend: dict[str, set[date]] = defaultdict(set)
    holiday: dict[str, set[date]] = defaultdict(set)
    where: dict[str, set[str]] = defaultdict(set)
    kinds: dict[tuple[str, date], DayType] = {}
    for shift in shifts:
        if shift.doctor_id not in wanted:
            continue
        centre = centres[shift.centre_id]
        day = centre.service_day(shift.start)
        if not first_day <= day <= last_day:
            continue
        kind = kinds.get((centre.id, day))
        if kind is None:
            kind = kinds[(centre.id, day)] = day_type(centre.region, day)
        doctor_id = shift.doctor_id
        count[doctor_id] += 1
        hours[doctor_id] += shift.hours
        days[doctor_id].add(day)
        where[doctor_id].add(centre.id)
        if kind is DayType.WEEKEND:
            weekend[doctor_id].add(day)
        elif kind is DayType.PUBLIC_HOLIDAY:
            holiday[doctor_id].add(day)
        if shift.end > local_instant(day, late_from, centre.time_zone):
            late[doctor_id] += _late_hours(shift, centre, day, late_from)
    loads = tuple(
        DoctorLoad(
            doctor_id=d,
            shifts=count[d],
            hours=round(hours[d], 4),
            days_worked=len(days[d]),
            weekend_days=len(weekend[d]),
            holiday_days=len(holiday[d]),
            late_hours=round(late[d], 4),
            centre_ids=tuple(sorted(where[d])),
        )
        for d in doctor_ids
    )
    return FairnessReport(
        first_day,
        last_day,
        loads,
        hours=Spread.of([load.hours for load in loads]),
        weekend_days=Spread.of([load.weekend_days for load in loads]),
        holiday_days=Spread.of([load.holiday_days for load in loads]),
        late_hours=Spread.of([load.late_hours for load in loads]),
    )
