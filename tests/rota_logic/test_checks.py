from datetime import date, time, timedelta

import pytest

from rota.checks import RotaContext, ShiftChange, check_change, check_shifts
from rota.conflicts import ConflictKind, RotaConflict, Severity
from rota.coverage import CoverNeeds, CoverSegment
from rota.days import ExceptionalDay, TimeRange, holiday_region
from rota.domain import LeaveSpan, LeaveStatus, PlannedShift

from .factories import BRUSSELS, FALL_BACK, SPRING_FORWARD, make_centre, make_doctor, make_shift

LYON = make_centre("lyon", name="Lyon Part-Dieu")
VILLEURBANNE = make_centre("villeurbanne", name="Villeurbanne")
STRASBOURG = make_centre("strasbourg", name="Strasbourg", region=holiday_region("FR", "67"))
BRUXELLES = make_centre(
    "bruxelles", name="Bruxelles", time_zone=BRUSSELS, region=holiday_region("BE"), closes=time(22)
)
CENTRES = (LYON, VILLEURBANNE, STRASBOURG, BRUXELLES)
MARTIN = make_doctor("martin", "lyon", "villeurbanne", "strasbourg", "bruxelles", name="Dr Martin")
DURAND = make_doctor("durand", "lyon", name="Dr Durand")
MONDAY = date(2026, 6, 8)


def context(*leaves: LeaveSpan, needs: dict[str, CoverNeeds] | None = None) -> RotaContext:
    return RotaContext.build(CENTRES, (MARTIN, DURAND), leaves, needs)


def kinds(conflicts: list[RotaConflict]) -> list[ConflictKind]:
    return [conflict.kind for conflict in conflicts]


def test_a_clean_rota_has_no_conflict() -> None:
    shifts = [
        make_shift("a", "martin", LYON, MONDAY, 8, 14, "1"),
        make_shift("b", "martin", VILLEURBANNE, MONDAY, 14, 20, "1"),  # back to back is fine
        make_shift("c", "durand", LYON, MONDAY, 8, 20, "2"),
    ]
    assert check_shifts(shifts, context()) == []


def test_double_booking_names_who_where_and_when() -> None:
    shifts = [
        make_shift("a", "martin", LYON, MONDAY, 8, 14),
        make_shift("b", "martin", VILLEURBANNE, MONDAY, 12, 18),
    ]
    (conflict,) = check_shifts(shifts, context())
    assert conflict.kind is ConflictKind.DOUBLE_BOOKING
    assert conflict.severity is Severity.ERROR
    assert (conflict.doctor_id, conflict.centre_id) == ("martin", "villeurbanne")
    assert (conflict.start, conflict.end) == (shifts[1].start, shifts[0].end)
    assert conflict.shift_ids == ("a", "b")
    assert "Dr Martin" in conflict.message
    assert "Lyon Part-Dieu le lun. 08/06/2026 08:00–14:00" in conflict.message
    assert "Villeurbanne le lun. 08/06/2026 12:00–18:00" in conflict.message
    assert "two places at once" in conflict.message_en


def test_one_long_shift_overlapping_two_later_ones_reports_both() -> None:
    shifts = [
        make_shift("long", "martin", LYON, MONDAY, 8, 20),
        make_shift("x", "martin", VILLEURBANNE, MONDAY, 9, 10),
        make_shift("y", "martin", VILLEURBANNE, MONDAY, 15, 16),
    ]
    found = check_shifts(shifts, context())
    assert [c.shift_ids for c in found] == [("long", "x"), ("long", "y")]


def test_shift_during_approved_leave_is_an_error_and_pending_a_warning() -> None:
    shift = make_shift("a", "martin", LYON, date(2026, 8, 3), 8, 14)
    approved = LeaveSpan.for_days(
        "l1", "martin", date(2026, 8, 1), date(2026, 8, 15), "Europe/Paris"
    )
    (conflict,) = check_shifts([shift], context(approved))
    assert (conflict.kind, conflict.severity) == (ConflictKind.ON_LEAVE, Severity.ERROR)
    assert "Dr Martin est en congé" in conflict.message
    pending = LeaveSpan.for_days(
        "l2", "martin", date(2026, 8, 3), date(2026, 8, 3), "Europe/Paris", LeaveStatus.PENDING
    )
    (conflict,) = check_shifts([shift], context(pending))
    assert (conflict.kind, conflict.severity) == (ConflictKind.LEAVE_PENDING, Severity.WARNING)
    rejected = LeaveSpan.for_days(
        "l3", "martin", date(2026, 8, 3), date(2026, 8, 3), "Europe/Paris", LeaveStatus.REJECTED
    )
    assert check_shifts([shift], context(rejected)) == []


