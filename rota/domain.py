"""The plain data the rota logic works on: centres, doctors, shifts, leave.

Identifiers are strings so that database integers, UUIDs and demo ids all fit, and so that
calendar UIDs built from them stay stable. Instants are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from rota.days import HolidayRegion, OpeningHours, local_day, local_instant, zone


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} doit porter un fuseau horaire : {value.isoformat()}")


def _require_span(noun: str, span_id: str, start: datetime, end: datetime) -> None:
    """Both ends timezone-aware, and the end after the start (``noun``: "créneau", "congé")."""
    _require_aware(f"Le début du {noun}", start)
    _require_aware(f"La fin du {noun}", end)
    if end <= start:
        raise ValueError(f"{noun.capitalize()} {span_id} : la fin doit être postérieure au début")


class Seniority(StrEnum):
    SENIOR = "senior"
    JUNIOR = "junior"  # works beside any senior of the centre
    INTERN = "intern"  # works beside their own maître de stage


@dataclass(frozen=True)
class Supervision:
    """A centre's supervision rules (each a centre setting)."""

    interns_need_supervisor: bool = True
    juniors_need_senior: bool = True


@dataclass(frozen=True)
class CentrePlan:
    id: str
    name: str
    city: str
    time_zone: str  # IANA name, e.g. "Europe/Paris"
    region: HolidayRegion
    opening: OpeningHours
    rooms: tuple[str, ...] = ()
    address: str = ""
    supervision: Supervision = Supervision()

    def __post_init__(self) -> None:
        zone(self.time_zone)  # fail early with a clear ValueError

    def service_day(self, instant: datetime) -> date:
        return local_day(instant, self.time_zone)

    def instant(self, day: date, wall: time) -> datetime:
        return local_instant(day, wall, self.time_zone)

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.name, self.address, self.city) if part)


@dataclass(frozen=True)
class DoctorPlan:
    id: str
    display_name: str  # as shown to managers and colleagues, e.g. "Dr Claire Martin"
    centre_ids: frozenset[str]  # centres the doctor is attached to
    weekly_limit_hours: float | None = 48.0  # the doctor's own ceiling; None = no limit
    min_rest_hours: float = 11.0  # between two working days
    seniority: Seniority = Seniority.SENIOR
    supervisor_id: str | None = None  # an intern's maître de stage

    @property
    def min_rest(self) -> timedelta:
        return timedelta(hours=self.min_rest_hours)


@dataclass(frozen=True)
class PlannedShift:
    id: str
    doctor_id: str
    centre_id: str
    start: datetime
    end: datetime
    room: str | None = None

    def __post_init__(self) -> None:
        _require_span("créneau", self.id, self.start, self.end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class LeaveStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class LeaveSpan:
    """Unavailability of a doctor over [start, end) in UTC. Use :meth:`for_days` for whole days."""

    id: str
    doctor_id: str
    start: datetime
    end: datetime
    status: LeaveStatus = LeaveStatus.APPROVED
    reason: str = ""

    def __post_init__(self) -> None:
        _require_span("congé", self.id, self.start, self.end)

    @classmethod
    def for_days(
        cls,
        id: str,
        doctor_id: str,
        first_day: date,
        last_day: date,
        time_zone: str,
        status: LeaveStatus = LeaveStatus.APPROVED,
        reason: str = "",
    ) -> LeaveSpan:
        """Leave from local midnight of first_day to local midnight after last_day."""
        start = local_instant(first_day, time(0), time_zone)
        end = local_instant(last_day + timedelta(days=1), time(0), time_zone)
        return cls(id, doctor_id, start.astimezone(UTC), end.astimezone(UTC), status, reason)

    def local_days(self, time_zone: str) -> tuple[date, date]:
        """First and last local day of the leave (the end is exclusive: midnight after)."""
        last = self.end - timedelta(microseconds=1)
        return local_day(self.start, time_zone), local_day(last, time_zone)

    @property
    def blocks_work(self) -> bool:
        return self.status in (LeaveStatus.APPROVED, LeaveStatus.PENDING)
