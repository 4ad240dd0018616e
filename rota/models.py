"""Rota tables: centres and rooms (the queue needs them too), doctors, shifts, leave, needs.

Instants are stored in UTC; local things (exceptional days, cover-need times, pattern times)
are stored as the centre's wall-clock values and turned into instants by rota.days.
Rows become the plain rota.domain values in rota.convert, where every decision is taken.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import BigIntAuditBase

# Opening hours per ISO weekday (1 = Monday ... 7 = Sunday) as lists of ["HH:MM", "HH:MM"].
OpeningHours = dict[str, list[list[str]]]
# Hours of one day as ["HH:MM", "HH:MM"] pairs (public-holiday hours, exceptional days).
DayHours = list[list[str]]


class Centre(BigIntAuditBase):
    __tablename__ = "centre"

    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    subdivision: Mapped[str | None] = mapped_column(String(16), nullable=True, default=None)
    opening_hours: Mapped[OpeningHours] = mapped_column(JsonB, default=dict)
    # Bumped in the same transaction as every change at this centre: screens use it to
    # notice a missed event and ask for a fresh snapshot.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    city: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    # Whit Monday is a "journée de solidarité" in France: many networks keep weekday cover.
    whit_monday_is_holiday: Mapped[bool] = mapped_column(Boolean, default=True)
    # None: on a public holiday the centre keeps that weekday's usual hours.
    public_holiday_hours: Mapped[DayHours | None] = mapped_column(
        JsonB, nullable=True, default=None
    )
    # Supervision rules (rota.checks): an intern's shift needs their maître de stage on duty
    # here for the whole shift; a junior's needs some senior here.
    interns_need_supervisor: Mapped[bool] = mapped_column(Boolean, default=True)
    juniors_need_senior: Mapped[bool] = mapped_column(Boolean, default=True)
    # The managers' home raises an alert when a patient has waited longer than this.
    wait_alert_minutes: Mapped[int] = mapped_column(Integer, default=45, server_default="45")

    rooms: Mapped[list[Room]] = relationship(
        back_populates="centre", lazy="selectin", order_by="Room.position"
    )

    @property
    def rooms_in_use(self) -> list[Room]:
        """The rooms that take calls and shifts: retired ones stay in `rooms` for history."""
        return [room for room in self.rooms if room.retired_at is None]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service_day(self, at: datetime) -> date:
        """The local date of an instant at this centre: the day a ticket belongs to."""
        return at.astimezone(self.tz).date()


class Room(BigIntAuditBase):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("centre_id", "code", name="uq_room_code"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))  # short, used in URLs and announcements
    name: Mapped[str] = mapped_column(String(100))  # "Cabinet 3"
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired, not deleted: tickets, shifts and audit entries naming the room still resolve.
    retired_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True, default=None
    )

    centre: Mapped[Centre] = relationship(back_populates="rooms", lazy="raise")


class ExceptionalDay(BigIntAuditBase):
    """A local date with other hours than usual; no hours means closed."""

    __tablename__ = "exceptional_day"
    __table_args__ = (UniqueConstraint("centre_id", "day", name="uq_exceptional_day"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    hours: Mapped[DayHours] = mapped_column(JsonB, default=list)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Doctor(BigIntAuditBase):
    __tablename__ = "doctor"

    display_name: Mapped[str] = mapped_column(String(120))
    # RPPS: the 11-digit national practitioner number; unique when given (NULLs never clash).
    rpps: Mapped[str | None] = mapped_column(String(11), nullable=True, unique=True)
    weekly_limit_hours: Mapped[float | None] = mapped_column(Float, nullable=True, default=48.0)
    min_rest_hours: Mapped[float] = mapped_column(Float, default=11.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    seniority: Mapped[str] = mapped_column(String(8), default="senior")  # rota.domain.Seniority
    # An intern's maître de stage: a senior doctor.
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("doctor.id", ondelete="SET NULL"), nullable=True, default=None
    )


class DoctorCentre(BigIntAuditBase):
    """A doctor may work at a centre (rota checks refuse shifts elsewhere)."""

    __tablename__ = "doctor_centre"
    __table_args__ = (UniqueConstraint("doctor_id", "centre_id", name="uq_doctor_centre"),)

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))


class ShiftPattern(BigIntAuditBase):
    """A repeating weekly session; creating one writes its shifts, edited one by one after."""

    __tablename__ = "shift_pattern"

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), nullable=True
    )
    weekdays: Mapped[list[int]] = mapped_column(JsonB)  # ISO: 1 = Monday … 7 = Sunday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)  # at or before start_time: ends next day
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    exception_days: Mapped[list[str]] = mapped_column(JsonB, default=list)  # ISO dates
    skip_public_holidays: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )


class Shift(BigIntAuditBase):
    __tablename__ = "shift"
    __table_args__ = (
        # The views load a period per centre, the checks a period per doctor.
        Index("ix_shift_centre_start", "centre_id", "starts_at"),
        Index("ix_shift_doctor_start", "doctor_id", "starts_at"),
    )

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), nullable=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_pattern.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )


class Leave(BigIntAuditBase):
    __tablename__ = "leave"
    __table_args__ = (Index("ix_leave_doctor_start", "doctor_id", "starts_at"),)

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # rota.domain.LeaveStatus
    reason: Mapped[str] = mapped_column(String(200), default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class CoverNeed(BigIntAuditBase):
    """N doctors wanted at a centre between two local times on one kind of day."""

    __tablename__ = "cover_need"
    __table_args__ = (Index("ix_cover_need_centre", "centre_id"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    day_type: Mapped[str] = mapped_column(String(16))  # rota.days.DayType
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    doctors: Mapped[int] = mapped_column(Integer)


class CalendarToken(BigIntAuditBase):
    """A doctor's calendar subscription; only a SHA-256 of the secret token is kept."""

    __tablename__ = "calendar_token"

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class Availability(BigIntAuditBase):
    """A doctor's word on a local day or half-day of a month to plan (rota.domain.DayState)."""

    __tablename__ = "availability"
    __table_args__ = (
        UniqueConstraint("doctor_id", "day", "part", name="uq_availability"),
        Index("ix_availability_day", "day"),
    )

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    part: Mapped[str] = mapped_column(String(10), default="day")  # day, morning, afternoon
    state: Mapped[str] = mapped_column(String(12))  # available, preferred, unavailable


