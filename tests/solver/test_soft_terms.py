"""Each soft term of the objective, the options (hint, progress, cancel, seed) and borders."""

from __future__ import annotations

import ast
from pathlib import Path

from rota.solver.cpsat import solve
from rota.solver.model import (
    ExistingShift,
    LedgerEntry,
    Progress,
    SolveOptions,
    SolverCentre,
    SolveStatus,
    Term,
    Wish,
    WishKind,
)
from tests.solver.helpers import day, doctor, need, problem, shift, solved, with_weights, worked

TWO_CENTRES = (SolverCentre("paris", rooms=5), SolverCentre("lyon", rooms=5))


def _term(result: object, term: Term) -> int:
    return next((t.penalty for t in result.terms if t.term is term), 0)  # type: ignore[attr-defined]


def test_cover_shortfall_is_explained() -> None:
    result = solved(problem([], [shift("paris", 0, 8, 14)], [need("paris", 0, 8, 14, doctors=2)]))
    assert result.objective == 200
    (term,) = [t for t in result.terms if t.term is Term.COVER_SHORTFALL]
    assert term.count == 2 and "2 médecin" in term.explanation and "2 doctor" in term.explanation_en


def test_wishes_to_work_and_to_be_off() -> None:
    shifts, needs = [shift("paris", 0, 8, 14)], [need("paris", 0, 8, 14)]
    keen = doctor("b", wishes=(Wish(day(0), WishKind.WORK, 5),))
    result = solved(problem([doctor("a"), keen], shifts, needs))
    assert worked(result, "b") == ["paris-0-8-14"] and result.objective == 0
    tired = doctor("a", wishes=(Wish(day(0), WishKind.OFF, 5),))
    result = solved(problem([tired, doctor("b")], shifts, needs))
    assert worked(result, "b") == ["paris-0-8-14"] and result.objective == 0
    alone = solved(problem([tired], shifts, needs))
    assert alone.objective == 5 and _term(alone, Term.WISHES) == 5


def test_monthly_targets() -> None:
    shifts = [shift("paris", i, 8, 14) for i in range(5)]
    by_shifts = with_weights(problem([doctor("a", wanted_shifts=2)], shifts, []), target_shifts=20)
    assert len(solved(by_shifts).assignments) == 2
    by_hours = with_weights(
        problem([doctor("a", wanted_minutes=18 * 60)], shifts, []), target_hours=5
    )
    assert len(solved(by_hours).assignments) == 3  # 3 × 6 h


def test_weekends_are_shared_with_the_ledger() -> None:
    shifts = [shift("paris", i, 8, 14) for i in (5, 12)]
    needs = [need("paris", i, 8, 14) for i in (5, 12)]
    planning = with_weights(
        problem(
            [doctor("a"), doctor("b")],
            shifts,
            needs,
            days=14,
            ledger={"a": LedgerEntry(weekends=3)},
        ),
        fair_weekends=30,
    )
    result = solved(planning)
    assert worked(result, "b") == ["paris-12-8-14", "paris-5-8-14"]
    assert result.objective == 30  # a has 3, b has 2


def test_public_holidays_and_late_shifts_are_shared() -> None:
    holiday = (SolverCentre("paris", rooms=5, public_holidays=frozenset({day(2)})),)
    planning = with_weights(
        problem(
            [doctor("a"), doctor("b")],
            [shift("paris", 2, 8, 14)],
            [need("paris", 2, 8, 14)],
            centres=holiday,
            ledger={"b": LedgerEntry(public_holidays=2)},
        ),
        fair_holidays=30,
    )
    result = solved(planning)
    assert worked(result, "a") == ["paris-2-8-14"] and result.objective == 30
    late = with_weights(
        problem(
            [doctor("a"), doctor("b")],
            [shift("paris", 0, 16, 22, late=True)],
            [need("paris", 0, 16, 22)],
            ledger={"a": LedgerEntry(late_shifts=1)},
        ),
        fair_late=10,
    )
    result = solved(late)
    assert worked(result, "b") == ["paris-0-16-22"] and result.objective == 0


def test_fewer_centres_in_a_doctors_week() -> None:
    shifts = [shift("paris", 0, 8, 14), shift("lyon", 1, 8, 14)]
    needs = [need("paris", 0, 8, 14), need("lyon", 1, 8, 14)]
    both = doctor("a", "paris", "lyon")
    shared = with_weights(
        problem([both, doctor("b", "lyon")], shifts, needs, centres=TWO_CENTRES),
        centres_per_week=15,
    )
    result = solved(shared)
    assert worked(result, "a") == ["paris-0-8-14"] and result.objective == 0
    alone = with_weights(problem([both], shifts, needs, centres=TWO_CENTRES), centres_per_week=15)
    assert solved(alone).objective == 15


