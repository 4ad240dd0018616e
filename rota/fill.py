"""Automatic filling, first version: a greedy pass over the cover gaps.

Day by day (rotating which centre goes first, so the same centres do not always get the
leftovers), each gap is given to an attached doctor who is free, not on leave (approved or
pending), keeps their minimum rest with the days before and after, stays under their weekly
limit, and for whom a consulting room is free. Among them the one with the fewest weekend or
holiday days (on such a day), then the fewest hours so far, wins; ties break on a given rank.

It is meant to create no conflict the checks would report (rota.bulk still passes its
proposal through the checker, rota.checks.keep_clean, the one judge of a conflict), but it
does not move existing shifts and can leave gaps a cleverer plan would close. The CP-SAT
solver takes this result as its first solution under a time cap.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rota.coverage import CoverGap, CoverNeeds, centre_coverage, network_coverage
from rota.days import DayType, day_type, days_between
from rota.domain import CentrePlan, DoctorPlan, LeaveSpan, PlannedShift
from rota.supervision import check_supervision, needs_supervision


@dataclass(frozen=True)
class FillResult:
    added: tuple[PlannedShift, ...]  # new shifts only; existing ones are untouched
    remaining_gaps: tuple[CoverGap, ...]


class _DoctorState:
    """Running plan of one doctor, for cheap eligibility tests."""

    def __init__(self, doctor: DoctorPlan, leaves: Sequence[LeaveSpan]) -> None:
        self.doctor = doctor
        self.leaves = [(leave.start, leave.end) for leave in leaves if leave.blocks_work]
        self.starts: list[datetime] = []
        self.ends: dict[datetime, datetime] = {}  # start -> latest end starting then
        self.day_bounds: dict[date, tuple[datetime, datetime]] = {}
        self.week_hours: dict[tuple[int, int], float] = defaultdict(float)
        self.hours = 0.0
        self.special_days: set[date] = set()  # weekend and public-holiday days worked

    def add(self, start: datetime, end: datetime, day: date, special: bool) -> None:
        if start not in self.ends:
            insort(self.starts, start)
        self.ends[start] = max(end, self.ends.get(start, end))
        first, last = self.day_bounds.get(day, (start, end))
        self.day_bounds[day] = (min(first, start), max(last, end))
        hours = (end - start).total_seconds() / 3600
        iso = day.isocalendar()
        self.week_hours[(iso[0], iso[1])] += hours
        self.hours += hours
        if special:
            self.special_days.add(day)

    def can_take(self, start: datetime, end: datetime, day: date) -> bool:
        limit = self.doctor.weekly_limit_hours
        if limit is not None:
            iso = day.isocalendar()
            hours = (end - start).total_seconds() / 3600
            if self.week_hours[(iso[0], iso[1])] + hours > limit + 1e-9:
                return False
        index = bisect_left(self.starts, end)
        # Shifts last at most a day, so only the few starting in the previous day can overlap.
        while index > 0:
            index -= 1
            other_start = self.starts[index]
            if other_start <= start - timedelta(days=1):
                break
            if self.ends[other_start] > start:
                return False
        rest = self.doctor.min_rest
        previous = self.day_bounds.get(day - timedelta(days=1))
        if previous is not None and start - previous[1] < rest:
            return False
        following = self.day_bounds.get(day + timedelta(days=1))
        if following is not None and following[0] - end < rest:
            return False
        return all(
            leave_end <= start or leave_start >= end for leave_start, leave_end in self.leaves
        )


def fill_gaps(
    centres: Sequence[CentrePlan],
    doctors: Sequence[DoctorPlan],
    needs: Mapping[str, CoverNeeds],
    existing: Sequence[PlannedShift],
    leaves: Iterable[LeaveSpan],
    first_day: date,
    last_day: date,
    *,
    rank: Mapping[str, int] | None = None,
    id_prefix: str = "auto",
    only: Collection[str] | None = None,
) -> FillResult:
    """Shifts that close as many cover gaps as the greedy rule can, and the gaps left.

    ``centres`` and ``existing`` are the whole network's: a doctor's shifts elsewhere bind
    them here (overlap, rest, weekly hours). ``only`` names the centres to fill (all: None).
    """
    centre_by_id = {centre.id: centre for centre in centres}
    doctor_by_id = {doctor.id: doctor for doctor in doctors}
    leaves = list(leaves)
    leaves_by_doctor: dict[str, list[LeaveSpan]] = defaultdict(list)
    for leave in leaves:
        leaves_by_doctor[leave.doctor_id].append(leave)
    states = {d.id: _DoctorState(d, leaves_by_doctor.get(d.id, [])) for d in doctors}
    order = rank or {d.id: position for position, d in enumerate(doctors)}
    attached: dict[str, list[_DoctorState]] = defaultdict(list)
    for doctor in doctors:
        for centre_id in sorted(doctor.centre_ids):
            attached[centre_id].append(states[doctor.id])

    by_centre_day: dict[tuple[str, date], list[PlannedShift]] = defaultdict(list)
    for shift in existing:
        centre = centre_by_id.get(shift.centre_id)
        if centre is None:
            continue
        day = centre.service_day(shift.start)
        by_centre_day[(centre.id, day)].append(shift)
        state = states.get(shift.doctor_id)
        if state is not None:
            kind = day_type(centre.region, day)
            state.add(shift.start, shift.end, day, kind is not DayType.WEEKDAY)

    filled = [c for c in centres if only is None or c.id in only]
    added: list[PlannedShift] = []
    for offset, day in enumerate(days_between(first_day, last_day)):
        turn = offset % len(filled) if filled else 0
        for centre in list(filled[turn:]) + list(filled[:turn]):
            centre_needs = needs.get(centre.id)
            if centre_needs is None:
                continue
            here = by_centre_day[(centre.id, day)]
            (cover,) = centre_coverage(centre, here, centre_needs, day, day, leaves)
            special = cover.day_type is not DayType.WEEKDAY
            for gap in cover.gaps:
                for _ in range(gap.missing):
                    room = _free_room(centre, here, gap.start, gap.end)
                    if room is None and centre.rooms:
                        break
                    candidates = sorted(
                        (s for s in attached[centre.id] if s.can_take(gap.start, gap.end, day)),
                        key=lambda s: (
                            len(s.special_days) if special else 0,
                            s.hours,
                            order.get(s.doctor.id, 0),
                        ),
                    )
                    shift_id = f"{id_prefix}-{centre.id}-{gap.start:%Y%m%dT%H%M}-{len(added)}"
                    proposals = (
                        PlannedShift(shift_id, s.doctor.id, centre.id, gap.start, gap.end, room)
                        for s in candidates
                    )
                    # A trainee only beside the supervision the centre asks for (the checker's
                    # own rule, so the fill proposes nothing it would refuse).
                    chosen_shift = next(
                        (
                            p
                            for p in proposals
                            if not needs_supervision(doctor_by_id[p.doctor_id], centre)
                            or _supervised(here, p, centre_by_id, doctor_by_id, leaves)
                        ),
                        None,
                    )
                    if chosen_shift is None:
                        break
                    chosen = states[chosen_shift.doctor_id]
                    chosen.add(chosen_shift.start, chosen_shift.end, day, special)
                    here.append(chosen_shift)
                    added.append(chosen_shift)
    remaining = network_coverage(filled, [*existing, *added], needs, first_day, last_day, leaves)
    return FillResult(tuple(added), tuple(gap for day in remaining for gap in day.gaps))


def _supervised(
    here: Sequence[PlannedShift],
    proposal: PlannedShift,
    centres: Mapping[str, CentrePlan],
    doctors: Mapping[str, DoctorPlan],
    leaves: Sequence[LeaveSpan],
) -> bool:
    """Whether the proposal's own shift is supervised (others' old gaps are not its fault)."""
    found = check_supervision([*here, proposal], centres, doctors, leaves)
    return not any(proposal.id in c.shift_ids for c in found)


def _free_room(
    centre: CentrePlan, shifts: Sequence[PlannedShift], start: datetime, end: datetime
) -> str | None:
    busy = {s.room for s in shifts if s.room is not None and s.start < end and s.end > start}
    for room in centre.rooms:
        if room not in busy:
            return room
    return None
