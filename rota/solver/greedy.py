"""A quick plan to start from: fill the neediest cover first with the least loaded doctor.

It keeps the rules a single choice can break (double booking, rest, weekly and total limits,
per-type maxima, runs too long, weekends, successions, rooms, supervision); minimum run lengths
and minimum totals it leaves to CP-SAT, which takes this plan as a hint and repairs it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rota.solver.model import Seniority, WishKind
from rota.solver.prepare import Prepared, needs_supervision, spans, week_key, weekend_key


@dataclass
class _Load:
    shifts: list[int] = field(default_factory=list)
    days: dict[int, int] = field(default_factory=dict)  # day index -> shifts that day
    week_minutes: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    total_minutes: int = 0
    per_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    weekends: set[object] = field(default_factory=set)


class _Greedy:
    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        self.load = [_Load() for _ in prep.doctors]
        self.on_shift: dict[int, list[int]] = defaultdict(list)
        self.can_take: dict[int, list[int]] = defaultdict(list)
        for d, mine in enumerate(prep.eligible):
            for s in mine:
                self.can_take[s].append(d)
        self.centre_day: dict[tuple[str, object], list[int]] = defaultdict(list)
        for s, shift in enumerate(prep.shifts):
            self.centre_day[(shift.centre_id, shift.day)].append(s)
        self.wish_bonus: dict[tuple[int, int], int] = defaultdict(int)
        for d, doctor in enumerate(prep.doctors):
            for wish in doctor.wishes:
                for s in prep.eligible[d]:
                    shift = prep.shifts[s]
                    if (
                        shift.day == wish.day
                        and wish.part in prep.shift_parts[s]
                        and (wish.shift_type is None or wish.shift_type == shift.shift_type)
                    ):
                        sign = 1 if wish.kind is WishKind.WORK else -1
                        self.wish_bonus[(d, s)] += sign * wish.weight

    def place(self, d: int, s: int) -> None:
        prep, load = self.prep, self.load[d]
        shift = prep.shifts[s]
        day = prep.shift_day[s]
        load.shifts.append(s)
        load.days[day] = load.days.get(day, 0) + 1
        load.week_minutes[week_key(shift.day)] += shift.minutes
        load.total_minutes += shift.minutes
        load.per_type[shift.shift_type] += 1
        weekend = weekend_key(shift.day)
        if weekend is not None:
            load.weekends.add(weekend)
        self.on_shift[s].append(d)

    def allowed(self, d: int, s: int) -> bool:
        prep, load = self.prep, self.load[d]
        doctor, shift = prep.doctors[d], prep.shifts[s]
        day = prep.shift_day[s]
        if load.days.get(day, 0) >= prep.problem.max_shifts_per_day:
            return False
        rest = doctor.min_rest_hours * 3600
        for t in load.shifts:
            other = prep.shifts[t]
            if other.start < shift.end and shift.start < other.end:
                return False
            if prep.shift_day[t] != day:
                gap = max(
                    (shift.start - other.end).total_seconds(),
                    (other.start - shift.end).total_seconds(),
                )
                if gap < rest:
                    return False
            if (
                prep.shift_day[t] == day - 1
                and (other.shift_type, shift.shift_type) in prep.problem.forbidden_successions
            ) or (
                prep.shift_day[t] == day + 1
                and (shift.shift_type, other.shift_type) in prep.problem.forbidden_successions
            ):
                return False
        limit = doctor.weekly_limit_hours
        if (
            limit is not None
            and load.week_minutes[week_key(shift.day)] + shift.minutes > limit * 60
        ):
            return False
        if (
            doctor.max_total_minutes is not None
            and load.total_minutes + shift.minutes > doctor.max_total_minutes
        ):
            return False
        most = doctor.max_shifts_per_type.get(shift.shift_type)
        if most is not None and load.per_type[shift.shift_type] >= most:
            return False
        if doctor.max_consecutive_days is not None and day not in load.days:
            run, before, after = 1, day - 1, day + 1
            while before in load.days:
                run, before = run + 1, before - 1
            while after in load.days:
                run, after = run + 1, after + 1
            if run > doctor.max_consecutive_days:
                return False
        weekend = weekend_key(shift.day)
        if (
            doctor.max_weekends is not None
            and weekend is not None
            and weekend not in load.weekends
            and len(load.weekends) >= doctor.max_weekends
        ):
            return False
        return self.room_left(s) and self.supervised(d, s)

    def room_left(self, s: int) -> bool:
        shift = self.prep.shifts[s]
        rooms = self.prep.centres[shift.centre_id].rooms
        here = [
            t
            for t in self.centre_day[(shift.centre_id, shift.day)]
            if self.prep.shifts[t].start < shift.end and shift.start < self.prep.shifts[t].end
        ]
        instants = {shift.start} | {
            self.prep.shifts[t].start for t in here if self.prep.shifts[t].start > shift.start
        }
        for at in instants:
            busy = sum(
                len(self.on_shift[t])
                for t in here
                if self.prep.shifts[t].start <= at < self.prep.shifts[t].end
            )
            if busy + 1 > rooms:
                return False
        return True

    def supervised(self, d: int, s: int) -> bool:
        prep = self.prep
        doctor, shift = prep.doctors[d], prep.shifts[s]
        if not needs_supervision(doctor, prep.centres[shift.centre_id]):
            return True
        for t in self.centre_day[(shift.centre_id, shift.day)]:
            if not spans(prep.shifts[t], shift):
                continue
            for other in self.on_shift[t]:
                if doctor.seniority is Seniority.INTERN:
                    if prep.doctors[other].id == doctor.supervisor_id:
                        return True
                elif prep.doctors[other].seniority is Seniority.SENIOR:
                    return True
        return False

    def run(self) -> set[tuple[int, int]]:
        prep = self.prep
        for d, s in sorted(prep.forced):
            self.place(d, s)
        for d, s in prep.movable:  # the rota as it stands, where it still fits
            if d not in self.on_shift[s] and self.allowed(d, s):
                self.place(d, s)
        needs = prep.problem.needs
        serves: dict[int, list[int]] = defaultdict(list)
        for n, shifts in enumerate(prep.covering):
            for s in shifts:
                serves[s].append(n)

        def short(n: int) -> int:
            return needs[n].doctors - sum(len(self.on_shift[s]) for s in prep.covering[n])

        # Seniors first so that juniors and interns then find someone to work beside.
        for seniors_only in (True, False):
            for n in sorted(
                range(len(needs)), key=lambda n: (needs[n].day, needs[n].start, -needs[n].weight)
            ):
                while short(n) > 0:
                    best: tuple[float, int, int] | None = None
                    for s in prep.covering[n]:
                        gain = sum(needs[m].weight for m in serves[s] if short(m) > 0)
                        for d in self.can_take[s]:
                            if seniors_only and prep.doctors[d].seniority is not Seniority.SENIOR:
                                continue
                            if d in self.on_shift[s] or not self.allowed(d, s):
                                continue
                            doctor = prep.doctors[d]
                            ceiling = doctor.max_total_minutes or (
                                (doctor.weekly_limit_hours or 48) * 60 * prep.days / 7
                            )
                            loaded = self.load[d].total_minutes / max(ceiling, 1)
                            score = gain + self.wish_bonus[(d, s)] - 50 * loaded
                            if best is None or score > best[0]:
                                best = (score, d, s)
                    if best is None:
                        break
                    self.place(best[1], best[2])
        return {(d, s) for s, ds in self.on_shift.items() for d in ds}


def greedy_plan(prep: Prepared) -> set[tuple[int, int]]:
    """(doctor index, shift index) pairs of a plan that keeps the single-choice rules."""
    return _Greedy(prep).run()