def test_fewer_isolated_days() -> None:
    shifts = [shift("paris", i, 8, 14) for i in (1, 2)]
    needs = [need("paris", 1, 8, 14), need("paris", 2, 8, 14)]
    one_room = (SolverCentre("paris", rooms=1),)
    planning = with_weights(
        problem([doctor("a"), doctor("b")], shifts, needs, centres=one_room), isolated_days=10
    )
    result = solved(planning)
    assert result.objective == 0
    assert {len(worked(result, "a")), len(worked(result, "b"))} == {0, 2}


def test_movable_shifts_are_kept_unless_worth_changing() -> None:
    s = shift("paris", 0, 8, 14)
    existing = (ExistingShift("old", "a", "paris", s.day, s.start, s.end, fixed=False),)
    keen = doctor("b", wishes=(Wish(day(0), WishKind.WORK, 1),))
    planning = with_weights(
        problem(
            [doctor("a"), keen],
            [s],
            [need("paris", 0, 8, 14)],
            centres=(SolverCentre("paris", rooms=1),),
            existing=existing,
        ),
        changes=50,
    )
    result = solved(planning)
    assert worked(result, "a") == ["paris-0-8-14"]
    assert result.objective == 1  # b's wish, cheaper than moving a's shift


def test_fixed_shifts_stay_even_off_the_candidates() -> None:
    s = shift("paris", 0, 7, 9)
    existing = (ExistingShift("kept", "a", "paris", s.day, s.start, s.end, fixed=True),)
    result = solved(problem([doctor("a")], [], [], existing=existing))
    assert [a.doctor_id for a in result.assignments] == ["a"]


def _busy_week() -> object:
    shifts = [shift("paris", i, h, h + 6) for i in range(7) for h in (8, 14)]
    needs = [need("paris", i, h, h + 6, doctors=2) for i in range(7) for h in (8, 14)]
    staff = [
        doctor(f"d{n}", weekly_limit_hours=24, wishes=(Wish(day(n % 7), WishKind.OFF, 3),))
        for n in range(6)
    ]
    return problem(staff, shifts, needs)


def test_progress_reports_and_can_cancel() -> None:
    seen: list[Progress] = []

    def stop_at_first(progress: Progress) -> bool:
        seen.append(progress)
        return False

    result = solve(
        _busy_week(),  # type: ignore[arg-type]
        SolveOptions(
            time_limit_seconds=20, num_workers=1, greedy_hint=False, progress=stop_at_first
        ),
    )
    assert len(seen) == 1
    assert seen[0].objective >= seen[0].bound and seen[0].gaps_left >= 0
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    assert result.assignments and result.seconds < 20


def test_same_seed_same_plan_and_a_given_hint() -> None:
    options = SolveOptions(time_limit_seconds=20, num_workers=1, seed=7)
    first = solve(_busy_week(), options)  # type: ignore[arg-type]
    second = solve(_busy_week(), options)  # type: ignore[arg-type]
    assert first.assignments == second.assignments
    hinted = solve(
        _busy_week(), SolveOptions(time_limit_seconds=20, num_workers=1, hint=first.assignments)
    )  # type: ignore[arg-type]
    assert hinted.objective == first.objective


def test_the_greedy_warm_start_is_a_plan() -> None:
    result = solve(_busy_week(), SolveOptions(time_limit_seconds=20, num_workers=1))  # type: ignore[arg-type]
    assert result.greedy_objective is not None
    assert result.objective is not None and result.objective <= result.greedy_objective


def test_the_solver_imports_no_database_nor_web_framework() -> None:
    package = Path(__file__).resolve().parents[2] / "rota" / "solver"
    imported: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    assert imported, "the walk found no import"
    tops = {name.split(".")[0] for name in imported}
    assert not tops & {"litestar", "sqlalchemy", "advanced_alchemy", "service", "redis"}
    assert {
        name for name in imported if name.startswith("rota.") and not name.startswith("rota.solver")
    } == set()


def test_rooms_are_handed_out_without_sharing() -> None:
    from rota.solver.rooms import assign_rooms

    planning = problem(
        [doctor("a"), doctor("b"), doctor("c")],
        [shift("paris", 0, 8, 14), shift("paris", 0, 14, 20)],
        [need("paris", 0, 8, 14, doctors=2), need("paris", 0, 14, 20, doctors=1)],
        centres=(SolverCentre("paris", rooms=2),),
    )
    result = solved(planning)
    rooms = assign_rooms(result.assignments, {"paris": ["1", "2"]})
    morning = [rooms[a] for a in result.assignments if a.start.hour == 8]
    assert sorted(morning) == ["1", "2"]


def test_cancelling_at_the_greedy_plan_returns_it_checked() -> None:
    from rota.solver.evaluate import evaluate

    calls: list[Progress] = []

    def stop(progress: Progress) -> bool:
        calls.append(progress)
        return False

    planning = _busy_week()
    result = solve(planning, SolveOptions(time_limit_seconds=20, progress=stop))  # type: ignore[arg-type]
    assert len(calls) == 1 and result.status is SolveStatus.FEASIBLE
    assert result.objective == result.greedy_objective == calls[0].objective
    judged = evaluate(planning, result.assignments)  # type: ignore[arg-type]
    assert judged.feasible and judged.objective == result.objective
