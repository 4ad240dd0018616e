"""Request and response bodies of the queue API (validated by msgspec: bad input is a 400)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from msgspec import Meta, Struct

from queues.ordering import Priority
from queues.presence import PresenceState
from queues.states import TicketStatus
from service.text import HumanText, human_text_pattern

ClientKey = Annotated[str, Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
# Initials or a first name for calling: printable, short. No full name is needed.
Label = Annotated[str, Meta(min_length=1, max_length=40, pattern=human_text_pattern("<>"))]
Phone = Annotated[str, Meta(pattern=r"^\+?[0-9][0-9 .-]{5,18}[0-9]$")]
RoomCode = Annotated[HumanText, Meta(min_length=1, max_length=16)]
# No control characters: PostgreSQL refuses NUL, and a reason is one short line.
Reason = Annotated[HumanText, Meta(min_length=3, max_length=200)]


AheadCount = Annotated[int, Meta(ge=0, le=50)]
NearMinutes = Annotated[int, Meta(ge=1, le=240)]


class CheckInRequest(Struct, forbid_unknown_fields=True):
    priority: Priority = Priority.STANDARD
    client_key: ClientKey | None = None
    label: Label | None = None
    # A French or Belgian mobile: given at the desk when the patient asks for an SMS (that
    # is their consent); messages go to it when called and, if chosen, when near.
    phone: Phone | None = None
    notify_ahead: AheadCount | None = None
    notify_minutes: NearMinutes | None = None


class CallNextRequest(Struct, forbid_unknown_fields=True):
    room: RoomCode


class ActionRequest(Struct, forbid_unknown_fields=True):
    room: RoomCode | None = None


class PriorityRequest(Struct, forbid_unknown_fields=True):
    priority: Priority


class MoveToHeadRequest(Struct, forbid_unknown_fields=True):
    reason: Reason


class EstimateOut(Struct):
    """Minutes until called, with the 80 % interval; None minutes when nobody will call today."""

    wait_min: int | None
    low_min: int | None
    high_min: int | None
    # The expected call comes after closing: reception warns the patient at check-in.
    after_closing: bool


class TicketOut(Struct):
    id: int
    number: str
    priority: Priority
    status: TicketStatus
    service_day: date
    checked_in_at: datetime
    label: str | None
    phone: str | None
    room: str | None
    called_at: datetime | None
    call_count: int
    started_at: datetime | None
    ended_at: datetime | None
    head_reason: str | None
    position: int | None = None  # 1-based place in the queue, for waiting tickets
    estimate: EstimateOut | None = None  # for waiting tickets
    remote: bool = False  # taken from home (status not_arrived until confirmed)
    arrived_at: datetime | None = None
    # The patient's page (/t/<token>), for the QR code and the slip: staff answers only.
    link: str | None = None


class QueueOut(Struct):
    centre: str
    service_day: date
    checkin_open: bool
    seq: int
    tickets: list[TicketOut]
    newcomer: dict[str, EstimateOut]  # by priority: the wait a patient checking in now faces


class CheckinStateOut(Struct):
    centre: str
    service_day: date
    checkin_open: bool


class RoomOut(Struct):
    code: str
    name: str


class CentreOut(Struct):
    slug: str
    name: str
    timezone: str
    opening_hours: dict[str, list[list[str]]]
    rooms: list[RoomOut]


class MyDayOut(Struct):
    """A doctor's day so far: the patients they called, and how many they finished."""

    centre: str
    service_day: date
    seen: int
    tickets: list[TicketOut]


class PresenceRequest(Struct, forbid_unknown_fields=True):
    """The consulting-room page's beat: the room it shows and whether the doctor calls."""

    room: RoomCode
    state: PresenceState = PresenceState.PRESENT


class PresenceOut(Struct):
    """This doctor's presence after a beat or a leave (``state`` None: not in a room)."""

    state: PresenceState | None
    room: str | None
    since: datetime | None
    beat_s: int
    timeout_s: int


class DoctorPresenceOut(Struct):
    doctor_id: int
    display_name: str
    room: str
    room_name: str
    state: PresenceState
    since: datetime
