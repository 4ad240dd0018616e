"""The Curtois & Qu staff-scheduling benchmark read into the rota's own planning model.

One centre; each day of the horizon offers one candidate shift per shift type, all starting at
local midnight (only the length matters: one shift a day, and the file's forbidden successions
replace rest times). Day 0 is a Monday, so weekends fall where the benchmark puts them.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rota.solver.cpsat import solve
from rota.solver.evaluate import evaluate
from rota.solver.model import (
    Assignment,
    CandidateShift,
    CoverNeed,
    Period,
    PlanningProblem,
    RunEdges,
    SolveOptions,
    SolverCentre,
    SolverDoctor,
    Unavailability,
    Weights,
    Wish,
    WishKind,
)

FIRST_MONDAY = date(2024, 1, 1)  # any Monday: day 0 of every instance
CENTRE = "site"
# The two workers of the search on the flow model (cpsat._race) that prove these optima on two
# cores: an LP with every linear relaxation, and max-SAT cores on the objective's many small
# penalties. The search that finds plans runs beside them on one thread of its own.
PROVING = ("max_lp", "core")
_SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class InstanceError(ValueError):
    """The file is not a benchmark instance; the message says where."""


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: Mapping[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under: int
    over: int


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    lengths: Mapping[str, int]  # shift type -> minutes
    forbidden_after: Mapping[str, frozenset[str]]
    staff: tuple[Staff, ...]
    days_off: Mapping[str, frozenset[int]]
    on_requests: tuple[Request, ...] = ()
    off_requests: tuple[Request, ...] = ()
    cover: tuple[Cover, ...] = field(default=())


def _number(text: str, where: str) -> int:
    """An integer field; ``-0`` (as in instance 15) reads as 0."""
    try:
        return int(text.strip())
    except ValueError:
        raise InstanceError(f"{where}: not a whole number: {text!r}") from None


def _sections(text: str) -> dict[str, list[tuple[int, list[str]]]]:
    found: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in _SECTIONS:
                raise InstanceError(f"line {number}: unknown section {line}")
            current = line
            found.setdefault(current, [])
            continue
        if current is None:
            raise InstanceError(f"line {number}: data before any section")
        found[current].append((number, [part.strip() for part in line.split(",")]))
    for required in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"):
        if required not in found:
            raise InstanceError(f"missing {required}")
    return found


def _fields(row: tuple[int, list[str]], at_least: int, what: str) -> tuple[str, list[str]]:
    number, parts = row
    if len(parts) < at_least:
        raise InstanceError(f"line {number}: {what} needs {at_least} fields, has {len(parts)}")
    return f"line {number}", parts


def parse_instance(text: str, name: str = "instance") -> Instance:
    sections = _sections(text)
    horizon = sections["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise InstanceError("SECTION_HORIZON holds one number")
    where, parts = _fields(horizon[0], 1, "the horizon")
    days = _number(parts[0], where)
    if days < 1:
        raise InstanceError(f"{where}: the horizon has at least one day")

    lengths: dict[str, int] = {}
    forbidden: dict[str, frozenset[str]] = {}
    for row in sections["SECTION_SHIFTS"]:
        where, parts = _fields(row, 2, "a shift type")
        lengths[parts[0]] = _number(parts[1], where)
        successors = parts[2] if len(parts) > 2 else ""
        forbidden[parts[0]] = frozenset(p.strip() for p in successors.split("|") if p.strip())
    for shift_type, after in forbidden.items():
        unknown = after - lengths.keys()
        if unknown:
            raise InstanceError(f"shift {shift_type}: unknown successors {sorted(unknown)}")

    staff = []
    for row in sections["SECTION_STAFF"]:
        where, parts = _fields(row, 8, "an employee")
        maxima: dict[str, int] = {}
        for pair in filter(None, (p.strip() for p in parts[1].split("|"))):
            shift_type, _, most = pair.partition("=")
            if shift_type not in lengths:
                raise InstanceError(f"{where}: unknown shift type {shift_type!r}")
            maxima[shift_type] = _number(most, where)
        values = [_number(p, where) for p in parts[2:8]]
        staff.append(Staff(parts[0], maxima, *values))
    ids = {s.id for s in staff}
    if len(ids) != len(staff):
        raise InstanceError("two employees share an id")

    def day_of(text: str, where: str) -> int:
        day = _number(text, where)
        if not 0 <= day < days:
            raise InstanceError(f"{where}: day {day} outside the horizon of {days} days")
        return day

    days_off: dict[str, frozenset[int]] = {}
    for row in sections.get("SECTION_DAYS_OFF", []):
        where, parts = _fields(row, 1, "days off")
        if parts[0] not in ids:
            raise InstanceError(f"{where}: unknown employee {parts[0]!r}")
        days_off[parts[0]] = frozenset(day_of(p, where) for p in parts[1:] if p)

    def requests(section: str) -> tuple[Request, ...]:
        rows = []
        for row in sections.get(section, []):
            where, parts = _fields(row, 4, "a request")
            if parts[0] not in ids or parts[2] not in lengths:
                raise InstanceError(f"{where}: unknown employee or shift type")
            rows.append(
                Request(parts[0], day_of(parts[1], where), parts[2], _number(parts[3], where))
            )
        return tuple(rows)

    cover = []
    for row in sections["SECTION_COVER"]:
        where, parts = _fields(row, 5, "a cover line")
        if parts[1] not in lengths:
            raise InstanceError(f"{where}: unknown shift type {parts[1]!r}")
        numbers = [_number(p, where) for p in parts[2:5]]
        cover.append(Cover(day_of(parts[0], where), parts[1], *numbers))
    return Instance(
        name,
        days,
        lengths,
        forbidden,
        tuple(staff),
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        tuple(cover),
    )


def read_instance(path: Path) -> Instance:
    return parse_instance(path.read_text(encoding="utf-8"), path.stem)


def _midnight(day: int) -> datetime:
    return datetime.combine(FIRST_MONDAY + timedelta(days=day), datetime.min.time(), UTC)


def shift_id(shift_type: str, day: int) -> str:
    return f"{shift_type}@{day}"


def to_problem(instance: Instance, edges: RunEdges = RunEdges.OPEN) -> PlanningProblem:
    """The instance as a planning problem whose objective is the benchmark's."""
    period = Period(FIRST_MONDAY, instance.days, "UTC")
    shifts = tuple(
        CandidateShift(
            shift_id(shift_type, day),
            CENTRE,
            period.day(day),
            _midnight(day),
            _midnight(day) + timedelta(minutes=minutes),
            shift_type,
        )
        for day in range(instance.days)
        for shift_type, minutes in instance.lengths.items()
    )
    wishes: dict[str, list[Wish]] = {s.id: [] for s in instance.staff}
    for kind, requests in (
        (WishKind.WORK, instance.on_requests),
        (WishKind.OFF, instance.off_requests),
    ):
        for request in requests:
            wishes[request.staff].append(
                Wish(period.day(request.day), kind, request.weight, shift_type=request.shift)
            )
    doctors = tuple(
        SolverDoctor(
            id=staff.id,
            centre_ids=frozenset({CENTRE}),
            weekly_limit_hours=None,
            min_rest_hours=0,
            max_shifts_per_type=dict(staff.max_shifts),
            min_total_minutes=staff.min_minutes,
            max_total_minutes=staff.max_minutes,
            min_consecutive_days=staff.min_consecutive,
            max_consecutive_days=staff.max_consecutive,
            min_days_off=staff.min_days_off,
            max_weekends=staff.max_weekends,
            unavailable=tuple(
                Unavailability(period.day(day))
                for day in sorted(instance.days_off.get(staff.id, ()))
            ),
            wishes=tuple(wishes[staff.id]),
        )
        for staff in instance.staff
    )
    needs = tuple(
        CoverNeed(
            CENTRE,
            period.day(c.day),
            _midnight(c.day),
            _midnight(c.day) + timedelta(minutes=instance.lengths[c.shift]),
            c.requirement,
            weight=c.under,
            over_weight=c.over,
            shift_type=c.shift,
        )
        for c in instance.cover
    )
    return PlanningProblem(
        period=period,
        centres=(SolverCentre(CENTRE, "UTC", rooms=len(doctors)),),
        doctors=doctors,
        shifts=shifts,
        needs=needs,
        forbidden_successions=frozenset(
            (before, after)
            for before, afters in instance.forbidden_after.items()
            for after in afters
        ),
        run_edges=edges,
        # The benchmark's objective: requests and cover only, at their own weights.
        weights=Weights.cover_and_wishes(),
    )