class MonthWish(BigIntAuditBase):
    """How much a doctor wants to work in a month (soft targets) and at most how many weekends."""

    __tablename__ = "month_wish"
    __table_args__ = (UniqueConstraint("doctor_id", "month", name="uq_month_wish"),)

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    wanted_shifts: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    wanted_hours: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)
    max_weekends: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)


class PlanningCycle(BigIntAuditBase):
    """A month's planning: availability open → solved → reviewed (applied) → published.

    ``published`` keeps the shifts as last published (id → doctor, centre, start, end), so that
    a publication tells each doctor what changed for them and later edits show as a diff.
    """

    __tablename__ = "planning_cycle"

    month: Mapped[date] = mapped_column(Date, unique=True)  # the first day of the month
    status: Mapped[str] = mapped_column(String(12), default="open")  # rota.cycle.CycleStatus
    published: Mapped[dict[str, list[str]]] = mapped_column(JsonB, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class RotaNotice(BigIntAuditBase):
    """An in-app notice to a doctor: what a publication changed for them."""

    __tablename__ = "rota_notice"
    __table_args__ = (Index("ix_rota_notice_doctor", "doctor_id"),)

    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("planning_cycle.id", ondelete="SET NULL"), nullable=True
    )
    message: Mapped[str] = mapped_column(String(2000))
    message_en: Mapped[str] = mapped_column(String(2000))
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class ShiftOffer(BigIntAuditBase):
    """A doctor gives away one of their future shifts, or swaps it against a colleague's.

    Open until a colleague takes it (a swap: until the colleague named by ``swap_shift_id``
    accepts), then taken until a manager approves (the shifts move) or refuses; the doctor
    may withdraw it before approval. An open or taken offer whose shift has begun is expired
    (rota.offers.status_of): nothing moves after the fact.
    """

    __tablename__ = "shift_offer"
    __table_args__ = (Index("ix_shift_offer_status", "status"),)

    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    from_doctor_id: Mapped[int] = mapped_column(ForeignKey("doctor.id", ondelete="CASCADE"))
    # A swap: the colleague's shift the offerer would work instead of theirs.
    swap_shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift.id", ondelete="CASCADE"), nullable=True
    )
    taker_doctor_id: Mapped[int | None] = mapped_column(
        ForeignKey("doctor.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default="open")  # rota.offers.OfferStatus
    note: Mapped[str] = mapped_column(String(200), default="")
    taken_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class SolveRun(BigIntAuditBase):
    """A month's solve as every replica sees it. The replica that solves writes its progress
    here every second and, at the end, the preview; any replica answers, cancels or applies it
    (behind a round-robin proxy a manager's next request rarely reaches the same replica).
    ``run_key`` tells runs of one month apart: a runner whose key is gone was replaced."""

    __tablename__ = "rota_solve_run"

    month: Mapped[date] = mapped_column(Date, unique=True)  # the first day of the month
    run_key: Mapped[str] = mapped_column(String(32))
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    answer: Mapped[dict[str, object]] = mapped_column(JsonB)  # the API's SolveOut, as last written
    # The preview to apply: [id, doctor id, centre id, start ISO, end ISO, room] lists under
    # "added", "moved" ([before, after] pairs) and "removed".
    changes: Mapped[dict[str, list[object]] | None] = mapped_column(JsonB, nullable=True)
