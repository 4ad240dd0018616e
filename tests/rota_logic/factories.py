"""Small builders for rota test data: one call per object, sensible defaults."""

from __future__ import annotations

from datetime import date, datetime, time

from rota.days import ExceptionalDay, HolidayRegion, OpeningHours, TimeRange, holiday_region
from rota.domain import CentrePlan, DoctorPlan, PlannedShift

PARIS = "Europe/Paris"
BRUSSELS = "Europe/Brussels"
# 2026 DST changes in the EU: last Sundays of March and October.
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)


def make_centre(
    centre_id: str = "lyon",
    *,
    name: str | None = None,
    time_zone: str = PARIS,
    region: HolidayRegion | None = None,
    opens: time = time(8),
    closes: time = time(20),
    rooms: tuple[str, ...] = ("1", "2", "3"),
    public_holiday_hours: tuple[TimeRange, ...] | None = None,
    exceptions: tuple[ExceptionalDay, ...] = (),
) -> CentrePlan:
    return CentrePlan(
        id=centre_id,
        name=name or centre_id.capitalize(),
        city=name or centre_id.capitalize(),
        time_zone=time_zone,
        region=region or holiday_region("FR"),
        opening=OpeningHours.every_day(
            TimeRange(opens, closes),
            public_holiday_hours=public_holiday_hours,
            exceptions=exceptions,
        ),
        rooms=rooms,
    )


def make_doctor(
    doctor_id: str = "d1",
    *centre_ids: str,
    name: str | None = None,
    weekly_limit_hours: float | None = 48.0,
    min_rest_hours: float = 11.0,
) -> DoctorPlan:
    return DoctorPlan(
        id=doctor_id,
        display_name=name or f"Dr {doctor_id.upper()}",
        centre_ids=frozenset(centre_ids or ("lyon",)),
        weekly_limit_hours=weekly_limit_hours,
        min_rest_hours=min_rest_hours,
    )


def at(centre: CentrePlan, day: date, hour: int, minute: int = 0) -> datetime:
    return centre.instant(day, time(hour, minute))


def make_shift(
    shift_id: str,
    doctor_id: str,
    centre: CentrePlan,
    day: date,
    start_hour: float,
    end_hour: float,
    room: str | None = None,
    end_day: date | None = None,
) -> PlannedShift:
    def wall(hour: float) -> time:
        return time(int(hour), round((hour % 1) * 60))

    return PlannedShift(
        id=shift_id,
        doctor_id=doctor_id,
        centre_id=centre.id,
        start=centre.instant(day, wall(start_hour)),
        end=centre.instant(end_day or day, wall(end_hour)),
        room=room,
    )
