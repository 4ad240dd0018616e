from datetime import UTC, date, datetime, time, timedelta

import pytest

from rota.days import zone
from rota.patterns import ShiftPattern, expand_pattern, shift_id_for

from .factories import FALL_BACK, PARIS, SPRING_FORWARD, make_centre

TUESDAY = 1
CENTRE = make_centre("lyon", rooms=("1", "2"))


def tuesday_mornings(**changes: object) -> ShiftPattern:
    fields: dict[str, object] = {
        "id": "p1",
        "doctor_id": "d1",
        "centre_id": "lyon",
        "weekdays": frozenset({TUESDAY}),
        "start_time": time(8),
        "end_time": time(14),
        "first_day": date(2026, 3, 17),
        "last_day": date(2026, 4, 7),
        "room": "2",
    }
    fields.update(changes)
    return ShiftPattern(**fields)  # type: ignore[arg-type]


def local_hours(instant: datetime) -> time:
    return instant.astimezone(zone(PARIS)).time()


def test_weekly_pattern_keeps_local_hours_across_spring_forward() -> None:
    shifts = expand_pattern(tuesday_mornings(), CENTRE, date(2026, 3, 1), date(2026, 4, 30))
    assert [s.start.date() for s in shifts] == [
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),
        date(2026, 4, 7),
    ]
    assert {(local_hours(s.start), local_hours(s.end)) for s in shifts} == {(time(8), time(14))}
    assert shifts[1].start == datetime(2026, 3, 24, 7, tzinfo=UTC)  # CET, UTC+1
    assert shifts[2].start == datetime(2026, 3, 31, 6, tzinfo=UTC)  # CEST, UTC+2
    assert all(s.room == "2" and s.doctor_id == "d1" for s in shifts)


def test_weekly_pattern_keeps_local_hours_across_fall_back() -> None:
    sunday = tuesday_mornings(
        weekdays=frozenset({6}),
        start_time=time(14),
        end_time=time(20),
        first_day=date(2026, 10, 18),
        last_day=date(2026, 11, 1),
    )
    shifts = expand_pattern(sunday, CENTRE, date(2026, 10, 1), date(2026, 11, 30))
    assert [s.start for s in shifts] == [
        datetime(2026, 10, 18, 12, tzinfo=UTC),
        datetime(2026, 10, 25, 13, tzinfo=UTC),
        datetime(2026, 11, 1, 13, tzinfo=UTC),
    ]
    assert all(s.duration == timedelta(hours=6) for s in shifts)


def test_interval_counts_weeks_from_the_first_day() -> None:
    pattern = tuesday_mornings(interval_weeks=2, last_day=None)
    shifts = expand_pattern(pattern, CENTRE, date(2026, 3, 20), date(2026, 4, 30))
    assert [s.start.date() for s in shifts] == [
        date(2026, 3, 31),
        date(2026, 4, 14),
        date(2026, 4, 28),
    ]


def test_several_weekdays_exceptions_and_window() -> None:
    pattern = tuesday_mornings(
        weekdays=frozenset({0, 3}),
        exception_days=frozenset({date(2026, 3, 26)}),
    )
    shifts = expand_pattern(pattern, CENTRE, date(2026, 3, 23), date(2026, 3, 31))
    assert [s.start.date() for s in shifts] == [date(2026, 3, 23), date(2026, 3, 30)]


def test_public_holidays_are_kept_unless_the_pattern_skips_them() -> None:
    window = (date(2026, 7, 13), date(2026, 7, 15))
    every_day = tuesday_mornings(
        weekdays=frozenset(range(7)), first_day=date(2026, 7, 1), last_day=None
    )
    kept = expand_pattern(every_day, CENTRE, *window)
    assert len(kept) == 3
    skipping = tuesday_mornings(
        weekdays=frozenset(range(7)),
        first_day=date(2026, 7, 1),
        last_day=None,
        skip_public_holidays=True,
    )
    assert [s.start.date() for s in expand_pattern(skipping, CENTRE, *window)] == [
        date(2026, 7, 13),
        date(2026, 7, 15),
    ]


def test_overnight_pattern_is_an_hour_shorter_on_spring_forward_night() -> None:
    night = tuesday_mornings(
        weekdays=frozenset({5}),
        start_time=time(22),
        end_time=time(6),
        first_day=date(2026, 3, 21),
        last_day=date(2026, 3, 28),
    )
    shifts = expand_pattern(night, CENTRE, date(2026, 3, 1), date(2026, 3, 31))
    assert [s.duration for s in shifts] == [timedelta(hours=8), timedelta(hours=7)]
    assert local_hours(shifts[1].end) == time(6)


def test_non_existent_and_ambiguous_wall_times() -> None:
    # 02:00–03:00 does not exist on spring-forward night: nothing to work, no shift.
    gap = tuesday_mornings(
        weekdays=frozenset({6}),
        start_time=time(2),
        end_time=time(3),
        first_day=SPRING_FORWARD,
        last_day=SPRING_FORWARD,
    )
    assert expand_pattern(gap, CENTRE, SPRING_FORWARD, SPRING_FORWARD) == []
    # 01:30–02:30 on fall-back night: 02:30 means its first (summer-time) occurrence.
    twice = tuesday_mornings(
        weekdays=frozenset({6}),
        start_time=time(1, 30),
        end_time=time(2, 30),
        first_day=FALL_BACK,
        last_day=FALL_BACK,
    )
    (shift,) = expand_pattern(twice, CENTRE, FALL_BACK, FALL_BACK)
    assert shift.end == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert shift.duration == timedelta(hours=1)


def test_shift_ids_are_stable_per_pattern_and_day() -> None:
    first = expand_pattern(tuesday_mornings(), CENTRE, date(2026, 3, 1), date(2026, 4, 30))
    again = expand_pattern(tuesday_mornings(), CENTRE, date(2026, 3, 24), date(2026, 3, 24))
    assert again[0] == first[1]
    assert first[0].id == shift_id_for("p1", date(2026, 3, 17))


def test_invalid_patterns_are_refused() -> None:
    with pytest.raises(ValueError):
        tuesday_mornings(weekdays=frozenset({7}))
    with pytest.raises(ValueError):
        tuesday_mornings(interval_weeks=0)
    with pytest.raises(ValueError):
        tuesday_mornings(last_day=date(2026, 1, 1))
    with pytest.raises(ValueError):
        expand_pattern(tuesday_mornings(), make_centre("nice"), date(2026, 3, 1), date(2026, 3, 31))
