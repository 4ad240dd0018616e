"""A month of a small network through the solver: availability, leave and supervision hold,
and the plan reads back as changes the checker accepts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from rota.checks import RotaContext, check_shifts
from rota.conflicts import Severity
from rota.coverage import CoverNeeds, CoverSegment
from rota.domain import LeaveSpan, Seniority
from rota.problem import DayWord, MonthTarget, build_problem, plan_changes
from rota.solver import model as solver
from rota.solver.cpsat import solve
from tests.rota_logic.factories import make_centre, make_doctor, make_shift

pytestmark = pytest.mark.timeout(60)

MONTH = date(2026, 12, 1)
LYON = make_centre("lyon", rooms=("1", "2"))
NEEDS = {
    "lyon": CoverNeeds(
        weekday=(CoverSegment(time(8), time(14), 1), CoverSegment(time(14), time(20), 1)),
        weekend=(CoverSegment(time(8), time(14), 1),),
        public_holiday=(CoverSegment(time(8), time(14), 1),),
    )
}
SENIOR = make_doctor("s1", name="Dr Senior")
OTHER = make_doctor("s2", name="Dr Autre")
INTERN = replace(
    make_doctor("i1", name="Dr Interne"), seniority=Seniority.INTERN, supervisor_id="s1"
)
DOCTORS = [SENIOR, OTHER, INTERN]


def test_the_month_is_planned_within_availability_leave_and_supervision() -> None:
    # The senior works only the first week; the other is away the 10th.
    words = [
        DayWord("s1", date(2026, 12, d), solver.DayPart.WHOLE_DAY, "available") for d in range(1, 8)
    ]
    away = LeaveSpan.for_days("l1", "s2", date(2026, 12, 10), date(2026, 12, 10), LYON.time_zone)
    existing = [make_shift("7", "s2", LYON, date(2026, 12, 2), 8, 14, room="1")]
    problem = build_problem(
        MONTH, [LYON], DOCTORS, NEEDS, existing, [away], words, [MonthTarget("s2", 20)]
    )
    result = solve(problem, solver.SolveOptions(time_limit_seconds=10, num_workers=1))
    assert result.status in (solver.SolveStatus.OPTIMAL, solver.SolveStatus.FEASIBLE)
    worked = {(a.doctor_id, a.day) for a in result.assignments}
    senior_days = {day for who, day in worked if who == "s1"}
    assert senior_days and all(day.day <= 7 for day in senior_days)
    assert ("s2", date(2026, 12, 10)) not in worked
    for a in result.assignments:
        if a.doctor_id == "i1":
            assert any(
                b.doctor_id == "s1" and b.start <= a.start and a.end <= b.end
                for b in result.assignments
            ), a

    changes = plan_changes(problem, result.assignments, existing, {"lyon": LYON.rooms})
    after = [s for s in existing if s.id not in {r.id for r in changes.removed}]
    after = [s for s in after if s.id not in {m[0].id for m in changes.moved}]
    after += [m[1] for m in changes.moved] + list(changes.added)
    context = RotaContext.build([LYON], DOCTORS, [away], NEEDS)
    errors = [c for c in check_shifts(after, context) if c.severity is Severity.ERROR]
    assert errors == []
    assert all(s.room in LYON.rooms for s in changes.added)