def test_leave_ending_before_the_shift_day_does_not_conflict() -> None:
    leave = LeaveSpan.for_days("l1", "martin", date(2026, 8, 1), date(2026, 8, 2), "Europe/Paris")
    shift = make_shift("a", "martin", LYON, date(2026, 8, 3), 8, 14)
    assert check_shifts([shift], context(leave)) == []


def test_outside_opening_hours() -> None:
    late = make_shift("a", "martin", LYON, MONDAY, 18, 21)
    (conflict,) = check_shifts([late], context())
    assert conflict.kind is ConflictKind.OUTSIDE_OPENING
    assert "ouvert 08:00–20:00" in conflict.message
    # Brussels opens until 22:00.
    assert check_shifts([make_shift("b", "martin", BRUXELLES, MONDAY, 18, 22)], context()) == []


def test_shift_on_a_closed_exceptional_day() -> None:
    closed = make_centre("lyon", exceptions=(ExceptionalDay(MONDAY, (), "Travaux"),))
    ctx = RotaContext.build((closed,), (MARTIN,))
    (conflict,) = check_shifts([make_shift("a", "martin", closed, MONDAY, 8, 14)], ctx)
    assert conflict.kind is ConflictKind.OUTSIDE_OPENING
    assert "centre fermé" in conflict.message


def test_public_holidays_are_open_by_default_with_weekday_hours() -> None:
    bastille_day, national_day_be = date(2026, 7, 14), date(2026, 7, 21)
    good_friday, saint_stephen = date(2026, 4, 3), date(2026, 12, 26)
    shifts = [
        make_shift("a", "martin", LYON, bastille_day, 8, 20),
        make_shift("b", "martin", STRASBOURG, good_friday, 8, 20),
        make_shift("c", "martin", STRASBOURG, saint_stephen, 8, 20),
        make_shift("d", "martin", BRUXELLES, national_day_be, 8, 22),
        make_shift("e", "martin", LYON, date(2026, 5, 14), 8, 20),  # Ascension
    ]
    assert check_shifts(shifts, context()) == []


def test_public_holiday_hours_override() -> None:
    short = make_centre("lyon", public_holiday_hours=(TimeRange(time(9), time(13)),))
    ctx = RotaContext.build((short,), (MARTIN,))
    on_holiday = make_shift("a", "martin", short, date(2026, 7, 14), 8, 14)
    next_day = make_shift("b", "martin", short, date(2026, 7, 15), 8, 14)
    assert kinds(check_shifts([on_holiday, next_day], ctx)) == [ConflictKind.OUTSIDE_OPENING]


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
@pytest.mark.parametrize("centre", [LYON, BRUXELLES])
def test_opening_follows_local_time_on_dst_sundays(day: date, centre: object) -> None:
    assert check_shifts([make_shift("a", "martin", centre, day, 8, 20)], context()) == []  # type: ignore[arg-type]
    early = make_shift("b", "martin", centre, day, 7, 9)  # type: ignore[arg-type]
    assert kinds(check_shifts([early], context())) == [ConflictKind.OUTSIDE_OPENING]


def test_rest_between_working_days() -> None:
    shifts = [
        make_shift("a", "martin", BRUXELLES, MONDAY, 14, 22),
        make_shift("b", "martin", LYON, MONDAY + timedelta(1), 8, 14),  # 10 h later
    ]
    (conflict,) = check_shifts(shifts, context())
    assert (conflict.kind, conflict.severity) == (ConflictKind.REST_TOO_SHORT, Severity.WARNING)
    assert "Repos de 10 h seulement pour Dr Martin" in conflict.message
    assert (conflict.start, conflict.end) == (shifts[0].end, shifts[1].start)