def roster_of(instance: Instance, assignments: Iterable[Assignment]) -> dict[str, list[str]]:
    """Per employee, the shift type worked on each day ("" for a day off)."""
    roster = {staff.id: [""] * instance.days for staff in instance.staff}
    for a in assignments:
        roster[a.doctor_id][(a.day - FIRST_MONDAY).days] = a.shift_type
    return roster


def assignments_from_roster(
    instance: Instance, roster: Mapping[str, list[str]]
) -> list[Assignment]:
    rows = []
    for staff_id, days in roster.items():
        for day, shift_type in enumerate(days):
            if shift_type:
                start = _midnight(day)
                rows.append(
                    Assignment(
                        shift_id(shift_type, day),
                        staff_id,
                        CENTRE,
                        FIRST_MONDAY + timedelta(days=day),
                        start,
                        start + timedelta(minutes=instance.lengths[shift_type]),
                        shift_type,
                    )
                )
    return rows


class RosterRefused(RuntimeError):
    """The solver's roster breaks a hard rule: a bug, reported loudly."""


# Past this many staff × days × shift types the flow's proving threads do not finish within a
# minute on two cores, and the plan-finding search needs every thread instead: instance 8
# (3,360) got rosters of 1,333 and 1,505 with three plain workers (``max_lp``, ``core`` and an
# interleaved neighbourhood search) against 1,796 with the race, on a quiet machine
# (2026-12-01); instances 1-7 (112-1,680) are proven faster by the race.
RACE_UP_TO = 2500


