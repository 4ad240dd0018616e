"""What the rota offers the other features: opening hours, who is on duty, a day's shifts.

Other packages read the rota through this module only (tests/test_borders.py checks it), so
that the queue, the screens and the public board plan with the same hours and the same leave
rule as the managers' rota.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays
from litestar.di import NamedDependency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.convert import cover_needs_of, opening_of
from rota.coverage import CoverNeeds
from rota.days import (
    SUPPORTED_COUNTRIES,
    DayType,
    Interval,
    day_type,
    holiday_region,
    opening_intervals,
    public_holidays,
    zone,
)
from rota.deps import centre_by_slug
from rota.domain import LeaveStatus
from rota.on_duty import (
    DoctorOnDuty,
    PlannedShift,
    doctors_on_duty,
    planned_shifts,
    present_spans,
)
from service.params import PathText

__all__ = [
    "DayOpening",
    "DoctorCard",
    "DoctorOnDuty",
    "DoctorShift",
    "PlannedShift",
    "centre_holidays",
    "cover_needed_now",
    "day_opening",
    "doctor_by_account",
    "doctor_card",
    "doctor_shifts",
    "doctors_by_account",
    "doctors_needed_at",
    "doctors_on_duty",
    "holiday_subdivisions",
    "opening_hours",
    "opening_today",
    "provide_centre",
    "shifts_on_day",
]


@dataclass(frozen=True)
class DayOpening:
    """When a centre is open on one local day: weekly hours, unless it is a public holiday
    with its own hours (Whit Monday counting as the centre says) or an exceptional day."""

    day: date
    time_zone: str
    intervals: tuple[Interval, ...]  # UTC, in order; empty: closed all day

    @property
    def closed(self) -> bool:
        return not self.intervals

    @property
    def opens(self) -> datetime | None:
        return self.intervals[0].start if self.intervals else None

    @property
    def closes(self) -> datetime | None:
        return self.intervals[-1].end if self.intervals else None

    def open_at(self, at: datetime) -> bool:
        return any(span.start <= at < span.end for span in self.intervals)

    def local_hours(self) -> list[list[str]]:
        """[["09:00", "13:00"], ...] in the centre's wall-clock time."""
        tz = zone(self.time_zone)
        return [
            [f"{span.start.astimezone(tz):%H:%M}", f"{span.end.astimezone(tz):%H:%M}"]
            for span in self.intervals
        ]


def day_opening(
    centre: models.Centre, exceptions: Iterable[models.ExceptionalDay], day: date
) -> DayOpening:
    """The rota's opening of a centre on a local day (pure: the rows are given)."""
    region = holiday_region(
        centre.country, centre.subdivision, whit_monday_is_holiday=centre.whit_monday_is_holiday
    )
    opening = opening_of(centre, [row for row in exceptions if row.day == day])
    intervals = opening_intervals(opening, region, centre.timezone, day)
    return DayOpening(day, centre.timezone, intervals)


async def opening_hours(
    session: AsyncSession, centres: Sequence[models.Centre], day: date
) -> dict[int, DayOpening]:
    """Each centre's opening on the local date ``day``, by centre id (one query)."""
    if not centres:
        return {}
    rows = await session.execute(
        select(models.ExceptionalDay).where(
            models.ExceptionalDay.centre_id.in_([centre.id for centre in centres]),
            models.ExceptionalDay.day == day,
        )
    )
    exceptions: dict[int, list[models.ExceptionalDay]] = defaultdict(list)
    for row in rows.scalars():
        exceptions[row.centre_id].append(row)
    return {centre.id: day_opening(centre, exceptions[centre.id], day) for centre in centres}


async def opening_today(
    session: AsyncSession, centres: Sequence[models.Centre], now: datetime
) -> dict[int, DayOpening]:
    """Each centre's opening on its own service day at ``now`` (zones may differ)."""
    by_day: dict[date, list[models.Centre]] = defaultdict(list)
    for centre in centres:
        by_day[centre.service_day(now)].append(centre)
    found: dict[int, DayOpening] = {}
    for day, same_day in by_day.items():
        found.update(await opening_hours(session, same_day, day))
    return found


def holiday_subdivisions() -> dict[str, list[str]]:
    """The countries whose public holidays the rota knows, each with its region codes (what a
    centre's `country` and `subdivision` accept)."""
    return {
        code: sorted(holidays.country_holidays(code).subdivisions)
        for code in sorted(SUPPORTED_COUNTRIES)
    }


def doctors_needed_at(needs: CoverNeeds, kind: DayType, wall: time) -> int:
    """How many doctors the needs ask for at a local time on that kind of day (overlapping
    needs are each to be met, so the largest counts, as in the coverage view)."""
    return max((s.doctors for s in needs.segments_for(kind) if s.start <= wall < s.end), default=0)