def test_a_split_day_is_not_a_rest_problem() -> None:
    shifts = [
        make_shift("a", "martin", LYON, MONDAY, 8, 11),
        make_shift("b", "martin", VILLEURBANNE, MONDAY, 16, 20),
    ]
    assert check_shifts(shifts, context()) == []


def test_rest_is_real_elapsed_time_across_dst() -> None:
    saturday = SPRING_FORWARD - timedelta(1)
    # 20:00 → 07:30 looks like 11 h 30 on the clock, but the night lost an hour.
    shifts = [
        make_shift("a", "martin", BRUXELLES, saturday, 14, 20),
        make_shift("b", "martin", BRUXELLES, SPRING_FORWARD, 8, 14),
    ]
    assert check_shifts(shifts, context()) == []  # 08:00 is exactly 11 h of rest
    doctor = make_doctor("martin", "bruxelles", min_rest_hours=11.5)
    ctx = RotaContext.build(CENTRES, (doctor,))
    assert kinds(check_shifts(shifts, ctx)) == [ConflictKind.REST_TOO_SHORT]
    # In autumn the night gains an hour: 21:00 → 07:00 wall clock is 11 h of rest.
    autumn = [
        make_shift("c", "martin", BRUXELLES, FALL_BACK - timedelta(1), 15, 21),
        make_shift("d", "martin", BRUXELLES, FALL_BACK, 8, 14),
    ]
    autumn_doctor = make_doctor("martin", "bruxelles", min_rest_hours=12)
    assert check_shifts(autumn, RotaContext.build(CENTRES, (autumn_doctor,))) == []


def test_weekly_limit_by_iso_week_of_the_service_day() -> None:
    limited = make_doctor("martin", "lyon", weekly_limit_hours=30)
    ctx = RotaContext.build(CENTRES, (limited,))
    week = [make_shift(f"s{i}", "martin", LYON, MONDAY + timedelta(i), 8, 16) for i in range(4)]
    (conflict,) = check_shifts(week, ctx)
    assert (conflict.kind, conflict.severity) == (ConflictKind.WEEKLY_LIMIT, Severity.WARNING)
    assert "32 h prévues la semaine 24 de 2026 (limite 30 h)" in conflict.message
    assert conflict.shift_ids == ("s0", "s1", "s2", "s3")
    # Two days on each side of a Sunday/Monday boundary stay under the limit.
    split = [make_shift(f"t{i}", "martin", LYON, MONDAY + timedelta(i), 8, 16) for i in range(5, 9)]
    assert check_shifts(split, ctx) == []


def test_weekly_hours_count_real_time_in_the_fall_back_week() -> None:
    limited = make_doctor("martin", "lyon", weekly_limit_hours=24)
    ctx = RotaContext.build(CENTRES, (limited,))
    # Saturday 20:00 → Sunday 04:00 across the fall-back night lasts 9 h, not 8.
    night = make_shift("n", "martin", LYON, FALL_BACK - timedelta(1), 20, 4, end_day=FALL_BACK)
    assert night.hours == 9
    days = [make_shift(f"d{i}", "martin", LYON, FALL_BACK - timedelta(i), 8, 16) for i in (3, 4)]
    found = [c for c in check_shifts([night, *days], ctx) if c.kind is ConflictKind.WEEKLY_LIMIT]
    assert len(found) == 1 and "25 h prévues" in found[0].message


def test_not_attached_to_the_centre() -> None:
    (conflict,) = check_shifts([make_shift("a", "durand", VILLEURBANNE, MONDAY, 8, 14)], context())
    assert conflict.kind is ConflictKind.NOT_ASSIGNED_TO_CENTRE
    assert "Dr Durand n'est pas rattaché(e) au centre Villeurbanne" in conflict.message


def test_room_given_twice_and_unknown_room() -> None:
    shifts = [
        make_shift("a", "martin", LYON, MONDAY, 8, 14, "1"),
        make_shift("b", "durand", LYON, MONDAY, 13, 20, "1"),
        make_shift("c", "durand", LYON, MONDAY + timedelta(1), 8, 14, "9"),
    ]
    found = check_shifts(shifts, context())
    assert kinds(found) == [ConflictKind.ROOM_DOUBLE_BOOKING, ConflictKind.UNKNOWN_ROOM]
    expected = "Salle 1 de Lyon Part-Dieu attribuée deux fois (Dr Martin et Dr Durand)"
    assert expected in found[0].message


