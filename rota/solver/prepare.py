"""The problem turned into indexes for the CP-SAT model and the greedy warm start.

Who may work which shift (attachment, leave, unavailability) is decided here once; what covers
which need, which shifts overlap, which days make a weekend. The evaluator does not use this
module: it re-derives every rule from the dates so that the two check each other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from rota.solver.model import (
    MIDDAY,
    CandidateShift,
    DayPart,
    PlanningProblem,
    Seniority,
    SolverCentre,
    SolverDoctor,
)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_bounds(day: date, time_zone: str) -> tuple[datetime, datetime, datetime]:
    """Local midnight, midday and the next midnight of ``day`` as aware instants."""
    zone = _zone(time_zone)
    start = datetime.combine(day, time(0), zone)
    midday = datetime.combine(day, MIDDAY, zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start, midday, end


def parts_touched(shift: CandidateShift, time_zone: str) -> frozenset[DayPart]:
    start, midday, end = local_bounds(shift.day, time_zone)
    parts = {DayPart.WHOLE_DAY}
    if shift.start < midday and shift.end > start:
        parts.add(DayPart.MORNING)
    if shift.start < end and shift.end > midday:
        parts.add(DayPart.AFTERNOON)
    return frozenset(parts)


def week_key(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def weekend_key(day: date) -> date | None:
    """The Saturday of the weekend ``day`` belongs to, or None on a weekday."""
    if day.weekday() == 5:
        return day
    if day.weekday() == 6:
        return day - timedelta(days=1)
    return None


@dataclass
class Prepared:
    problem: PlanningProblem
    shifts: list[CandidateShift]  # the problem's, plus fixed existing shifts without a match
    centres: dict[str, SolverCentre]
    doctors: list[SolverDoctor]
    shift_day: list[int]  # period index of each shift's day
    shift_parts: list[frozenset[DayPart]]
    shift_holiday: list[bool]
    eligible: list[list[int]]  # per doctor index: shift indexes they may work
    covering: list[list[int]]  # per need: shift indexes whose span covers it (type matching)
    forced: set[tuple[int, int]] = field(default_factory=set)  # (doctor, shift) fixed
    movable: list[tuple[int, int]] = field(default_factory=list)  # (doctor, shift) to keep
    doctor_index: dict[str, int] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return self.problem.period.days

    def day_date(self, index: int) -> date:
        return self.problem.period.day(index)

    def overlapping_groups(self, shift_indexes: list[int], smallest: int = 2) -> list[list[int]]:
        """The sets of the given shifts active at each shift's start (every instant of
        overlap lies in one of them), of at least ``smallest`` shifts, without repeats."""
        ordered = sorted(shift_indexes, key=lambda i: self.shifts[i].start)
        groups: list[list[int]] = []
        seen: set[tuple[int, ...]] = set()
        for position, s in enumerate(ordered):
            at = self.shifts[s].start
            group = [s]
            for t in ordered[position + 1 :]:
                if self.shifts[t].start > at:
                    break
                group.append(t)
            group.extend(t for t in ordered[:position] if self.shifts[t].end > at)
            key = tuple(sorted(group))
            if len(key) >= smallest and key not in seen:
                seen.add(key)
                groups.append(list(key))
        return groups


def _blocked(doctor: SolverDoctor, shift: CandidateShift, parts: frozenset[DayPart]) -> bool:
    if shift.centre_id not in doctor.centre_ids:
        return True
    for leave_start, leave_end in doctor.leave:
        if shift.start < leave_end and shift.end > leave_start:
            return True
    return any(
        off.day == shift.day and (off.part is DayPart.WHOLE_DAY or off.part in parts)
        for off in doctor.unavailable
    )


def prepare(problem: PlanningProblem) -> Prepared:
    centres = {centre.id: centre for centre in problem.centres}
    shifts = [s for s in problem.shifts if problem.period.contains(s.day)]
    by_span = {(s.centre_id, s.start, s.end): i for i, s in enumerate(shifts)}
    doctor_index = {doctor.id: i for i, doctor in enumerate(problem.doctors)}
    forced: set[tuple[int, int]] = set()
    movable: list[tuple[int, int]] = []
    for existing in problem.existing:
        if not problem.period.contains(existing.day):
            continue
        key = (existing.centre_id, existing.start, existing.end)
        if key not in by_span:
            if not existing.fixed:
                continue  # a movable shift no longer offered: the solver drops it
            by_span[key] = len(shifts)
            shifts.append(
                CandidateShift(
                    f"existing:{existing.id}",
                    existing.centre_id,
                    existing.day,
                    existing.start,
                    existing.end,
                    existing.shift_type,
                    late=existing.late,
                )
            )
        pair = (doctor_index[existing.doctor_id], by_span[key])
        (forced.add(pair) if existing.fixed else movable.append(pair))

    shift_day = [problem.period.index(s.day) for s in shifts]
    shift_parts = [parts_touched(s, centres[s.centre_id].time_zone) for s in shifts]
    shift_holiday = [s.day in centres[s.centre_id].public_holidays for s in shifts]
    at_centre: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(shifts):
        at_centre[s.centre_id].append(i)
    eligible: list[list[int]] = []
    for d, doctor in enumerate(problem.doctors):
        allowed = {
            i
            for centre_id in doctor.centre_ids
            for i in at_centre.get(centre_id, [])
            if not _blocked(doctor, shifts[i], shift_parts[i])
        }
        allowed.update(i for dd, i in forced if dd == d)  # the manager's fixed choice
        eligible.append(sorted(allowed))

    by_centre_day: dict[tuple[str, date], list[int]] = defaultdict(list)
    for i, s in enumerate(shifts):
        by_centre_day[(s.centre_id, s.day)].append(i)
    covering: list[list[int]] = []
    for need in problem.needs:
        covering.append(
            [
                i
                for day in (need.day - timedelta(days=1), need.day)  # a night shift too
                for i in by_centre_day.get((need.centre_id, day), [])
                if shifts[i].start <= need.start
                and shifts[i].end >= need.end
                and (need.shift_type is None or shifts[i].shift_type == need.shift_type)
            ]
        )
    return Prepared(
        problem=problem,
        shifts=shifts,
        centres=centres,
        doctors=list(problem.doctors),
        shift_day=shift_day,
        shift_parts=shift_parts,
        shift_holiday=shift_holiday,
        eligible=eligible,
        covering=covering,
        forced=forced,
        movable=movable,
        doctor_index=doctor_index,
    )


def needs_supervision(doctor: SolverDoctor, centre: SolverCentre) -> bool:
    if doctor.seniority is Seniority.INTERN:
        return centre.intern_needs_supervisor
    if doctor.seniority is Seniority.JUNIOR:
        return centre.junior_needs_senior
    return False


def spans(outer: CandidateShift, inner: CandidateShift) -> bool:
    """``outer`` is at the same centre and lasts the whole of ``inner``."""
    return (
        outer.centre_id == inner.centre_id and outer.start <= inner.start and outer.end >= inner.end
    )
