"""Small hand-made planning problems whose best plan is known."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rota.solver.cpsat import solve
from rota.solver.evaluate import evaluate
from rota.solver.model import (
    CandidateShift,
    CoverNeed,
    Period,
    PlanningProblem,
    SolveOptions,
    SolverCentre,
    SolverDoctor,
    SolveResult,
    Weights,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 12, 7)
QUIET = Weights.cover_and_wishes()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def day(index: int) -> date:
    return MONDAY + timedelta(days=index)


def shift(
    centre: str, index: int, start: int, end: int, kind: str = "day", late: bool = False
) -> CandidateShift:
    when = day(index)
    return CandidateShift(
        f"{centre}-{index}-{start}-{end}",
        centre,
        when,
        at(when, start),
        at(when, end) if end < 24 else at(when + timedelta(days=1), end - 24),
        kind,
        late=late,
    )


def need(
    centre: str, index: int, start: int, end: int, doctors: int = 1, weight: int = 100
) -> CoverNeed:
    when = day(index)
    return CoverNeed(centre, when, at(when, start), at(when, end), doctors, weight)


def doctor(id: str, *centres: str, **settings: object) -> SolverDoctor:
    return SolverDoctor(id, frozenset(centres or ("paris",)), **settings)  # type: ignore[arg-type]


def problem(
    doctors: Iterable[SolverDoctor],
    shifts: Iterable[CandidateShift],
    needs: Iterable[CoverNeed],
    days: int = 7,
    centres: Iterable[SolverCentre] = (SolverCentre("paris", rooms=5),),
    weights: Weights = QUIET,
    **more: object,
) -> PlanningProblem:
    return PlanningProblem(
        period=Period(MONDAY, days),
        centres=tuple(centres),
        doctors=tuple(doctors),
        shifts=tuple(shifts),
        needs=tuple(needs),
        weights=weights,
        **more,  # type: ignore[arg-type]
    )


def solved(planning: PlanningProblem, seconds: float = 10) -> SolveResult:
    """Solve to proven optimality, and check the plan with the independent evaluator."""
    result = solve(planning, SolveOptions(time_limit_seconds=seconds, num_workers=1))
    assert result.optimal, result.status
    judged = evaluate(planning, result.assignments)
    assert judged.violations == (), judged.violations
    assert judged.objective == result.objective
    assert sum(term.penalty for term in result.terms) == result.objective
    return result


def worked(result: SolveResult, doctor_id: str) -> list[str]:
    return sorted(a.shift_id for a in result.assignments if a.doctor_id == doctor_id)


def with_weights(planning: PlanningProblem, **weights: int) -> PlanningProblem:
    return replace(planning, weights=replace(planning.weights, **weights))
