"""Request and response bodies of the rota API (msgspec validates: bad input is a 400).

Local dates and wall-clock times are the centre's; instants carry their UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from msgspec import UNSET, Meta, Struct, UnsetType, field

from rota.days import SUPPORTED_COUNTRIES
from service.text import HumanText

Slug = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Name = Annotated[HumanText, Meta(min_length=1, max_length=200)]
Text = Annotated[HumanText, Meta(max_length=200)]
RoomCode = Annotated[HumanText, Meta(min_length=1, max_length=16)]
Rpps = Annotated[str, Meta(pattern=r"^[0-9]{11}$")]
Hours = Annotated[float, Meta(gt=0, le=168)]
WaitAlertMinutes = Annotated[int, Meta(ge=5, le=600)]
RestHours = Annotated[float, Meta(ge=0, le=48)]
# Local wall-clock times are written "08:00" (seconds are not a planning unit).
Clock = Annotated[str, Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
DayHours = list[Annotated[list[Clock], Meta(min_length=2, max_length=2)]]
IsoWeekday = Annotated[int, Meta(ge=1, le=7)]
DayTypeName = Literal["weekday", "weekend", "public_holiday"]
SeniorityName = Literal["senior", "junior", "intern"]
# Instants must carry their UTC offset (the rota refuses naive ones): msgspec checks it and its
# schema then says `date-time`, which a datetime that may be naive is not.
Instant = Annotated[datetime, Meta(tz=True)]
# The rules below are the centre checks' (rota.days, api_centres), stated for the schema only
# (`extra_json_schema`) so that the refusals keep their messages.
TimeZoneName = Annotated[str, Meta(extra_json_schema={"enum": sorted(available_timezones())})]
CountryCode = Annotated[
    str,
    Meta(
        extra_json_schema={
            # Case and surrounding spaces do not matter to the check.
            "pattern": r"^\s*("
            + "|".join(
                "".join(f"[{c}{c.lower()}]" for c in code) for code in sorted(SUPPORTED_COUNTRIES)
            )
            + r")\s*$"
        }
    ),
]
WeeklyHours = Annotated[
    dict[str, DayHours], Meta(extra_json_schema={"propertyNames": {"pattern": "^[1-7]$"}})
]


# --- doctors ---------------------------------------------------------------------------------


class DoctorIn(Struct, forbid_unknown_fields=True):
    display_name: Name
    rpps: Rpps | None = None
    weekly_limit_hours: Hours | None = 48.0
    min_rest_hours: RestHours = 11.0
    active: bool = True
    account_id: int | None = None
    centres: list[Slug] = []
    seniority: SeniorityName = "senior"
    supervisor_id: int | None = None  # an intern's maître de stage (a senior)


class DoctorPatch(Struct, forbid_unknown_fields=True):
    display_name: Name | UnsetType = UNSET
    rpps: Rpps | UnsetType | None = UNSET
    weekly_limit_hours: Hours | UnsetType | None = UNSET
    min_rest_hours: RestHours | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    account_id: int | UnsetType | None = UNSET
    seniority: SeniorityName | UnsetType = UNSET
    supervisor_id: int | UnsetType | None = UNSET


class DoctorOut(Struct):
    id: int
    display_name: str
    rpps: str | None
    weekly_limit_hours: float | None
    min_rest_hours: float
    active: bool
    account_id: int | None
    centres: list[str]
    seniority: str
    supervisor_id: int | None


# --- centres ---------------------------------------------------------------------------------


class CentreIn(Struct, forbid_unknown_fields=True):
    slug: Slug
    name: Name
    timezone: TimeZoneName = "Europe/Paris"
    country: CountryCode = "FR"
    subdivision: str | None = None
    # ISO weekday "1".."7" → [["08:00", "20:00"]]
    opening_hours: WeeklyHours = {}
    city: Text = ""
    address: Text = ""
    whit_monday_is_holiday: bool = True
    public_holiday_hours: DayHours | None = None
    interns_need_supervisor: bool = True
    juniors_need_senior: bool = True
    wait_alert_minutes: WaitAlertMinutes = 45


class CentrePatch(Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    timezone: TimeZoneName | UnsetType = UNSET
    country: CountryCode | UnsetType = UNSET
    subdivision: str | UnsetType | None = UNSET
    opening_hours: WeeklyHours | UnsetType = UNSET
    city: Text | UnsetType = UNSET
    address: Text | UnsetType = UNSET
    whit_monday_is_holiday: bool | UnsetType = UNSET
    public_holiday_hours: DayHours | UnsetType | None = UNSET
    interns_need_supervisor: bool | UnsetType = UNSET
    juniors_need_senior: bool | UnsetType = UNSET
    wait_alert_minutes: WaitAlertMinutes | UnsetType = UNSET


class RoomIn(Struct, forbid_unknown_fields=True):
    code: RoomCode
    name: Name
    position: int = 0


class RoomPatch(Struct, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    position: int | UnsetType = UNSET
    # true: the room takes no more calls or shifts, its history stays; false: back in use
    retired: bool | UnsetType = UNSET


class RoomOrder(Struct, forbid_unknown_fields=True):
    """Every room code of the centre, in the order wanted (retired ones included)."""

    codes: Annotated[list[RoomCode], Meta(min_length=1, max_length=100)]


class RoomOut(Struct):
    code: str
    name: str
    position: int
    retired: bool = False


class ExceptionalDayIn(Struct, forbid_unknown_fields=True):
    hours: DayHours = []  # none: closed that day
    reason: Text = ""


class ExceptionalDayOut(Struct):
    day: date
    hours: list[list[str]]
    reason: str


class CoverNeedIn(Struct, forbid_unknown_fields=True):
    day_type: DayTypeName
    start: Clock
    end: Clock
    doctors: Annotated[int, Meta(ge=0, le=50)]


class CoverNeedOut(Struct):
    day_type: str
    start: str
    end: str
    doctors: int


class CentreRotaOut(Struct):
    slug: str
    name: str
    timezone: str
    country: str
    subdivision: str | None
    city: str
    address: str
    opening_hours: dict[str, list[list[str]]]
    whit_monday_is_holiday: bool
    public_holiday_hours: list[list[str]] | None
    rooms: list[RoomOut]
    interns_need_supervisor: bool
    juniors_need_senior: bool
    wait_alert_minutes: int


class HolidayOut(Struct):
    day: date
    name: str


# --- shifts and patterns ---------------------------------------------------------------------


class ShiftIn(Struct, forbid_unknown_fields=True):
    """Either start and end instants, or a local day with local start and end times."""

    doctor_id: int
    centre: Slug
    room: RoomCode | None = None
    start: Instant | None = None
    end: Instant | None = None
    day: date | None = None
    start_time: Clock | None = None
    end_time: Clock | None = None
    accept_warnings: bool = False


class ShiftMove(Struct, forbid_unknown_fields=True):
    """Only the fields given change; times as in ShiftIn. ``room: null`` frees the room."""

    doctor_id: int | UnsetType = UNSET
    centre: Slug | UnsetType = UNSET
    room: RoomCode | UnsetType | None = UNSET
    start: Instant | UnsetType = UNSET
    end: Instant | UnsetType = UNSET
    day: date | UnsetType = UNSET
    start_time: Clock | UnsetType = UNSET
    end_time: Clock | UnsetType = UNSET
    accept_warnings: bool = False
    # Only check: the answer lists the conflicts the move would bring, nothing is written.
    dry_run: bool = False


class ShiftOut(Struct):
    id: int
    doctor_id: int
    doctor: str
    centre: str
    room: str | None
    start: datetime
    end: datetime
    day: date  # the local service day
    local_start: str
    local_end: str
    pattern_id: int | None = None


class ConflictOut(Struct):
    kind: str
    severity: str
    doctor_id: int | None
    doctor: str | None
    centre: str | None
    start: datetime
    end: datetime
    message: str
    message_en: str
    shift_ids: list[int]


class ShiftChangeOut(Struct):
    shifts: list[ShiftOut]
    removed: list[int]
    accepted_warnings: list[ConflictOut]
    # A dry run's answer: what saving would bring (errors refuse, warnings ask to confirm).
    would_bring: list[ConflictOut] = []


class PatternIn(Struct, forbid_unknown_fields=True):
    doctor_id: int
    centre: Slug
    weekdays: Annotated[list[IsoWeekday], Meta(min_length=1, max_length=7)]
    start_time: Clock
    end_time: Clock
    first_day: date
    last_day: date | None = None  # none: the pattern's shifts are written 12 weeks ahead
    room: RoomCode | None = None
    interval_weeks: Annotated[int, Meta(ge=1, le=8)] = 1
    exception_days: list[date] = []
    skip_public_holidays: bool = False
    accept_warnings: bool = False


class PatternOut(Struct):
    id: int
    doctor_id: int
    centre: str
    room: str | None
    weekdays: list[int]
    start_time: Clock
    end_time: Clock
    first_day: date
    last_day: date
    interval_weeks: int
    exception_days: list[str]
    skip_public_holidays: bool


class PatternCreated(Struct):
    pattern: PatternOut
    shifts: list[ShiftOut]
    accepted_warnings: list[ConflictOut]


# --- leave -----------------------------------------------------------------------------------


class LeaveIn(Struct, forbid_unknown_fields=True):
    """Whole local days, first_day to last_day included."""

    doctor_id: int
    first_day: date
    last_day: date
    reason: Text = ""
    approved: bool = False  # a manager recording leave already agreed
    accept_warnings: bool = False


class LeaveDecision(Struct, forbid_unknown_fields=True):
    accept_warnings: bool = False


class LeaveOut(Struct):
    id: int
    doctor_id: int
    doctor: str
    start: datetime
    end: datetime
    status: str
    reason: str
    decided_by_id: int | None
    decided_at: datetime | None
    first_day: date  # the leave's local days, both included (start and end are instants)
    last_day: date


class LeaveChangeOut(Struct):
    leave: LeaveOut
    # What the leave does to the rota: shifts kept, to be resolved by the manager.
    conflicts: list[ConflictOut]


# --- views -----------------------------------------------------------------------------------


class GapOut(Struct):
    start: datetime
    end: datetime
    needed: int
    planned: int
    missing: int
    centre: str  # the centre's slug: network-wide lists mix centres
    centre_name: str
    day: date  # the centre's local day
    local: str  # "08:00–14:00" in the centre's time


class SegmentOut(Struct):
    start: datetime
    end: datetime
    local: str
    needed: int
    planned_min: int
    planned_max: int
    doctor_ids: list[int]


class DayCoverOut(Struct):
    centre: str
    day: date
    day_type: str
    holiday: str | None
    covered: bool
    segments: list[SegmentOut]
    gaps: list[GapOut]


class LoadOut(Struct):
    doctor_id: int
    doctor: str
    shifts: int
    hours: float
    days_worked: int
    weekend_days: int
    holiday_days: int
    late_hours: float
    centres: list[str]


class SpreadOut(Struct):
    minimum: float
    maximum: float
    mean: float
    stdev: float


class FairnessOut(Struct):
    first_day: date = field(name="from")
    last_day: date = field(name="to")
    hours: SpreadOut | None = None
    weekend_days: SpreadOut | None = None
    holiday_days: SpreadOut | None = None
    doctors: list[LoadOut] = []


class OnDutyOut(Struct):
    doctor_id: int
    doctor: str
    room: str | None
    start: datetime
    end: datetime


class FillIn(Struct, forbid_unknown_fields=True):
    first_day: date = field(name="from")
    last_day: date = field(name="to")
    centre: Slug | None = None
    apply: bool = False


class FillOut(Struct):
    applied: bool
    proposed: list[ShiftOut]
    remaining_gaps: list[GapOut]


# --- calendar tokens -------------------------------------------------------------------------


class CalendarTokenOut(Struct):
    id: int
    doctor_id: int
    created_at: datetime
    revoked_at: datetime | None
    url: str | None = None  # only once, at creation: the token itself is not stored


# --- the planning cycle ----------------------------------------------------------------------


class SolveIn(Struct, forbid_unknown_fields=True):
    time_limit_seconds: Annotated[float, Meta(gt=0, le=600)] = 30.0


class MovedOut(Struct):
    before: ShiftOut
    after: ShiftOut


class UncoveredOut(Struct):
    centre: str
    centre_name: str
    day: date
    local: str
    missing: int
    reason: str  # no_one_available, limits, supervision
    explanation: str
    explanation_en: str


class TermOut(Struct):
    term: str
    penalty: int
    count: int
    explanation: str
    explanation_en: str


class SolveOut(Struct):
    running: bool
    status: str | None
    seconds: float
    objective: int | None
    bound: int | None
    gaps_left: int | None
    solutions: int
    error: str | None
    added: list[ShiftOut]
    moved: list[MovedOut]
    removed: list[ShiftOut]
    uncovered: list[UncoveredOut]
    refused: list[ConflictOut]  # proposals the checker refused (left out of the plan)
    terms: list[TermOut]


class DoctorDiffOut(Struct):
    doctor_id: int
    doctor: str
    added: list[ShiftOut]
    removed: list[ShiftOut]


class CycleOut(Struct):
    month: date
    status: str
    published_at: datetime | None
    solve: SolveOut | None
    # After publication: what changed since, per doctor.
    since_published: list[DoctorDiffOut]


class AppliedOut(Struct):
    written: int
    removed: int
    accepted_warnings: list[ConflictOut]


# --- a doctor's own space -----------------------------------------------------------------------

DayPartName = Literal["day", "morning", "afternoon"]
DayStateName = Literal["available", "preferred", "unavailable"]


class DayWordIn(Struct, forbid_unknown_fields=True):
    day: date
    state: DayStateName
    part: DayPartName = "day"


class PlanIn(Struct, forbid_unknown_fields=True):
    """A doctor's availability and wishes for a month (replaces what they said before)."""

    days: Annotated[list[DayWordIn], Meta(max_length=93)] = []
    wanted_shifts: Annotated[int, Meta(ge=0, le=62)] | None = None
    wanted_hours: Annotated[float, Meta(ge=0, le=400)] | None = None
    max_weekends: Annotated[int, Meta(ge=0, le=5)] | None = None


