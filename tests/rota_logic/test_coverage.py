from datetime import UTC, date, datetime, time

from rota.conflicts import ConflictKind
from rota.coverage import (
    CoverNeeds,
    CoverSegment,
    centre_coverage,
    gaps_as_conflicts,
    network_coverage,
)
from rota.days import DayType, ExceptionalDay, TimeRange, holiday_region
from rota.patterns import ShiftPattern, expand_pattern

from .factories import SPRING_FORWARD, at, make_centre, make_shift

LYON = make_centre("lyon", name="Lyon Part-Dieu")
NEEDS = CoverNeeds(
    weekday=(CoverSegment(time(8), time(14), 3), CoverSegment(time(14), time(20), 2)),
    weekend=(CoverSegment(time(8), time(20), 2),),
    public_holiday=(CoverSegment(time(8), time(20), 1),),
)
MONDAY = date(2026, 6, 8)


def test_gaps_say_when_and_by_how_much() -> None:
    shifts = [
        make_shift("a", "d1", LYON, MONDAY, 8, 14),
        make_shift("b", "d2", LYON, MONDAY, 8, 20),
        make_shift("c", "d3", LYON, MONDAY, 10, 14),
        make_shift("d", "d4", LYON, MONDAY, 16, 20),
    ]
    (day,) = centre_coverage(LYON, shifts, NEEDS, MONDAY, MONDAY)
    assert day.day_type is DayType.WEEKDAY
    morning, afternoon = day.segments
    assert (morning.needed, morning.planned_min, morning.planned_max) == (3, 2, 3)
    assert morning.doctor_ids == ("d1", "d2", "d3")
    (gap,) = morning.gaps
    assert (gap.start, gap.end, gap.planned, gap.missing) == (
        at(LYON, MONDAY, 8),
        at(LYON, MONDAY, 10),
        2,
        1,
    )
    (gap,) = afternoon.gaps
    assert (gap.start, gap.end, gap.missing) == (at(LYON, MONDAY, 14), at(LYON, MONDAY, 16), 1)
    assert not day.is_covered and len(day.gaps) == 2


def test_uncovered_day_is_one_gap_per_segment_and_full_cover_none() -> None:
    (empty,) = centre_coverage(LYON, [], NEEDS, MONDAY, MONDAY)
    assert [(g.planned, g.missing) for g in empty.gaps] == [(0, 3), (0, 2)]
    full = [make_shift(f"s{i}", f"d{i}", LYON, MONDAY, 8, 20) for i in range(3)]
    (day,) = centre_coverage(LYON, full, NEEDS, MONDAY, MONDAY)
    assert day.is_covered


def test_day_types_pick_their_needs() -> None:
    saturday, bastille_day = date(2026, 7, 11), date(2026, 7, 14)
    days = centre_coverage(LYON, [], NEEDS, saturday, bastille_day)
    assert [d.day_type for d in days] == [
        DayType.WEEKEND,
        DayType.WEEKEND,
        DayType.WEEKDAY,
        DayType.PUBLIC_HOLIDAY,
    ]
    assert [sum(g.missing for g in d.gaps) for d in days] == [2, 2, 5, 1]


def test_belgian_holiday_and_alsace_moselle_holiday() -> None:
    bxl = make_centre("bxl", time_zone="Europe/Brussels", region=holiday_region("BE"))
    (day,) = centre_coverage(bxl, [], NEEDS, date(2026, 7, 21), date(2026, 7, 21))
    assert day.day_type is DayType.PUBLIC_HOLIDAY
    metz = make_centre("metz", region=holiday_region("FR", "Moselle"))
    (day,) = centre_coverage(metz, [], NEEDS, date(2026, 4, 3), date(2026, 4, 3))
    assert day.day_type is DayType.PUBLIC_HOLIDAY


def test_needs_are_clipped_to_the_opening_of_the_day() -> None:
    closed, short = date(2026, 12, 24), date(2026, 12, 31)
    centre = make_centre(
        "lyon",
        exceptions=(ExceptionalDay(closed), ExceptionalDay(short, (TimeRange(time(8), time(12)),))),
    )
    closed_day, short_day = centre_coverage(centre, [], NEEDS, closed, closed) + centre_coverage(
        centre, [], NEEDS, short, short
    )
    assert closed_day.segments == ()
    (segment,) = short_day.segments
    assert segment.end == at(centre, short, 12)


def test_cover_on_the_spring_forward_sunday_uses_local_segments() -> None:
    weekend_pattern = ShiftPattern(
        "p", "d1", "lyon", frozenset({5, 6}), time(8), time(20), date(2026, 3, 1)
    )
    second = ShiftPattern("q", "d2", "lyon", frozenset({6}), time(8), time(20), date(2026, 3, 1))
    shifts = [
        *expand_pattern(weekend_pattern, LYON, date(2026, 3, 28), SPRING_FORWARD),
        *expand_pattern(second, LYON, date(2026, 3, 28), SPRING_FORWARD),
    ]
    saturday, sunday = centre_coverage(LYON, shifts, NEEDS, date(2026, 3, 28), SPRING_FORWARD)
    assert sunday.is_covered
    assert sunday.segments[0].start == datetime(2026, 3, 29, 6, tzinfo=UTC)
    assert saturday.segments[0].start == datetime(2026, 3, 28, 7, tzinfo=UTC)
    assert [g.missing for g in saturday.gaps] == [1]


def test_network_coverage_groups_by_centre_and_skips_centres_without_needs() -> None:
    nice = make_centre("nice")
    shifts = [make_shift("a", "d1", nice, MONDAY, 8, 20)]
    days = network_coverage(
        [LYON, nice, make_centre("other")], shifts, {"lyon": NEEDS, "nice": NEEDS}, MONDAY, MONDAY
    )
    assert [d.centre_id for d in days] == ["lyon", "nice"]
    assert [g.missing for g in days[1].gaps] == [2, 1]


def test_gaps_become_under_cover_conflicts_in_french() -> None:
    (day,) = centre_coverage(LYON, [], NEEDS, MONDAY, MONDAY)
    first, _ = gaps_as_conflicts(day.gaps, {"lyon": LYON})
    assert first.kind is ConflictKind.UNDER_COVER
    assert first.message == (
        "Lyon Part-Dieu : 0 médecin(s) prévu(s) pour 3 demandé(s) le lun. 08/06/2026 "
        "08:00–14:00 (il en manque 3)"
    )
