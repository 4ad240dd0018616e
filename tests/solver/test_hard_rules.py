"""Each hard rule on a problem small enough to know the answer; the evaluator must agree."""

from __future__ import annotations

from datetime import timedelta

from rota.solver.model import (
    DayPart,
    RunEdges,
    Seniority,
    SolverCentre,
    Unavailability,
    UncoveredReason,
    Wish,
    WishKind,
)
from tests.solver.helpers import at, day, doctor, need, problem, shift, solved, worked

# Every day off wished for a little: the doctor works no more than the rules make them.
RATHER_OFF = tuple(Wish(day(i), WishKind.OFF, 1) for i in range(14))
TWO_CENTRES = (SolverCentre("paris", rooms=5), SolverCentre("lyon", rooms=5))


def test_a_doctor_is_never_in_two_centres_at_once() -> None:
    result = solved(
        problem(
            [doctor("a", "paris", "lyon")],
            [shift("paris", 0, 8, 14), shift("lyon", 0, 10, 16)],
            [need("paris", 0, 8, 14), need("lyon", 0, 10, 16)],
            centres=TWO_CENTRES,
        )
    )
    assert len(worked(result, "a")) == 1
    assert result.objective == 100
    (gap,) = result.uncovered
    assert gap.reason is UncoveredReason.LIMITS and gap.missing == 1


def test_leave_blocks_work_and_says_no_one_is_available() -> None:
    leave = (at(day(0), 0), at(day(1), 0))
    result = solved(
        problem(
            [doctor("a", leave=(leave,))],
            [shift("paris", 0, 8, 14), shift("paris", 1, 8, 14)],
            [need("paris", 0, 8, 14), need("paris", 1, 8, 14)],
        )
    )
    assert worked(result, "a") == ["paris-1-8-14"]
    (gap,) = result.uncovered
    assert gap.day == day(0) and gap.reason is UncoveredReason.NO_ONE_AVAILABLE


def test_an_unavailable_morning_leaves_the_afternoon() -> None:
    shifts = [shift("paris", 0, 8, 13), shift("paris", 0, 14, 20)]
    needs = [need("paris", 0, 8, 13, weight=200), need("paris", 0, 14, 20)]
    free = solved(problem([doctor("a")], shifts, needs))
    assert worked(free, "a") == ["paris-0-8-13"]
    busy_morning = doctor("a", unavailable=(Unavailability(day(0), DayPart.MORNING),))
    result = solved(problem([busy_morning], shifts, needs))
    assert worked(result, "a") == ["paris-0-14-20"]


def test_rest_between_working_days() -> None:
    shifts = [shift("paris", 0, 14, 22), shift("paris", 1, 8, 14)]
    needs = [need("paris", 0, 14, 22), need("paris", 1, 8, 14)]
    assert len(solved(problem([doctor("a", min_rest_hours=11)], shifts, needs)).assignments) == 1
    assert len(solved(problem([doctor("a", min_rest_hours=10)], shifts, needs)).assignments) == 2


def test_weekly_limit() -> None:
    shifts = [shift("paris", i, 8, 14) for i in range(3)]
    needs = [need("paris", i, 8, 14) for i in range(3)]
    result = solved(problem([doctor("a", weekly_limit_hours=12)], shifts, needs))
    assert len(result.assignments) == 2


def test_only_attached_doctors_work_at_a_centre() -> None:
    result = solved(
        problem(
            [doctor("a", "lyon")],
            [shift("paris", 0, 8, 14)],
            [need("paris", 0, 8, 14)],
            centres=TWO_CENTRES,
        )
    )
    assert result.assignments == ()
    assert result.uncovered[0].reason is UncoveredReason.NO_ONE_AVAILABLE


def test_no_more_doctors_at_once_than_rooms() -> None:
    result = solved(
        problem(
            [doctor("a"), doctor("b")],
            [shift("paris", 0, 8, 14)],
            [need("paris", 0, 8, 14, doctors=2)],
            centres=(SolverCentre("paris", rooms=1),),
        )
    )
    assert len(result.assignments) == 1


def test_one_shift_a_day() -> None:
    result = solved(
        problem(
            [doctor("a", min_rest_hours=0)],
            [shift("paris", 0, 8, 12), shift("paris", 0, 14, 20)],
            [need("paris", 0, 8, 12), need("paris", 0, 14, 20)],
        )
    )
    assert len(result.assignments) == 1


def _supervision_case(boss_settings: dict[str, object], **centre: bool) -> list[str]:
    result = solved(
        problem(
            [
                doctor("boss", **boss_settings),
                doctor("kid", seniority=Seniority.INTERN, supervisor_id="boss"),
            ],
            [shift("paris", 0, 8, 12), shift("paris", 0, 8, 20)],
            [need("paris", 0, 8, 20), need("paris", 0, 8, 12, weight=1)],
            centres=(SolverCentre("paris", rooms=5, **centre),),
        )
    )
    return worked(result, "kid")


