"""Database rows ↔ the plain rota values the decision modules work on.

Identifiers: a centre is known by its slug (stable, readable in messages and calendar UIDs),
a doctor, shift or leave by its database id as a string. Rooms are known by their code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time

from rota import models
from rota.coverage import CoverNeeds, CoverSegment
from rota.days import DayType, ExceptionalDay, Hours, OpeningHours, TimeRange, holiday_region
from rota.domain import (
    CentrePlan,
    DoctorPlan,
    LeaveSpan,
    LeaveStatus,
    PlannedShift,
    Seniority,
    Supervision,
)
from rota.patterns import ShiftPattern


def hours_of(pairs: Iterable[Iterable[str]]) -> Hours:
    """[["08:00", "20:00"], ...] → sorted TimeRanges; ValueError on a malformed pair."""
    ranges = []
    for pair in pairs:
        start, end = pair
        ranges.append(TimeRange(time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(sorted(ranges))


def hours_json(hours: Iterable[TimeRange]) -> list[list[str]]:
    return [[f"{r.start:%H:%M}", f"{r.end:%H:%M}"] for r in hours]


def opening_of(
    centre: models.Centre, exceptions: Iterable[models.ExceptionalDay] = ()
) -> OpeningHours:
    weekly = tuple(hours_of(centre.opening_hours.get(str(iso), [])) for iso in range(1, 8))
    holiday = centre.public_holiday_hours
    return OpeningHours(
        weekly=weekly,  # type: ignore[arg-type]  # always seven days, built above
        public_holiday_hours=hours_of(holiday) if holiday is not None else None,
        exceptions=tuple(
            ExceptionalDay(row.day, hours_of(row.hours), row.reason) for row in exceptions
        ),
    )


def centre_to_domain(
    centre: models.Centre, exceptions: Iterable[models.ExceptionalDay] = ()
) -> CentrePlan:
    return CentrePlan(
        id=centre.slug,
        name=centre.name,
        city=centre.city,
        time_zone=centre.timezone,
        region=holiday_region(
            centre.country, centre.subdivision, whit_monday_is_holiday=centre.whit_monday_is_holiday
        ),
        opening=opening_of(centre, exceptions),
        rooms=tuple(room.code for room in centre.rooms_in_use),
        address=centre.address,
        supervision=Supervision(centre.interns_need_supervisor, centre.juniors_need_senior),
    )


def doctor_to_domain(doctor: models.Doctor, centre_slugs: Iterable[str]) -> DoctorPlan:
    return DoctorPlan(
        id=str(doctor.id),
        display_name=doctor.display_name,
        centre_ids=frozenset(centre_slugs),
        weekly_limit_hours=doctor.weekly_limit_hours,
        min_rest_hours=doctor.min_rest_hours,
        seniority=Seniority(doctor.seniority),
        supervisor_id=None if doctor.supervisor_id is None else str(doctor.supervisor_id),
    )


def shift_of(
    shift_id: int | str,
    doctor_id: int,
    centre_slug: str,
    room_code: str | None,
    start: datetime,
    end: datetime,
) -> PlannedShift:
    return PlannedShift(str(shift_id), str(doctor_id), centre_slug, start, end, room_code)


def leave_to_domain(leave: models.Leave) -> LeaveSpan:
    return LeaveSpan(
        id=str(leave.id),
        doctor_id=str(leave.doctor_id),
        start=leave.starts_at,
        end=leave.ends_at,
        status=LeaveStatus(leave.status),
        reason=leave.reason,
    )


def cover_needs_of(rows: Iterable[models.CoverNeed]) -> CoverNeeds:
    by_kind: dict[DayType, list[CoverSegment]] = {kind: [] for kind in DayType}
    for row in rows:
        by_kind[DayType(row.day_type)].append(
            CoverSegment(row.start_time, row.end_time, row.doctors)
        )
    return CoverNeeds(
        weekday=tuple(sorted(by_kind[DayType.WEEKDAY])),
        weekend=tuple(sorted(by_kind[DayType.WEEKEND])),
        public_holiday=tuple(sorted(by_kind[DayType.PUBLIC_HOLIDAY])),
    )


def pattern_to_domain(
    pattern: models.ShiftPattern, centre_slug: str, room_code: str | None
) -> ShiftPattern:
    return ShiftPattern(
        id=f"pattern-{pattern.id}" if pattern.id is not None else "pattern-new",
        doctor_id=str(pattern.doctor_id),
        centre_id=centre_slug,
        weekdays=frozenset(iso - 1 for iso in pattern.weekdays),  # ISO → 0 = Monday
        start_time=pattern.start_time,
        end_time=pattern.end_time,
        first_day=pattern.first_day,
        last_day=pattern.last_day,
        room=room_code,
        interval_weeks=pattern.interval_weeks,
        exception_days=frozenset(date.fromisoformat(day) for day in pattern.exception_days),
        skip_public_holidays=pattern.skip_public_holidays,
    )


def centre_slugs_by_doctor(
    attachments: Iterable[tuple[int, int]], slug_of: Mapping[int, str]
) -> dict[int, list[str]]:
    """(doctor_id, centre_id) pairs → doctor id → slugs of the centres attached."""
    found: dict[int, list[str]] = {}
    for doctor_id, centre_id in attachments:
        found.setdefault(doctor_id, []).append(slug_of[centre_id])
    return found
