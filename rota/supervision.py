"""Supervision: an intern works while their maître de stage is on duty at the same centre for
the whole shift; a junior while some senior is. Each rule is a centre setting.

Both the trainee's and the seniors' shifts count as present outside their approved leave (the
one leave rule, rota.coverage.present_shifts): a senior on leave supervises nobody.
Cost: per centre, seniors' spans are sorted once; each trainee shift looks up only the spans
that can overlap it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from rota.conflicts import ConflictKind, RotaConflict, make_conflict
from rota.coverage import present_shifts
from rota.domain import CentrePlan, DoctorPlan, LeaveSpan, PlannedShift, Seniority
from rota.wording import when_en, when_fr

Span = tuple[datetime, datetime]


class _Spans:
    """Sorted [start, end) spans, for "what part of this span do they leave uncovered"."""

    def __init__(self, spans: Iterable[Span]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.longest = max((end - start for start, end in self.spans), default=timedelta(0))

    def uncovered(self, start: datetime, end: datetime) -> list[Span]:
        first = bisect_left(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        pieces: list[Span] = []
        cursor = start
        for span_start, span_end in self.spans[first:last]:
            if span_end <= cursor:
                continue
            if span_start > cursor:
                pieces.append((cursor, min(span_start, end)))
            cursor = max(cursor, span_end)
            if cursor >= end:
                break
        if cursor < end:
            pieces.append((cursor, end))
        return pieces


def needs_supervision(doctor: DoctorPlan, centre: CentrePlan) -> bool:
    rules = centre.supervision
    if doctor.seniority is Seniority.INTERN:
        return rules.interns_need_supervisor
    return doctor.seniority is Seniority.JUNIOR and rules.juniors_need_senior


def check_supervision(
    shifts: Sequence[PlannedShift],
    centres: Mapping[str, CentrePlan],
    doctors: Mapping[str, DoctorPlan],
    leaves: Iterable[LeaveSpan] = (),
) -> list[RotaConflict]:
    """One conflict per trainee shift (part) with no supervisor on duty where the rule asks."""
    present = present_shifts(shifts, leaves)
    seniors: dict[str, list[Span]] = defaultdict(list)  # centre → any senior's spans
    by_senior: dict[tuple[str, str], list[Span]] = defaultdict(list)  # (centre, senior)
    trainees: list[PlannedShift] = []
    for shift in present:
        doctor = doctors.get(shift.doctor_id)
        if doctor is None:
            continue
        if doctor.seniority is Seniority.SENIOR:
            seniors[shift.centre_id].append((shift.start, shift.end))
            by_senior[(shift.centre_id, doctor.id)].append((shift.start, shift.end))
        elif shift.centre_id in centres and needs_supervision(doctor, centres[shift.centre_id]):
            trainees.append(shift)
    if not trainees:
        return []
    any_senior = {centre_id: _Spans(spans) for centre_id, spans in seniors.items()}
    found: list[RotaConflict] = []
    for shift in trainees:
        doctor = doctors[shift.doctor_id]
        centre = centres[shift.centre_id]
        if doctor.seniority is Seniority.INTERN:
            supervisor = doctors.get(doctor.supervisor_id or "")
            spans = _Spans(by_senior.get((centre.id, supervisor.id), [])) if supervisor else None
            who_fr = f"son maître de stage {supervisor.display_name}" if supervisor else ""
            who_en = f"their supervisor {supervisor.display_name}" if supervisor else ""
            if supervisor is None:
                who_fr, who_en = "maître de stage (aucun désigné)", "a supervisor (none named)"
        else:
            spans = any_senior.get(centre.id)
            who_fr, who_en = "médecin senior", "a senior doctor"
        missing = (
            [(shift.start, shift.end)] if spans is None else spans.uncovered(shift.start, shift.end)
        )
        tz = centre.time_zone
        for start, end in missing:
            found.append(
                make_conflict(
                    ConflictKind.UNSUPERVISED,
                    doctor.id,
                    centre.id,
                    start,
                    end,
                    f"{doctor.display_name} ({_SENIORITY_FR[doctor.seniority]}) sans {who_fr} à "
                    f"{centre.name} le {when_fr(start, end, tz)}",
                    f"{doctor.display_name} ({doctor.seniority.value}) without {who_en} at "
                    f"{centre.name} on {when_en(start, end, tz)}",
                    (shift.id,),
                )
            )
    return found


_SENIORITY_FR = {
    Seniority.SENIOR: "senior",
    Seniority.JUNIOR: "junior",
    Seniority.INTERN: "interne",
}