class PlanOut(Struct):
    month: date
    cycle_status: str
    days: list[DayWordIn]
    wanted_shifts: int | None
    wanted_hours: float | None
    max_weekends: int | None


class MeOut(Struct):
    doctor_id: int
    display_name: str
    seniority: str
    centres: list[str]


class LeaveAskIn(Struct, forbid_unknown_fields=True):
    first_day: date
    last_day: date
    reason: Text = ""


class NoticeOut(Struct):
    id: int
    created_at: datetime
    message: str
    message_en: str


# --- shift offers: give away or swap a shift ---------------------------------------------


ShiftId = Annotated[int, Meta(ge=1, le=2**53 - 1)]  # bounded: a 400, not a driver overflow


class OfferIn(Struct, forbid_unknown_fields=True):
    shift_id: ShiftId
    # A swap: one of a colleague's shifts, that the offerer would work instead.
    swap_shift_id: ShiftId | None = None
    note: Text = ""


class OfferTakeIn(Struct, forbid_unknown_fields=True):
    accept_warnings: bool = False


class OfferOut(Struct):
    id: int
    kind: Literal["give", "swap"]
    status: str  # rota.offers.OfferStatus
    shift: ShiftOut
    swap_shift: ShiftOut | None
    from_doctor_id: int
    from_doctor: str
    taker_doctor_id: int | None
    taker_doctor: str | None
    note: str
    created_at: datetime
    taken_at: datetime | None
    decided_at: datetime | None
