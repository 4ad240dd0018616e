"""The rota's readings that other features use: a day's opening, and shifts less leave."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rota.models import Centre, ExceptionalDay
from rota.on_duty import present_spans
from rota.reads import day_opening

WHIT_MONDAY = date(2026, 5, 25)
BASTILLE_DAY = date(2026, 7, 14)  # a Tuesday


def _centre(
    *, public_holiday_hours: list[list[str]] | None = None, whit_monday_is_holiday: bool = True
) -> Centre:
    return Centre(
        slug="paris",
        name="Paris",
        timezone="Europe/Paris",
        country="FR",
        subdivision=None,
        opening_hours={str(d): [["08:00", "20:00"]] for d in range(1, 8)},
        whit_monday_is_holiday=whit_monday_is_holiday,
        public_holiday_hours=public_holiday_hours,
    )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def test_a_public_holiday_has_its_own_hours_in_local_time() -> None:
    opening = day_opening(_centre(public_holiday_hours=[["09:00", "13:00"]]), [], BASTILLE_DAY)
    assert opening.local_hours() == [["09:00", "13:00"]]
    assert (opening.opens, opening.closes) == (_at(BASTILLE_DAY, 7), _at(BASTILLE_DAY, 11))
    assert opening.open_at(_at(BASTILLE_DAY, 7)) and not opening.open_at(_at(BASTILLE_DAY, 11))


def test_whit_monday_follows_the_centre_setting() -> None:
    holiday_hours = [["10:00", "16:00"]]
    as_holiday = day_opening(_centre(public_holiday_hours=holiday_hours), [], WHIT_MONDAY)
    as_weekday = day_opening(
        _centre(public_holiday_hours=holiday_hours, whit_monday_is_holiday=False), [], WHIT_MONDAY
    )
    assert as_holiday.local_hours() == [["10:00", "16:00"]]
    assert as_weekday.local_hours() == [["08:00", "20:00"]]


def test_an_exceptional_day_beats_holiday_hours_and_may_close_the_centre() -> None:
    centre = _centre(public_holiday_hours=[["09:00", "13:00"]])
    other_day = ExceptionalDay(day=date(2026, 7, 15), hours=[])
    closed = ExceptionalDay(day=BASTILLE_DAY, hours=[])
    reduced = ExceptionalDay(day=BASTILLE_DAY, hours=[["14:00", "18:00"]])
    assert day_opening(centre, [other_day], BASTILLE_DAY).local_hours() == [["09:00", "13:00"]]
    shut = day_opening(centre, [closed], BASTILLE_DAY)
    assert shut.closed and shut.opens is None and not shut.open_at(_at(BASTILLE_DAY, 10))
    assert day_opening(centre, [reduced], BASTILLE_DAY).local_hours() == [["14:00", "18:00"]]


def test_leave_removes_only_the_hours_it_covers() -> None:
    day = BASTILLE_DAY
    shift = (_at(day, 6), _at(day, 18))
    assert present_spans(*shift, []) == (shift,)
    assert present_spans(*shift, [(_at(day, 12), _at(day, 20))]) == ((_at(day, 6), _at(day, 12)),)
    assert present_spans(*shift, [(_at(day, 9), _at(day, 10)), (_at(day, 8), _at(day, 9))]) == (
        (_at(day, 6), _at(day, 8)),
        (_at(day, 10), _at(day, 18)),
    )
    assert present_spans(*shift, [(_at(day, 0), _at(day, 23))]) == ()
    assert present_spans(*shift, [(_at(day, 18), _at(day, 20))]) == (shift,)
