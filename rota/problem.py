"""A month of the network as the solver's problem, and the solver's plan as rota changes.

Plain, side-effect-free code: the cycle handlers load the rows, this decides.

- Candidate shifts are the cover-need segments of each centre and local day, clipped to its
  opening (rota.coverage): a doctor covers a segment by working all of it.
- Availability: a doctor who said nothing for the month may work any day (the network's
  default); once they have said something, they work only on days or half-days they marked
  available or preferred. "Preferred" is a soft wish to work; "unavailable" is hard.
- Existing shifts of the month that match a candidate are hints the solver may change at a
  cost; the others stay as they are (fixed). Shifts the checker already refuses (a double
  booking, say) are left out: the solver would find no plan around them, and the rota shows
  them as conflicts to resolve by hand.
- Leave (approved or pending) is hard; the ledger carries weekends, holidays and late shifts of
  the month before, for fairness across months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rota.conflicts import RotaConflict, Severity
from rota.coverage import CoverNeeds, centre_coverage
from rota.days import DayType, day_type, days_between, zone
from rota.domain import CentrePlan, DoctorPlan, LeaveSpan, PlannedShift
from rota.fairness import fairness
from rota.solver import model as solver

LATE_FROM = time(20)
PREFERRED_WEIGHT = 5


@dataclass(frozen=True)
class DayWord:
    """A doctor's word on a day or half-day: available, preferred or unavailable."""

    doctor_id: str
    day: date
    part: solver.DayPart
    state: str


@dataclass(frozen=True)
class MonthTarget:
    doctor_id: str
    wanted_shifts: int | None = None
    wanted_hours: float | None = None
    max_weekends: int | None = None


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _candidates(
    centres: Sequence[CentrePlan], needs: Mapping[str, CoverNeeds], first: date, last: date
) -> tuple[list[solver.CandidateShift], list[solver.CoverNeed]]:
    shifts: list[solver.CandidateShift] = []
    wanted: list[solver.CoverNeed] = []
    for centre in centres:
        centre_needs = needs.get(centre.id)
        if centre_needs is None:
            continue
        for cover in centre_coverage(centre, [], centre_needs, first, last):
            for segment in cover.segments:
                if segment.needed <= 0:
                    continue
                local_end = segment.end.astimezone(zone(centre.time_zone))
                late = local_end.time() > LATE_FROM or local_end.date() > cover.day
                shifts.append(
                    solver.CandidateShift(
                        id=candidate_id(centre.id, segment.start, segment.end),
                        centre_id=centre.id,
                        day=cover.day,
                        start=segment.start,
                        end=segment.end,
                        shift_type="late" if late else "day",
                        late=late,
                    )
                )
                wanted.append(
                    solver.CoverNeed(
                        centre.id, cover.day, segment.start, segment.end, segment.needed
                    )
                )
    return shifts, wanted


def candidate_id(centre_id: str, start: datetime, end: datetime) -> str:
    return f"{centre_id}|{start}|{end}"


def _unavailable(
    words: Sequence[DayWord], first: date, last: date
) -> tuple[tuple[solver.Unavailability, ...], tuple[solver.Wish, ...]]:
    if not words:
        return (), ()
    said: dict[date, dict[solver.DayPart, str]] = defaultdict(dict)
    for word in words:
        said[word.day][word.part] = word.state
    off: list[solver.Unavailability] = []
    wishes: list[solver.Wish] = []
    for day in days_between(first, last):
        parts = said.get(day, {})
        whole = parts.get(solver.DayPart.WHOLE_DAY)
        for part in (solver.DayPart.MORNING, solver.DayPart.AFTERNOON):
            state = parts.get(part, whole) or "unavailable"
            if state == "unavailable":
                off.append(solver.Unavailability(day, part))
            elif state == "preferred":
                wishes.append(
                    solver.Wish(day, solver.WishKind.WORK, weight=PREFERRED_WEIGHT, part=part)
                )
    return tuple(off), tuple(wishes)


