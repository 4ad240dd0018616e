"""Supervision as the checker sees it, and the checker as the judge of a proposal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from rota.checks import RotaContext, check_shifts, keep_clean
from rota.conflicts import ConflictKind
from rota.domain import CentrePlan, LeaveSpan, PlannedShift, Seniority, Supervision
from tests.rota_logic.factories import make_centre, make_doctor, make_shift

DAY = date(2026, 12, 8)
LYON = make_centre("lyon")
SENIOR = make_doctor("s1", name="Dr Senior")
OTHER = make_doctor("s2", name="Dr Autre")
INTERN = replace(
    make_doctor("i1", name="Dr Interne"), seniority=Seniority.INTERN, supervisor_id="s1"
)
JUNIOR = replace(make_doctor("j1", name="Dr Junior"), seniority=Seniority.JUNIOR)


def shift(shift_id: str, doctor_id: str, start: int, end: int) -> PlannedShift:
    return make_shift(shift_id, doctor_id, LYON, DAY, start, end)


def context(*leaves: LeaveSpan, centre: CentrePlan = LYON) -> RotaContext:
    return RotaContext.build([centre], [SENIOR, OTHER, INTERN, JUNIOR], leaves)


def unsupervised(shifts: list[PlannedShift], ctx: RotaContext) -> list[tuple[str, int, int]]:
    tz = LYON.time_zone
    return [
        (c.shift_ids[0], c.start.astimezone(ZoneInfo(tz)).hour, c.end.astimezone(ZoneInfo(tz)).hour)
        for c in check_shifts(shifts, ctx)
        if c.kind is ConflictKind.UNSUPERVISED
    ]


def test_an_intern_needs_their_own_supervisor_for_the_whole_shift() -> None:
    ctx = context()
    assert unsupervised([shift("i", "i1", 8, 14)], ctx) == [("i", 8, 14)]
    assert unsupervised([shift("i", "i1", 8, 14), shift("o", "s2", 8, 20)], ctx) == [("i", 8, 14)]
    partly = [shift("i", "i1", 8, 14), shift("s", "s1", 10, 12)]
    assert unsupervised(partly, ctx) == [("i", 8, 10), ("i", 12, 14)]
    assert unsupervised([shift("i", "i1", 8, 14), shift("s", "s1", 8, 20)], ctx) == []


def test_a_junior_needs_any_senior_and_leave_removes_the_supervisor() -> None:
    ctx = context()
    assert unsupervised([shift("j", "j1", 8, 14)], ctx) == [("j", 8, 14)]
    assert unsupervised([shift("j", "j1", 8, 14), shift("o", "s2", 8, 14)], ctx) == []
    away = LeaveSpan.for_days("l", "s2", DAY, DAY, LYON.time_zone)
    assert unsupervised([shift("j", "j1", 8, 14), shift("o", "s2", 8, 14)], context(away)) == [
        ("j", 8, 14)
    ]


def test_each_rule_is_a_centre_setting() -> None:
    relaxed = replace(LYON, supervision=Supervision(False, False))
    alone = [shift("i", "i1", 8, 14), shift("j", "j1", 8, 14)]
    assert unsupervised(alone, context(centre=relaxed)) == []


def test_keep_clean_drops_what_the_checker_refuses_and_keeps_the_rest() -> None:
    existing = [shift("s", "s1", 8, 20)]
    proposed = [
        shift("new-1", "i1", 8, 14),  # beside their supervisor: fine
        shift("new-2", "s1", 14, 20),  # the senior already there: double booking
        shift("new-3", "j1", 8, 12),  # beside the senior: fine
    ]
    kept, refused = keep_clean(existing, proposed, context())
    assert [s.id for s in kept] == ["new-1", "new-3"]
    assert {c.kind for c in refused} == {ConflictKind.DOUBLE_BOOKING}
