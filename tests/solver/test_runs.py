"""The run rules as a flow (rota/solver/runs.py): exactly the day patterns the evaluator keeps."""

from __future__ import annotations

import itertools

import pytest
from ortools.sat.python import cp_model

from rota.solver.cpsat import Assignment, solve
from rota.solver.evaluate import evaluate
from rota.solver.model import RunEdges, SolveOptions
from rota.solver.runs import add_run_flow
from tests.solver.helpers import doctor, need, problem, shift

DAYS = 7
LIMITS = [  # min working run, max working run, min days off
    (2, None, 1),
    (1, 3, 1),
    (1, None, 2),
    (2, 4, 2),
    (3, 3, 1),
]


def _kept_by_the_evaluator(
    pattern: tuple[bool, ...], limits: tuple[int, int | None, int], edges: RunEdges
) -> bool:
    min_on, max_on, min_off = limits
    staff = doctor(
        "a", min_consecutive_days=min_on, max_consecutive_days=max_on, min_days_off=min_off
    )
    shifts = [shift("paris", i, 8, 14) for i in range(DAYS)]
    planning = problem([staff], shifts, [], run_edges=edges)
    roster = [
        Assignment(s.id, "a", s.centre_id, s.day, s.start, s.end, s.shift_type)
        for s, worked in zip(shifts, pattern, strict=True)
        if worked
    ]
    judged = evaluate(planning, roster)
    return not {"min_run", "max_run"} & {v.rule for v in judged.violations}


def _kept_by_the_flow(
    pattern: tuple[bool, ...], limits: tuple[int, int | None, int], edges: RunEdges
) -> bool:
    model = cp_model.CpModel()
    work = [model.new_bool_var(f"w{i}") for i in range(DAYS)]
    add_run_flow(model, work, *limits, closed_edges=edges is RunEdges.CLOSED)
    for var, worked in zip(work, pattern, strict=True):
        model.add(var == int(worked))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    kept = solver.solve(model) == cp_model.OPTIMAL
    return kept


@pytest.mark.parametrize("edges", list(RunEdges))
@pytest.mark.parametrize("limits", LIMITS)
def test_the_flow_keeps_exactly_the_patterns_the_evaluator_keeps(
    limits: tuple[int, int | None, int], edges: RunEdges
) -> None:
    kept = 0
    for pattern in itertools.product((False, True), repeat=DAYS):
        by_the_flow = _kept_by_the_flow(pattern, limits, edges)
        assert by_the_flow == _kept_by_the_evaluator(pattern, limits, edges), pattern
        kept += by_the_flow
    assert 0 < kept < 2**DAYS  # the rules do cut, and leave something


@pytest.mark.timeout(60)
def test_the_racing_searches_agree_with_the_evaluator() -> None:
    staff = [
        doctor("a", min_consecutive_days=2, max_consecutive_days=3, min_days_off=2),
        doctor("b", min_consecutive_days=3, min_days_off=2),
    ]
    shifts = [shift("paris", i, 8, 14) for i in range(DAYS)]
    needs = [need("paris", i, 8, 14, doctors=1 + i % 2) for i in range(DAYS)]
    planning = problem(staff, shifts, needs)
    alone = solve(planning, SolveOptions(time_limit_seconds=20, num_workers=1))
    raced = solve(planning, SolveOptions(time_limit_seconds=20, num_workers=1, flow_workers=1))
    assert alone.optimal and raced.optimal
    assert raced.objective == alone.objective
    judged = evaluate(planning, raced.assignments)
    assert judged.violations == () and judged.objective == raced.objective