def build_problem(
    month: date,
    centres: Sequence[CentrePlan],
    doctors: Sequence[DoctorPlan],
    needs: Mapping[str, CoverNeeds],
    existing: Sequence[PlannedShift],
    leaves: Iterable[LeaveSpan],
    words: Iterable[DayWord] = (),
    targets: Iterable[MonthTarget] = (),
    refused: Iterable[RotaConflict] = (),
    earlier: Sequence[PlannedShift] = (),
) -> solver.PlanningProblem:
    """The month to plan. ``refused``: the checker's conflicts over ``existing`` (their
    shifts in error are left out); ``earlier``: the month before, for the ledger."""
    first, last = month_bounds(month)
    by_centre = {centre.id: centre for centre in centres}
    shifts, wanted = _candidates(centres, needs, first, last)
    candidate_ids = {shift.id for shift in shifts}
    words_of: dict[str, list[DayWord]] = defaultdict(list)
    for word in words:
        words_of[word.doctor_id].append(word)
    target_of = {target.doctor_id: target for target in targets}
    leave_of: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for leave in leaves:
        if leave.blocks_work:
            leave_of[leave.doctor_id].append((leave.start, leave.end))
    known = {doctor.id for doctor in doctors}
    planned: list[solver.SolverDoctor] = []
    for doctor in doctors:
        supervisor = doctor.supervisor_id if doctor.supervisor_id in known else None
        if doctor.seniority.value == "intern" and supervisor is None:
            continue  # no maître de stage: an intern cannot be planned at all
        off, wishes = _unavailable(words_of.get(doctor.id, []), first, last)
        target = target_of.get(doctor.id)
        planned.append(
            solver.SolverDoctor(
                id=doctor.id,
                centre_ids=doctor.centre_ids,
                seniority=solver.Seniority(doctor.seniority.value),
                supervisor_id=supervisor,
                weekly_limit_hours=doctor.weekly_limit_hours,
                min_rest_hours=doctor.min_rest_hours,
                max_weekends=target.max_weekends if target else None,
                unavailable=off,
                wishes=wishes,
                leave=tuple(sorted(leave_of.get(doctor.id, []))),
                wanted_shifts=target.wanted_shifts if target else None,
                wanted_minutes=(
                    round(target.wanted_hours * 60) if target and target.wanted_hours else None
                ),
            )
        )
    in_error = {
        shift_id
        for conflict in refused
        if conflict.severity is Severity.ERROR
        for shift_id in conflict.shift_ids
    }
    planned_ids = {doctor.id for doctor in planned}
    # Days a doctor now says they cannot work, and their leave: a shift there is theirs to
    # give up, not a fixed point the solver must plan around (nor could: it is not eligible).
    blocked_days = {(doctor.id, off.day) for doctor in planned for off in doctor.unavailable}
    hints = []
    for shift in existing:
        centre = by_centre.get(shift.centre_id)
        if shift.id in in_error or shift.doctor_id not in planned_ids or centre is None:
            continue
        day = centre.service_day(shift.start)
        if not first <= day <= last or (shift.doctor_id, day) in blocked_days:
            continue
        if any(a < shift.end and shift.start < b for a, b in leave_of.get(shift.doctor_id, [])):
            continue
        matched = candidate_id(shift.centre_id, shift.start, shift.end) in candidate_ids
        hints.append(
            solver.ExistingShift(
                shift.id,
                shift.doctor_id,
                shift.centre_id,
                day,
                shift.start,
                shift.end,
                fixed=not matched,
            )
        )
    return solver.PlanningProblem(
        period=solver.Period(first, (last - first).days + 1),
        centres=tuple(
            solver.SolverCentre(
                id=centre.id,
                time_zone=centre.time_zone,
                rooms=len(centre.rooms) or 99,
                public_holidays=frozenset(
                    d
                    for d in days_between(first, last)
                    if day_type(centre.region, d) is DayType.PUBLIC_HOLIDAY
                ),
                intern_needs_supervisor=centre.supervision.interns_need_supervisor,
                junior_needs_senior=centre.supervision.juniors_need_senior,
            )
            for centre in centres
        ),
        doctors=tuple(planned),
        shifts=tuple(shifts),
        needs=tuple(wanted),
        existing=tuple(hints),
        ledger=_ledger(earlier, by_centre, doctors),
        max_shifts_per_day=1,
    )