def search_threads(instance: Instance) -> tuple[int, int]:
    """(plan-finding workers, flow workers) for an instance, by its size."""
    size = len(instance.staff) * instance.days * len(instance.lengths)
    return (1, 2) if size <= RACE_UP_TO else (3, 0)


def run_instance(
    path: Path,
    time_limit: float,
    workers: int | None = None,
    seed: int = 0,
    edges: RunEdges = RunEdges.OPEN,
    flow_workers: int | None = None,
) -> dict[str, Any]:
    """Solve one file; the objective is the evaluator's, from the roster alone. Threads not
    given are chosen by the instance's size (search_threads)."""
    started = clock.monotonic()
    instance = read_instance(path)
    chosen = search_threads(instance)
    workers = chosen[0] if workers is None else workers
    flow_workers = chosen[1] if flow_workers is None else flow_workers
    problem = to_problem(instance, edges)
    options = SolveOptions(
        time_limit_seconds=time_limit,
        num_workers=workers,
        seed=seed,
        subsolvers=PROVING,
        flow_workers=flow_workers,
    )
    result = solve(problem, options)
    seconds = clock.monotonic() - started
    roster = roster_of(instance, result.assignments)
    if not result.assignments:
        raise RosterRefused(f"{instance.name}: no roster found ({result.status})")
    judged = evaluate(problem, assignments_from_roster(instance, roster))
    if not judged.feasible:
        broken = "; ".join(v.message for v in judged.violations[:5])
        raise RosterRefused(f"{instance.name}: the roster breaks hard rules: {broken}")
    if judged.objective != result.objective:
        raise RosterRefused(
            f"{instance.name}: the evaluator finds {judged.objective}, "
            f"the solver {result.objective}"
        )
    return {
        "instance": instance.name,
        "objective": judged.objective,
        "optimal": result.optimal,
        "bound": result.bound,
        "seconds": round(seconds, 2),
        "roster": roster,
    }
