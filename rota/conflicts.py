"""What a check reports: a conflict with a stable kind code, a severity and a message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConflictKind(StrEnum):
    DOUBLE_BOOKING = "double_booking"  # a doctor in two places at once
    ROOM_DOUBLE_BOOKING = "room_double_booking"  # two doctors in one consulting room
    UNKNOWN_ROOM = "unknown_room"
    ON_LEAVE = "on_leave"  # approved leave
    LEAVE_PENDING = "leave_pending"  # leave asked for, not yet decided
    OUTSIDE_OPENING = "outside_opening"
    REST_TOO_SHORT = "rest_too_short"
    WEEKLY_LIMIT = "weekly_limit"
    NOT_ASSIGNED_TO_CENTRE = "not_assigned_to_centre"
    UNDER_COVER = "under_cover"
    # Approving leave over planned shifts: the absence is a fact, the shifts are to reassign.
    SHIFT_UNDER_LEAVE = "shift_under_leave"
    UNSUPERVISED = "unsupervised"  # an intern without their maître de stage, a junior alone


class Severity(StrEnum):
    ERROR = "error"  # the rota cannot work as planned
    WARNING = "warning"  # a manager may accept it knowingly


# Rest and weekly limits are the self-employed doctor's own settings, and cover is a target:
# a manager may knowingly override them. The others make the plan impossible or unlawful.
SEVERITY: Mapping[ConflictKind, Severity] = {
    ConflictKind.DOUBLE_BOOKING: Severity.ERROR,
    ConflictKind.ROOM_DOUBLE_BOOKING: Severity.ERROR,
    ConflictKind.UNKNOWN_ROOM: Severity.ERROR,
    ConflictKind.ON_LEAVE: Severity.ERROR,
    ConflictKind.LEAVE_PENDING: Severity.WARNING,
    ConflictKind.OUTSIDE_OPENING: Severity.ERROR,
    ConflictKind.REST_TOO_SHORT: Severity.WARNING,
    ConflictKind.WEEKLY_LIMIT: Severity.WARNING,
    ConflictKind.NOT_ASSIGNED_TO_CENTRE: Severity.ERROR,
    ConflictKind.UNDER_COVER: Severity.WARNING,
    ConflictKind.SHIFT_UNDER_LEAVE: Severity.WARNING,
    # Supervision is the condition of a trainee's right to practise: not a manager's choice.
    ConflictKind.UNSUPERVISED: Severity.ERROR,
}


@dataclass(frozen=True)
class RotaConflict:
    """One problem in a rota. ``message`` is French (shown first), ``message_en`` English.

    ``start``/``end`` are UTC instants of the problem itself (the overlap, the short rest, the
    uncovered span, the week). doctor_id is None for cover gaps, centre_id None for problems of
    a doctor across centres (weekly limit, rest).
    """

    kind: ConflictKind
    severity: Severity
    doctor_id: str | None
    centre_id: str | None
    start: datetime
    end: datetime
    message: str
    message_en: str
    shift_ids: tuple[str, ...] = ()


def make_conflict(
    kind: ConflictKind,
    doctor_id: str | None,
    centre_id: str | None,
    start: datetime,
    end: datetime,
    message: str,
    message_en: str,
    shift_ids: tuple[str, ...] = (),
) -> RotaConflict:
    return RotaConflict(
        kind, SEVERITY[kind], doctor_id, centre_id, start, end, message, message_en, shift_ids
    )