def _ledger(
    earlier: Sequence[PlannedShift],
    centres: Mapping[str, CentrePlan],
    doctors: Sequence[DoctorPlan],
) -> dict[str, solver.LedgerEntry]:
    if not earlier:
        return {}
    days = [centres[s.centre_id].service_day(s.start) for s in earlier if s.centre_id in centres]
    if not days:
        return {}
    report = fairness(earlier, centres, list(doctors), min(days), max(days))
    return {
        load.doctor_id: solver.LedgerEntry(
            weekends=load.weekend_days,
            public_holidays=load.holiday_days,
            late_shifts=round(load.late_hours / 4),
        )
        for load in report.loads
    }


@dataclass(frozen=True)
class PlanChanges:
    """The solver's plan against the rota: new shifts, shifts given to someone else, removed."""

    added: tuple[PlannedShift, ...]
    moved: tuple[tuple[PlannedShift, PlannedShift], ...]  # (as it is, as it would be)
    removed: tuple[PlannedShift, ...]


def plan_changes(
    problem: solver.PlanningProblem,
    assignments: Iterable[solver.Assignment],
    existing: Sequence[PlannedShift],
    rooms: Mapping[str, tuple[str, ...]],
) -> PlanChanges:
    """Which existing hints the plan keeps, gives to another doctor, or drops; and what it adds.
    Rooms: a new shift gets the first room free at its centre (the solver counts rooms only)."""
    by_id = {shift.id: shift for shift in existing}
    hints = {hint.id for hint in problem.existing}
    kept: set[str] = set()
    fresh: list[solver.Assignment] = []
    for assignment in assignments:
        match = next(
            (
                by_id[h.id]
                for h in problem.existing
                if h.id not in kept
                and h.doctor_id == assignment.doctor_id
                and h.centre_id == assignment.centre_id
                and h.start == assignment.start
                and h.end == assignment.end
            ),
            None,
        )
        if match is not None:
            kept.add(match.id)
        else:
            fresh.append(assignment)
    dropped = [by_id[i] for i in sorted(hints - kept) if i in by_id]
    moved: list[tuple[PlannedShift, PlannedShift]] = []
    added: list[PlannedShift] = []
    busy: dict[str, list[PlannedShift]] = defaultdict(list)
    for shift in existing:
        if shift.id not in {d.id for d in dropped}:
            busy[shift.centre_id].append(shift)
    for number, assignment in enumerate(fresh):
        same_slot = next(
            (
                d
                for d in dropped
                if d.centre_id == assignment.centre_id
                and d.start == assignment.start
                and d.end == assignment.end
                and d not in [m[0] for m in moved]
            ),
            None,
        )
        if same_slot is not None:
            after = PlannedShift(
                same_slot.id,
                assignment.doctor_id,
                assignment.centre_id,
                assignment.start,
                assignment.end,
                same_slot.room,
            )
            moved.append((same_slot, after))
            busy[after.centre_id].append(after)
            continue
        room = _free_room(
            rooms.get(assignment.centre_id, ()), busy[assignment.centre_id], assignment
        )
        shift = PlannedShift(
            f"new-{number}",
            assignment.doctor_id,
            assignment.centre_id,
            assignment.start,
            assignment.end,
            room,
        )
        busy[shift.centre_id].append(shift)
        added.append(shift)
    moved_ids = {before.id for before, _ in moved}
    removed = tuple(d for d in dropped if d.id not in moved_ids)
    return PlanChanges(tuple(added), tuple(moved), removed)


def _free_room(
    rooms: tuple[str, ...], busy: Sequence[PlannedShift], at: solver.Assignment
) -> str | None:
    taken = {s.room for s in busy if s.room and s.start < at.end and s.end > at.start}
    return next((room for room in rooms if room not in taken), None)
