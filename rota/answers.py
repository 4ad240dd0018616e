"""Rota values turned into API answers, and the 409 answer of a refused change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_409_CONFLICT

from rota import models
from rota.conflicts import RotaConflict, Severity
from rota.convert import leave_to_domain
from rota.coverage import CoverGap, DayCover
from rota.days import holiday_name
from rota.domain import PlannedShift
from rota.schemas import ConflictOut, DayCoverOut, GapOut, LeaveOut, SegmentOut, ShiftOut
from rota.store import Network
from rota.wording import clock_range


def _int_ids(ids: Iterable[str]) -> list[int]:
    # Shifts not written yet have temporary ids ("new-3"): they are the change itself.
    return [int(i) for i in ids if i.isdigit()]


def shift_out(shift: PlannedShift, network: Network, pattern_id: int | None = None) -> ShiftOut:
    centre = network.centres[shift.centre_id]
    doctor = network.doctors.get(shift.doctor_id)
    tz = centre.time_zone
    local = clock_range(shift.start, shift.end, tz)
    return ShiftOut(
        id=int(shift.id) if shift.id.isdigit() else 0,
        doctor_id=int(shift.doctor_id),
        doctor=doctor.display_name if doctor else shift.doctor_id,
        centre=shift.centre_id,
        room=shift.room,
        start=shift.start,
        end=shift.end,
        day=centre.service_day(shift.start),
        local_start=local[:5],
        local_end=local[-5:],
        pattern_id=pattern_id,
    )


def conflict_out(conflict: RotaConflict, network: Network) -> ConflictOut:
    doctor = network.doctors.get(conflict.doctor_id) if conflict.doctor_id else None
    return ConflictOut(
        kind=conflict.kind.value,
        severity=conflict.severity.value,
        doctor_id=int(conflict.doctor_id) if conflict.doctor_id else None,
        doctor=doctor.display_name if doctor else None,
        centre=conflict.centre_id,
        start=conflict.start,
        end=conflict.end,
        message=conflict.message,
        message_en=conflict.message_en,
        shift_ids=_int_ids(conflict.shift_ids),
    )


def gap_out(gap: CoverGap, network: Network) -> GapOut:
    centre = network.centres[gap.centre_id]
    return GapOut(
        gap.start,
        gap.end,
        gap.needed,
        gap.planned,
        gap.missing,
        centre=gap.centre_id,
        centre_name=centre.name,
        day=gap.day,
        local=clock_range(gap.start, gap.end, centre.time_zone),
    )


def day_cover_out(cover: DayCover, network: Network) -> DayCoverOut:
    centre = network.centres[cover.centre_id]
    return DayCoverOut(
        centre=cover.centre_id,
        day=cover.day,
        day_type=cover.day_type.value,
        holiday=holiday_name(centre.region, cover.day),
        covered=cover.is_covered,
        segments=[
            SegmentOut(
                start=s.start,
                end=s.end,
                local=clock_range(s.start, s.end, centre.time_zone),
                needed=s.needed,
                planned_min=s.planned_min,
                planned_max=s.planned_max,
                doctor_ids=[int(d) for d in s.doctor_ids],
            )
            for s in cover.segments
        ],
        gaps=[gap_out(gap, network) for gap in cover.gaps],
    )


def leave_out(leave: models.Leave, network: Network) -> LeaveOut:
    doctor = network.doctors.get(str(leave.doctor_id))
    first_day, last_day = leave_to_domain(leave).local_days(network.leave_zone(leave.doctor_id))
    return LeaveOut(
        id=leave.id,
        doctor_id=leave.doctor_id,
        doctor=doctor.display_name if doctor else str(leave.doctor_id),
        start=leave.starts_at,
        end=leave.ends_at,
        status=leave.status,
        reason=leave.reason,
        decided_by_id=leave.decided_by_id,
        decided_at=leave.decided_at,
        first_day=first_day,
        last_day=last_day,
    )


class ChangeRefused(Exception):
    """A rota change refused for the conflicts it would create; nothing was written."""

    def __init__(self, conflicts: Sequence[ConflictOut], can_accept: bool) -> None:
        super().__init__(f"{len(conflicts)} conflict(s)")
        self.conflicts = list(conflicts)
        self.can_accept = can_accept


def refusal_detail(can_accept: bool) -> str:
    if can_accept:
        return (
            "Cette modification crée des avertissements : renvoyez-la avec "
            '"accept_warnings": true pour la confirmer. / This change raises warnings: send it '
            'again with "accept_warnings": true to confirm it.'
        )
    return (
        "Modification refusée : elle crée des conflits bloquants. / Change refused: it creates "
        "conflicts that cannot be accepted."
    )


def change_refused_handler(_: Request[Any, Any, Any], exc: ChangeRefused) -> Response[Any]:
    return Response(
        {
            "status_code": HTTP_409_CONFLICT,
            "detail": refusal_detail(exc.can_accept),
            "can_accept": exc.can_accept,
            "conflicts": exc.conflicts,
        },
        status_code=HTTP_409_CONFLICT,
    )


def enforce(conflicts: Sequence[RotaConflict], accept_warnings: bool, network: Network) -> None:
    """Refuse a change that creates conflicts, unless they are all warnings accepted."""
    if not conflicts:
        return
    can_accept = all(c.severity is Severity.WARNING for c in conflicts)
    if can_accept and accept_warnings:
        return
    raise ChangeRefused([conflict_out(c, network) for c in conflicts], can_accept)
