"""Check a finished roster against every hard rule and compute its objective, from scratch.

Written apart from the CP-SAT model and sharing none of its code (not even the problem's
preparation): each rule is re-derived from the dates, so the solver and this evaluator check
each other. Tests and the benchmarks run both and compare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from rota.solver.model import (
    MIDDAY,
    Assignment,
    DayPart,
    PlanningProblem,
    RunEdges,
    Seniority,
    SolverDoctor,
    Term,
    WishKind,
)


@dataclass(frozen=True)
class Violation:
    rule: str  # a short code: "double_booking", "rest", "supervision"...
    doctor_id: str | None
    message: str


@dataclass(frozen=True)
class Evaluation:
    violations: tuple[Violation, ...]
    terms: dict[Term, int]  # weighted penalty per term
    objective: int

    @property
    def feasible(self) -> bool:
        return not self.violations


def _halves(a: Assignment, time_zone: str) -> set[DayPart]:
    """The half-days of the shift's own day it overlaps, in the centre's local time."""
    zone = ZoneInfo(time_zone)
    start = a.start.astimezone(zone)
    end = a.end.astimezone(zone)
    midnight = datetime(a.day.year, a.day.month, a.day.day, tzinfo=zone)
    noon = midnight.replace(hour=MIDDAY.hour, minute=MIDDAY.minute)
    next_midnight = datetime.combine(a.day + timedelta(days=1), midnight.timetz())
    found = {DayPart.WHOLE_DAY}
    if end > midnight and start < noon:
        found.add(DayPart.MORNING)
    if end > noon and start < next_midnight:
        found.add(DayPart.AFTERNOON)
    return found


def _minutes(a: Assignment) -> int:
    return int((a.end - a.start).total_seconds() // 60)


def _saturday_of(day: date) -> date | None:
    return {5: day, 6: day - timedelta(days=1)}.get(day.weekday())


def _runs(worked: Sequence[bool], value: bool) -> list[tuple[int, int]]:
    """(first, last) day indexes of each maximal run of ``value``."""
    found, first = [], None
    for index, flag in enumerate([*worked, not value]):
        if flag == value and first is None:
            first = index
        elif flag != value and first is not None:
            found.append((first, index - 1))
            first = None
    return found


class _Evaluator:
    def __init__(self, problem: PlanningProblem, roster: Sequence[Assignment]) -> None:
        self.problem = problem
        self.roster = list(roster)
        self.centres = {c.id: c for c in problem.centres}
        self.doctors = {d.id: d for d in problem.doctors}
        self.shifts = {s.id: s for s in problem.shifts}
        self.violations: list[Violation] = []
        self.terms: dict[Term, int] = defaultdict(int)
        self.of_doctor: dict[str, list[Assignment]] = defaultdict(list)
        for a in self.roster:
            self.of_doctor[a.doctor_id].append(a)
        for mine in self.of_doctor.values():
            mine.sort(key=lambda a: a.start)

    def refuse(self, rule: str, doctor_id: str | None, message: str) -> None:
        self.violations.append(Violation(rule, doctor_id, message))

    # --- hard -----------------------------------------------------------------------------

    def offered(self) -> None:
        fixed = {
            (e.doctor_id, e.centre_id, e.start, e.end) for e in self.problem.existing if e.fixed
        }
        period = self.problem.period
        for a in self.roster:
            if a.doctor_id not in self.doctors:
                self.refuse("unknown_doctor", a.doctor_id, f"unknown doctor in {a.shift_id}")
                continue
            shift = self.shifts.get(a.shift_id)
            is_fixed = (a.doctor_id, a.centre_id, a.start, a.end) in fixed
            if shift is None and not is_fixed:
                self.refuse("not_offered", a.doctor_id, f"{a.shift_id} is not a candidate shift")
            elif shift is not None and (
                shift.centre_id,
                shift.start,
                shift.end,
                shift.day,
            ) != (a.centre_id, a.start, a.end, a.day):
                self.refuse("not_offered", a.doctor_id, f"{a.shift_id} differs from its candidate")
            if not period.first_day <= a.day <= period.last_day:
                self.refuse("outside_period", a.doctor_id, f"{a.shift_id} on {a.day}")
        planned = {(a.doctor_id, a.centre_id, a.start, a.end) for a in self.roster}
        for key in fixed - planned:
            self.refuse("fixed_dropped", key[0], f"fixed shift at {key[1]} {key[2]} left out")

    def doctor(self, doctor: SolverDoctor, mine: list[Assignment]) -> None:
        problem = self.problem
        who = doctor.id
        is_fixed = {
            (e.centre_id, e.start, e.end)
            for e in problem.existing
            if e.fixed and e.doctor_id == who
        }
        per_day: dict[date, list[Assignment]] = defaultdict(list)
        for a in mine:
            per_day[a.day].append(a)
            if (a.centre_id, a.start, a.end) in is_fixed:
                continue  # the manager's own choice, kept as it is
            if a.centre_id not in doctor.centre_ids:
                self.refuse("attachment", who, f"{who} is not attached to {a.centre_id}")
            if any(a.start < end and start < a.end for start, end in doctor.leave):
                self.refuse("leave", who, f"{who} is on leave during {a.shift_id}")
            halves = _halves(a, self.centres[a.centre_id].time_zone)
            for off in doctor.unavailable:
                if off.day == a.day and off.part in halves:
                    self.refuse("unavailable", who, f"{who} is unavailable for {a.shift_id}")
        for earlier, later in pairwise(mine):
            if later.start < earlier.end:
                self.refuse(
                    "double_booking", who, f"{who}: {earlier.shift_id} and {later.shift_id}"
                )
        for day, todays in per_day.items():
            if len(todays) > problem.max_shifts_per_day:
                self.refuse("per_day", who, f"{who}: {len(todays)} shifts on {day}")
        days = sorted(per_day)
        for before, after in pairwise(days):
            last_end = max(a.end for a in per_day[before])
            first_start = min(a.start for a in per_day[after])
            rest = (first_start - last_end).total_seconds() / 3600
            if 0 <= rest < doctor.min_rest_hours:
                self.refuse("rest", who, f"{who}: {rest:.1f} h rest before {after}")
        weeks: dict[tuple[int, int], int] = defaultdict(int)
        for a in mine:
            iso = a.day.isocalendar()
            weeks[(iso[0], iso[1])] += _minutes(a)
        if doctor.weekly_limit_hours is not None:
            for week, minutes in weeks.items():
                if minutes > doctor.weekly_limit_hours * 60:
                    self.refuse("weekly_limit", who, f"{who}: {minutes / 60:.1f} h in week {week}")
        for shift_type, most in doctor.max_shifts_per_type.items():
            taken = sum(1 for a in mine if a.shift_type == shift_type)
            if taken > most:
                self.refuse("per_type", who, f"{who}: {taken} shifts {shift_type} (max {most})")
        total = sum(_minutes(a) for a in mine)
        if total < doctor.min_total_minutes:
            self.refuse("min_total", who, f"{who}: {total} min (min {doctor.min_total_minutes})")
        if doctor.max_total_minutes is not None and total > doctor.max_total_minutes:
            self.refuse("max_total", who, f"{who}: {total} min (max {doctor.max_total_minutes})")
        period = problem.period
        worked = [period.day(i) in per_day for i in range(period.days)]
        self.runs(doctor, worked)
        saturdays = {_saturday_of(day) for day in per_day} - {None}
        if doctor.max_weekends is not None and len(saturdays) > doctor.max_weekends:
            self.refuse("weekends", who, f"{who}: {len(saturdays)} weekends")
        for day in days:
            for a in per_day[day]:
                for b in per_day.get(day + timedelta(days=1), []):
                    if (a.shift_type, b.shift_type) in problem.forbidden_successions:
                        self.refuse(
                            "succession", who, f"{who}: {b.shift_type} after {a.shift_type}"
                        )

    def runs(self, doctor: SolverDoctor, worked: list[bool]) -> None:
        last = len(worked) - 1
        open_edges = self.problem.run_edges is RunEdges.OPEN
        for value, shortest, longest, what in (
            (True, doctor.min_consecutive_days, doctor.max_consecutive_days, "working"),
            (False, doctor.min_days_off, None, "off"),
        ):
            for first, end in _runs(worked, value):
                length = end - first + 1
                if longest is not None and length > longest:
                    self.refuse("max_run", doctor.id, f"{doctor.id}: {length} days {what}")
                touches_edge = first == 0 or end == last
                if length < shortest and not (open_edges and touches_edge):
                    self.refuse("min_run", doctor.id, f"{doctor.id}: {length} days {what}")

    def rooms(self) -> None:
        at_centre: dict[str, list[Assignment]] = defaultdict(list)
        for a in self.roster:
            at_centre[a.centre_id].append(a)
        for centre_id, here in at_centre.items():
            rooms = self.centres[centre_id].rooms
            events = sorted([(a.start, 1) for a in here] + [(a.end, -1) for a in here])
            busy = 0
            for instant, step in events:  # ends sort before starts at the same instant
                busy += step
                if busy > rooms:
                    self.refuse("rooms", None, f"{centre_id}: {busy} doctors at {instant}")
                    break

    def supervision(self) -> None:
        for a in self.roster:
            doctor = self.doctors.get(a.doctor_id)
            if doctor is None:
                continue
            centre = self.centres[a.centre_id]
            if doctor.seniority is Seniority.INTERN and centre.intern_needs_supervisor:
                wanted = {doctor.supervisor_id}
            elif doctor.seniority is Seniority.JUNIOR and centre.junior_needs_senior:
                wanted = {d.id for d in self.problem.doctors if d.seniority is Seniority.SENIOR}
            else:
                continue
            present = any(
                b.centre_id == a.centre_id and b.start <= a.start and b.end >= a.end
                for boss in wanted
                for b in self.of_doctor.get(boss or "", [])
            )
            if not present:
                self.refuse("supervision", doctor.id, f"{doctor.id} unsupervised in {a.shift_id}")

    # --- soft -----------------------------------------------------------------------------

    def cover(self) -> None:
        weight = self.problem.weights.cover
        for need in self.problem.needs:
            count = sum(
                1
                for a in self.roster
                if a.centre_id == need.centre_id
                and a.start <= need.start
                and a.end >= need.end
                and (need.shift_type is None or a.shift_type == need.shift_type)
            )
            self.terms[Term.COVER_SHORTFALL] += weight * need.weight * max(need.doctors - count, 0)
            if need.over_weight:
                self.terms[Term.COVER_EXCESS] += (
                    weight * need.over_weight * max(count - need.doctors, 0)
                )

    def wishes(self, doctor: SolverDoctor, mine: list[Assignment]) -> None:
        weight = self.problem.weights.wishes
        for wish in doctor.wishes:
            if not self.problem.period.first_day <= wish.day <= self.problem.period.last_day:
                continue
            hit = any(
                a.day == wish.day
                and wish.part in _halves(a, self.centres[a.centre_id].time_zone)
                and (wish.shift_type is None or a.shift_type == wish.shift_type)
                for a in mine
            )
            if hit != (wish.kind is WishKind.WORK):
                self.terms[Term.WISHES] += weight * wish.weight

    def targets(self, doctor: SolverDoctor, mine: list[Assignment]) -> None:
        weights = self.problem.weights
        if doctor.wanted_shifts is not None:
            self.terms[Term.TARGETS] += weights.target_shifts * abs(
                len(mine) - doctor.wanted_shifts
            )
        if doctor.wanted_minutes is not None and weights.target_hours:
            away = abs(sum(_minutes(a) for a in mine) - doctor.wanted_minutes)
            self.terms[Term.TARGETS] += weights.target_hours * (-(-away // 60))

    def could_work(self, doctor: SolverDoctor, day_test: object) -> bool:
        """Has the doctor a candidate shift passing ``day_test`` they may take?"""
        for shift in self.problem.shifts:
            if shift.centre_id not in doctor.centre_ids or not day_test(shift):  # type: ignore[operator]
                continue
            if not self.problem.period.first_day <= shift.day <= self.problem.period.last_day:
                continue
            if any(shift.start < end and start < shift.end for start, end in doctor.leave):
                continue
            halves = _halves(
                Assignment(
                    shift.id,
                    doctor.id,
                    shift.centre_id,
                    shift.day,
                    shift.start,
                    shift.end,
                    shift.shift_type,
                ),
                self.centres[shift.centre_id].time_zone,
            )
            if any(off.day == shift.day and off.part in halves for off in doctor.unavailable):
                continue
            return True
        return False

    def fairness(self) -> None:
        weights, ledger = self.problem.weights, self.problem.ledger
        holiday_of = {c.id: c.public_holidays for c in self.problem.centres}
        late_ids = {s.id for s in self.problem.shifts if s.late}
        rows = (
            (Term.FAIR_WEEKENDS, weights.fair_weekends, lambda s: _saturday_of(s.day) is not None),
            (Term.FAIR_HOLIDAYS, weights.fair_holidays, lambda s: s.day in holiday_of[s.centre_id]),
            (Term.FAIR_LATE, weights.fair_late, lambda s: s.late),
        )
        for term, weight, test in rows:
            if not weight:
                continue
            counts = []
            for doctor in self.problem.doctors:
                if not self.could_work(doctor, test):
                    continue
                past = ledger.get(doctor.id)
                mine = self.of_doctor.get(doctor.id, [])
                if term is Term.FAIR_WEEKENDS:
                    count = len({_saturday_of(a.day) for a in mine} - {None})
                    count += past.weekends if past else 0
                elif term is Term.FAIR_HOLIDAYS:
                    count = sum(1 for a in mine if a.day in holiday_of[a.centre_id])
                    count += past.public_holidays if past else 0
                else:
                    count = sum(1 for a in mine if a.shift_id in late_ids)
                    count += past.late_shifts if past else 0
                counts.append(count)
            if len(counts) >= 2:
                self.terms[term] += weight * (max(counts) - min(counts))

    def habits(self, doctor: SolverDoctor, mine: list[Assignment]) -> None:
        weights = self.problem.weights
        centres: dict[tuple[int, int], set[str]] = defaultdict(set)
        for a in mine:
            iso = a.day.isocalendar()
            centres[(iso[0], iso[1])].add(a.centre_id)
        self.terms[Term.CENTRES_PER_WEEK] += weights.centres_per_week * sum(
            len(here) - 1 for here in centres.values()
        )
        period = self.problem.period
        worked = {a.day for a in mine}
        isolated = sum(
            1
            for i in range(1, period.days - 1)
            if period.day(i) in worked
            and period.day(i - 1) not in worked
            and period.day(i + 1) not in worked
        )
        self.terms[Term.ISOLATED_DAYS] += weights.isolated_days * isolated

    def changes(self) -> None:
        offered = {(s.centre_id, s.start, s.end) for s in self.problem.shifts}
        planned = {(a.doctor_id, a.centre_id, a.start, a.end) for a in self.roster}
        period = self.problem.period
        for e in self.problem.existing:
            if e.fixed or not period.first_day <= e.day <= period.last_day:
                continue
            if (e.centre_id, e.start, e.end) in offered and (
                e.doctor_id,
                e.centre_id,
                e.start,
                e.end,
            ) not in planned:
                self.terms[Term.CHANGES] += self.problem.weights.changes

    def run(self) -> Evaluation:
        self.offered()
        for doctor in self.problem.doctors:
            mine = self.of_doctor.get(doctor.id, [])
            self.doctor(doctor, mine)
            self.wishes(doctor, mine)
            self.targets(doctor, mine)
            self.habits(doctor, mine)
        self.rooms()
        self.supervision()
        self.cover()
        self.fairness()
        self.changes()
        terms = {term: value for term, value in self.terms.items() if value}
        return Evaluation(tuple(self.violations), terms, sum(terms.values()))


def evaluate(problem: PlanningProblem, roster: Iterable[Assignment]) -> Evaluation:
    """Every hard rule the roster breaks, and its objective by term."""
    return _Evaluator(problem, list(roster)).run()