def test_an_intern_works_only_within_their_supervisors_shift() -> None:
    # The supervisor can only do the morning: the intern may not do the whole day alone.
    mornings_only = {"unavailable": (Unavailability(day(0), DayPart.AFTERNOON),)}
    assert "paris-0-8-20" not in _supervision_case(mornings_only)
    assert _supervision_case(mornings_only, intern_needs_supervisor=False) == ["paris-0-8-20"]
    # With the supervisor free all day, the intern works the whole day beside them.
    result = solved(
        problem(
            [doctor("boss"), doctor("kid", seniority=Seniority.INTERN, supervisor_id="boss")],
            [shift("paris", 0, 8, 12), shift("paris", 0, 8, 20)],
            [need("paris", 0, 8, 20, doctors=2)],
        )
    )
    assert worked(result, "kid") == worked(result, "boss") == ["paris-0-8-20"]


def test_an_intern_alone_is_reported_as_a_supervision_gap() -> None:
    leave = ((at(day(0), 0), at(day(1), 0)),)
    result = solved(
        problem(
            [
                doctor("boss", leave=leave),
                doctor("kid", seniority=Seniority.INTERN, supervisor_id="boss"),
            ],
            [shift("paris", 0, 8, 14)],
            [need("paris", 0, 8, 14)],
        )
    )
    assert result.assignments == ()
    assert result.uncovered[0].reason is UncoveredReason.SUPERVISION


def test_a_junior_needs_any_senior_there() -> None:
    shifts = [shift("paris", 0, 8, 14)]
    needs = [need("paris", 0, 8, 14, doctors=2)]
    junior = doctor("jun", seniority=Seniority.JUNIOR)
    alone = solved(problem([junior], shifts, needs))
    assert alone.assignments == ()
    beside = solved(problem([junior, doctor("sen")], shifts, needs))
    assert len(beside.assignments) == 2
    relaxed = (SolverCentre("paris", rooms=5, junior_needs_senior=False),)
    assert len(solved(problem([junior], shifts, needs, centres=relaxed)).assignments) == 1


def test_forbidden_successions() -> None:
    shifts = [shift("paris", 0, 14, 22, "late"), shift("paris", 1, 6, 12, "early")]
    needs = [need("paris", 0, 14, 22), need("paris", 1, 6, 12)]
    staff = [doctor("a", min_rest_hours=0)]
    assert len(solved(problem(staff, shifts, needs)).assignments) == 2
    banned = frozenset({("late", "early")})
    result = solved(problem(staff, shifts, needs, forbidden_successions=banned))
    assert len(result.assignments) == 1


def test_per_type_maximum_and_total_minutes() -> None:
    shifts = [shift("paris", i, 8, 14) for i in range(4)]
    needs = [need("paris", i, 8, 14) for i in range(4)]
    per_type = doctor("a", max_shifts_per_type={"day": 2})
    assert len(solved(problem([per_type], shifts, needs)).assignments) == 2
    capped = doctor("a", max_total_minutes=3 * 360)
    assert len(solved(problem([capped], shifts, needs)).assignments) == 3
    floor = doctor("a", min_total_minutes=3 * 360, wishes=RATHER_OFF)
    assert len(solved(problem([floor], shifts, needs[:1])).assignments) == 3


def test_runs_of_working_days_and_days_off() -> None:
    shifts = [shift("paris", i, 8, 14) for i in range(7)]
    longest = doctor("a", max_consecutive_days=3)
    result = solved(problem([longest], shifts, [need("paris", i, 8, 14) for i in range(5)]))
    # five days in need, three in a row at most: one stays uncovered (working day 6 as well
    # costs nothing, so only the needed days are counted)
    assert len([a for a in result.assignments if a.day <= day(4)]) == 4
    shortest = doctor("a", min_consecutive_days=2, wishes=RATHER_OFF)
    result = solved(problem([shortest], shifts, [need("paris", 3, 8, 14)]))
    days = sorted(a.day for a in result.assignments)
    assert len(days) == 2 and day(3) in days and days[1] - days[0] == timedelta(days=1)
    rested = doctor("a", min_days_off=2, wishes=RATHER_OFF)
    result = solved(problem([rested], shifts, [need("paris", 1, 8, 14), need("paris", 3, 8, 14)]))
    assert sorted(a.day for a in result.assignments) == [day(1), day(2), day(3)]


def test_the_edges_of_the_period_for_minimum_runs() -> None:
    shifts = [shift("paris", i, 8, 14) for i in range(7)]
    staff = [doctor("a", min_consecutive_days=3, wishes=RATHER_OFF)]
    needs = [need("paris", 0, 8, 14)]
    open_edges = solved(problem(staff, shifts, needs, run_edges=RunEdges.OPEN))
    assert len(open_edges.assignments) == 1  # the run may have begun the week before
    closed = solved(problem(staff, shifts, needs, run_edges=RunEdges.CLOSED))
    assert len(closed.assignments) == 3


def test_most_weekends() -> None:
    shifts = [shift("paris", i, 8, 14) for i in (5, 12)]
    needs = [need("paris", i, 8, 14) for i in (5, 12)]
    result = solved(problem([doctor("a", max_weekends=1)], shifts, needs, days=14))
    assert len(result.assignments) == 1