def test_unknown_doctor_or_centre_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Médecin inconnu"):
        check_shifts([make_shift("a", "nobody", LYON, MONDAY, 8, 14)], context())
    ghost = make_centre("ghost")
    with pytest.raises(ValueError, match="Centre inconnu"):
        check_shifts([make_shift("a", "martin", ghost, MONDAY, 8, 14)], context())


def test_shift_validation() -> None:
    centre_start = LYON.instant(MONDAY, time(8))
    with pytest.raises(ValueError):
        PlannedShift("x", "martin", "lyon", centre_start, centre_start)
    with pytest.raises(ValueError, match="fuseau"):
        PlannedShift("x", "martin", "lyon", centre_start.replace(tzinfo=None), centre_start)


class TestCheckChange:
    existing = (
        make_shift("a", "martin", LYON, MONDAY, 8, 14, "1"),
        make_shift("b", "durand", LYON, MONDAY, 8, 14, "2"),
        # An old problem elsewhere, which a change must not report again.
        make_shift("old-1", "durand", LYON, MONDAY + timedelta(2), 8, 12, "3"),
        make_shift("old-2", "durand", LYON, MONDAY + timedelta(2), 10, 14, "2"),
    )

    def test_adding_a_double_booking_reports_only_it(self) -> None:
        added = make_shift("new", "martin", VILLEURBANNE, MONDAY, 12, 16)
        (conflict,) = check_change(self.existing, ShiftChange.adding(added), context())
        assert conflict.kind is ConflictKind.DOUBLE_BOOKING
        assert conflict.shift_ids == ("a", "new")

    def test_a_harmless_addition_reports_nothing(self) -> None:
        added = make_shift("new", "durand", LYON, MONDAY + timedelta(2), 14, 18, "1")
        assert check_change(self.existing, ShiftChange.adding(added), context()) == []

    def test_moving_onto_leave_and_moving_away(self) -> None:
        leave = LeaveSpan.for_days("l", "martin", MONDAY, MONDAY, "Europe/Paris")
        ctx = context(leave)
        moved_away = make_shift("a", "martin", LYON, MONDAY + timedelta(1), 8, 14, "1")
        assert check_change(self.existing, ShiftChange.moving(moved_away), ctx) == []
        tuesday = [moved_away, *self.existing[1:]]
        back = make_shift("a", "martin", LYON, MONDAY, 9, 15, "1")
        found = check_change(tuesday, ShiftChange.moving(back), ctx)
        assert kinds(found) == [ConflictKind.ON_LEAVE]

    def test_removing_a_shift_reports_the_cover_it_takes_away(self) -> None:
        needs = {"lyon": CoverNeeds(weekday=(CoverSegment(time(8), time(14), 2),))}
        (conflict,) = check_change(self.existing, ShiftChange.removing("b"), context(needs=needs))
        assert (conflict.kind, conflict.centre_id, conflict.doctor_id) == (
            ConflictKind.UNDER_COVER,
            "lyon",
            None,
        )
        assert "1 médecin(s) prévu(s) pour 2 demandé(s)" in conflict.message

    def test_a_shift_that_only_narrows_a_gap_reports_no_cover_problem(self) -> None:
        needs = {"lyon": CoverNeeds(weekday=(CoverSegment(time(8), time(20), 3),))}
        added = make_shift("new", "martin", LYON, MONDAY, 16, 19, "3")
        found = check_change(self.existing, ShiftChange.adding(added), context(needs=needs))
        assert ConflictKind.UNDER_COVER not in kinds(found)

    def test_removing_an_unknown_shift_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="inconnu"):
            check_change(self.existing, ShiftChange.removing("zzz"), context())

    def test_a_room_clash_with_another_doctor_is_seen(self) -> None:
        added = make_shift("new", "martin", LYON, MONDAY, 13, 16, "2")
        found = check_change(self.existing, ShiftChange.adding(added), context())
        assert ConflictKind.ROOM_DOUBLE_BOOKING in kinds(found)
