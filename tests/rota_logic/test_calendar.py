from datetime import UTC, date, datetime, time, timedelta

import pytest

from rota.days import (
    DayType,
    ExceptionalDay,
    TimeRange,
    day_type,
    holiday_name,
    holiday_region,
    local_instant,
    opening_intervals,
    public_holidays,
    zone,
)

from .factories import BRUSSELS, FALL_BACK, PARIS, SPRING_FORWARD, make_centre

FRANCE = holiday_region("FR")
ALSACE_MOSELLE = holiday_region("FR", "Bas-Rhin")
BELGIUM = holiday_region("BE")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("67", "6AE"),
        ("68", "6AE"),
        ("Bas-Rhin", "6AE"),
        ("haut-rhin", "6AE"),
        ("Alsace-Moselle", "6AE"),
        ("Alsace", "6AE"),
        ("57", "57"),
        ("Moselle", "57"),
        ("974", "974"),
    ],
)
def test_french_subdivisions_map_to_codes_the_holidays_package_knows(typed: str, code: str) -> None:
    region = holiday_region("fr", typed)
    assert (region.country, region.subdivision) == ("FR", code)
    assert public_holidays(region, 2026)  # does not raise NotImplementedError


def test_unknown_country_or_subdivision_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match=r"Pays non pris en charge.*'DE'"):
        holiday_region("DE")
    with pytest.raises(ValueError, match=r"Subdivision inconnue pour FR.*'99'"):
        holiday_region("FR", "99")


def test_french_public_holidays_including_ascension() -> None:
    assert day_type(FRANCE, date(2026, 7, 14)) is DayType.PUBLIC_HOLIDAY
    assert holiday_name(FRANCE, date(2026, 7, 14)) == "Fête nationale"
    assert day_type(FRANCE, date(2026, 5, 14)) is DayType.PUBLIC_HOLIDAY  # Ascension
    assert day_type(FRANCE, date(2026, 7, 15)) is DayType.WEEKDAY
    assert day_type(FRANCE, date(2026, 7, 18)) is DayType.WEEKEND


def test_alsace_moselle_adds_good_friday_and_saint_stephen() -> None:
    good_friday, saint_stephen = date(2026, 4, 3), date(2026, 12, 26)
    assert day_type(ALSACE_MOSELLE, good_friday) is DayType.PUBLIC_HOLIDAY
    assert day_type(FRANCE, good_friday) is DayType.WEEKDAY
    # 26 December 2026 is a Saturday: the holiday takes precedence over the weekend.
    assert day_type(ALSACE_MOSELLE, saint_stephen) is DayType.PUBLIC_HOLIDAY
    assert day_type(FRANCE, saint_stephen) is DayType.WEEKEND
    assert day_type(holiday_region("FR", "Moselle"), good_friday) is DayType.PUBLIC_HOLIDAY


def test_belgian_national_day_not_french_one() -> None:
    assert day_type(BELGIUM, date(2026, 7, 21)) is DayType.PUBLIC_HOLIDAY
    assert day_type(BELGIUM, date(2026, 7, 14)) is DayType.WEEKDAY


def test_whit_monday_is_a_setting() -> None:
    whit_monday = date(2026, 5, 25)
    assert day_type(FRANCE, whit_monday) is DayType.PUBLIC_HOLIDAY
    working = holiday_region("FR", whit_monday_is_holiday=False)
    assert day_type(working, whit_monday) is DayType.WEEKDAY
    assert day_type(working, date(2026, 5, 14)) is DayType.PUBLIC_HOLIDAY


def test_holiday_on_a_sunday_counts_as_holiday() -> None:
    assert day_type(FRANCE, date(2026, 11, 1)) is DayType.PUBLIC_HOLIDAY


def test_opening_is_the_same_local_hours_on_both_sides_of_spring_forward() -> None:
    centre = make_centre()
    saturday = SPRING_FORWARD - timedelta(1)
    (before,) = opening_intervals(centre.opening, centre.region, PARIS, saturday)
    (after,) = opening_intervals(centre.opening, centre.region, PARIS, SPRING_FORWARD)
    assert (before.start, before.end) == (
        datetime(2026, 3, 28, 7, tzinfo=UTC),
        datetime(2026, 3, 28, 19, tzinfo=UTC),
    )
    assert (after.start, after.end) == (
        datetime(2026, 3, 29, 6, tzinfo=UTC),
        datetime(2026, 3, 29, 18, tzinfo=UTC),
    )


def test_opening_across_fall_back_in_brussels() -> None:
    centre = make_centre("bxl", time_zone=BRUSSELS, region=BELGIUM, closes=time(22))
    (day,) = opening_intervals(centre.opening, centre.region, BRUSSELS, FALL_BACK)
    assert day.start == datetime(2026, 10, 25, 7, tzinfo=UTC)
    assert day.duration == timedelta(hours=14)


def test_a_night_opening_loses_an_hour_in_spring() -> None:
    centre = make_centre(opens=time(1), closes=time(4))
    (night,) = opening_intervals(centre.opening, centre.region, PARIS, SPRING_FORWARD)
    assert night.duration == timedelta(hours=2)


def test_public_holiday_keeps_weekday_hours_unless_overridden() -> None:
    plain = make_centre()
    (usual,) = opening_intervals(plain.opening, plain.region, PARIS, date(2026, 7, 14))
    assert usual.duration == timedelta(hours=12)
    short = make_centre(public_holiday_hours=(TimeRange(time(9), time(13)),))
    (holiday,) = opening_intervals(short.opening, short.region, PARIS, date(2026, 7, 14))
    assert holiday.start.astimezone(zone(PARIS)).time() == time(9)
    assert holiday.duration == timedelta(hours=4)
    (weekday,) = opening_intervals(short.opening, short.region, PARIS, date(2026, 7, 15))
    assert weekday.duration == timedelta(hours=12)


def test_exceptional_days_close_or_shorten() -> None:
    closed, short = date(2026, 12, 24), date(2026, 12, 31)
    centre = make_centre(
        exceptions=(
            ExceptionalDay(closed, (), "Inventaire"),
            ExceptionalDay(short, (TimeRange(time(8), time(14)),)),
        )
    )
    assert opening_intervals(centre.opening, centre.region, PARIS, closed) == ()
    (reduced,) = opening_intervals(centre.opening, centre.region, PARIS, short)
    assert reduced.duration == timedelta(hours=6)


def test_wall_times_in_the_gap_move_forward_and_ambiguous_ones_take_the_first() -> None:
    in_gap = local_instant(SPRING_FORWARD, time(2, 30), PARIS)
    assert in_gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert in_gap.astimezone(zone(PARIS)).time() == time(3, 30)
    twice = local_instant(FALL_BACK, time(2, 30), PARIS)
    assert twice == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # summer-time occurrence


def test_invalid_hours_and_zones_raise_value_error() -> None:
    with pytest.raises(ValueError):
        TimeRange(time(20), time(8))
    with pytest.raises(ValueError, match="Fuseau horaire inconnu"):
        zone("Europe/Atlantis")
    with pytest.raises(ValueError, match="Fuseau horaire inconnu"):
        make_centre(time_zone="Nowhere/Else")