async def cover_needed_now(
    session: AsyncSession, centres: Sequence[models.Centre], now: datetime
) -> dict[int, int]:
    """Doctors each centre needs at ``now`` by its cover needs (0 where none is set)."""
    if not centres:
        return {}
    rows = await session.execute(
        select(models.CoverNeed).where(
            models.CoverNeed.centre_id.in_([centre.id for centre in centres])
        )
    )
    by_centre: dict[int, list[models.CoverNeed]] = defaultdict(list)
    for row in rows.scalars():
        by_centre[row.centre_id].append(row)
    needed: dict[int, int] = {}
    for centre in centres:
        local = now.astimezone(centre.tz)
        region = holiday_region(
            centre.country,
            centre.subdivision,
            whit_monday_is_holiday=centre.whit_monday_is_holiday,
        )
        kind = day_type(region, local.date())
        needs = cover_needs_of(by_centre[centre.id])
        needed[centre.id] = doctors_needed_at(needs, kind, local.time().replace(tzinfo=None))
    return needed


async def shifts_on_day(
    session: AsyncSession, centre: models.Centre, day: date
) -> list[PlannedShift]:
    """The shifts at the centre that touch the local day, approved leave taken out."""
    start = datetime.combine(day, time(0), centre.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), centre.tz).astimezone(UTC)
    return await planned_shifts(session, centre.id, start, end)


async def provide_centre(
    centre_slug: PathText, db_session: NamedDependency[AsyncSession]
) -> models.Centre:
    """The centre named in the path, for a handler's ``Provide``; 404 if unknown."""
    return await centre_by_slug(db_session, centre_slug)


@dataclass(frozen=True)
class DoctorCard:
    """A doctor as the statistics name them: who, and the staff account they call with."""

    id: int
    display_name: str
    rpps: str | None
    account_id: int | None


@dataclass(frozen=True)
class DoctorShift:
    """One of a doctor's shifts, with the hours actually worked (approved leave taken out)."""

    centre_id: int
    start: datetime  # UTC, as planned
    end: datetime
    present: tuple[tuple[datetime, datetime], ...]

    @property
    def hours_worked(self) -> float:
        return sum((b - a).total_seconds() for a, b in self.present) / 3600


def _card(doctor: models.Doctor) -> DoctorCard:
    return DoctorCard(doctor.id, doctor.display_name, doctor.rpps, doctor.account_id)


async def doctor_card(session: AsyncSession, doctor_id: int) -> DoctorCard | None:
    doctor = await session.get(models.Doctor, doctor_id)
    return _card(doctor) if doctor is not None else None


async def doctor_by_account(session: AsyncSession, account_id: int) -> DoctorCard | None:
    """The doctor who signs in with this staff account, if any."""
    found = await session.execute(
        select(models.Doctor).where(models.Doctor.account_id == account_id)
    )
    doctor = found.scalar_one_or_none()
    return _card(doctor) if doctor is not None else None


async def doctors_by_account(session: AsyncSession, account_ids: Iterable[int]) -> dict[int, str]:
    """Doctors' names by the staff account they call with."""
    wanted = sorted(set(account_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(models.Doctor.account_id, models.Doctor.display_name).where(
            models.Doctor.account_id.in_(wanted)
        )
    )
    return {int(account): name for account, name in rows.tuples() if account is not None}


async def doctor_shifts(
    session: AsyncSession, doctor_id: int, start: datetime, end: datetime
) -> list[DoctorShift]:
    """The doctor's shifts starting in [start, end), at every centre, less approved leave."""
    shifts = (
        (
            await session.execute(
                select(models.Shift)
                .where(
                    models.Shift.doctor_id == doctor_id,
                    models.Shift.starts_at >= start,
                    models.Shift.starts_at < end,
                )
                .order_by(models.Shift.starts_at)
            )
        )
        .scalars()
        .all()
    )
    leaves = (
        await session.execute(
            select(models.Leave.starts_at, models.Leave.ends_at).where(
                models.Leave.doctor_id == doctor_id,
                models.Leave.status == LeaveStatus.APPROVED.value,
                models.Leave.starts_at < end + timedelta(days=2),
                models.Leave.ends_at > start,
            )
        )
    ).tuples()
    away = list(leaves)
    return [
        DoctorShift(
            shift.centre_id,
            shift.starts_at,
            shift.ends_at,
            present_spans(shift.starts_at, shift.ends_at, away),
        )
        for shift in shifts
    ]


def centre_holidays(centre: models.Centre, first: date, last: date) -> dict[date, str]:
    """The centre's public holidays in [first, last] (its country, region and Whit Monday
    setting): local date -> French name."""
    region = holiday_region(
        centre.country, centre.subdivision, whit_monday_is_holiday=centre.whit_monday_is_holiday
    )
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in public_holidays(region, year).items():
            if first <= day <= last:
                found[day] = name
    return found
