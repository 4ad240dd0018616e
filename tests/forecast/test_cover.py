"""Cover needs from a wait target and what each extra doctor buys (forecast.cover): pure."""

from __future__ import annotations

from datetime import date

from forecast.cover import (
    busiest_of,
    cover_for_day,
    doctors_for,
    segments_of,
    what_extra_doctors_buy,
)
from forecast.types import DayDemand, HourDemand
from forecast.waits import Behaviour, DayPlan, WaitTarget, predict_day

MONDAY = date(2027, 1, 4)
OPENS, CLOSES = 8 * 60.0, 20 * 60.0
BEHAVIOUR = Behaviour(consult_min=(8.0, 10.0, 12.0, 14.0, 18.0))
TARGET = WaitTarget(0.9, 45)


def morning_rush() -> DayDemand:
    """Busy mornings (20 an hour until noon), quiet afternoons (6 an hour)."""
    return DayDemand(
        MONDAY,
        tuple(
            HourDemand(h, m, m * 0.85, m * 1.15, 0.1)
            for h, m in ((h, 20.0 if h < 12 else 6.0) for h in range(8, 20))
        ),
    )


def test_doctors_cover_contiguous_runs_of_hours() -> None:
    per_hour = ((8, 3), (9, 3), (10, 2), (11, 1), (12, 2))
    assert doctors_for(per_hour, OPENS, 13 * 60.0) == (
        ((480.0, 780.0),),
        ((480.0, 660.0), (720.0, 780.0)),
        ((480.0, 600.0),),
    )
    segments = segments_of(per_hour, OPENS, 13 * 60.0)
    assert [(s.start, s.end, s.doctors) for s in segments] == [
        (480.0, 600.0, 3),
        (600.0, 660.0, 2),
        (660.0, 720.0, 1),
        (720.0, 780.0, 2),
    ]


def test_the_cover_found_meets_the_target_and_one_less_does_not() -> None:
    cover = cover_for_day(7, morning_rush(), OPENS, CLOSES, BEHAVIOUR, TARGET)
    assert cover.reached and cover.waits.hours_past_target == ()
    by_hour = dict(cover.per_hour)
    assert by_hour[9] > by_hour[15] >= 1  # the morning needs more
    # Taking a doctor off the busiest morning hour breaks the target again, on the same seeds.
    fewer = dict(by_hour)
    fewer[9] -= 1
    plan = DayPlan(
        7, morning_rush(), OPENS, CLOSES, doctors_for(sorted(fewer.items()), OPENS, CLOSES)
    )
    assert predict_day(plan, BEHAVIOUR, TARGET, runs=20).hours_past_target


def test_no_arrivals_need_nobody() -> None:
    quiet = DayDemand(MONDAY, tuple(HourDemand(h, 0.0, 0.0, 0.0, 0.0) for h in range(8, 20)))
    cover = cover_for_day(7, quiet, OPENS, CLOSES, BEHAVIOUR, TARGET)
    assert cover.reached and all(n == 0 for _, n in cover.per_hour)
    assert [s.doctors for s in cover.segments] == [0]


def test_a_closed_day_needs_no_segment() -> None:
    cover = cover_for_day(7, DayDemand(MONDAY, ()), OPENS, CLOSES, BEHAVIOUR, TARGET)
    assert cover.reached and cover.segments == ()


def test_busiest_of_takes_each_hours_busiest_day() -> None:
    a = DayDemand(MONDAY, (HourDemand(8, 10.0, 8, 12, 0.1), HourDemand(9, 2.0, 1, 3, 0.1)))
    b = DayDemand(date(2027, 1, 5), (HourDemand(8, 4.0, 3, 5, 0.1), HourDemand(9, 9.0, 7, 11, 0.1)))
    busiest = busiest_of([a, b])
    assert busiest is not None and [h.mean for h in busiest.hours] == [10.0, 9.0]
    assert busiest_of([]) is None


def test_each_extra_doctor_buys_shorter_waits() -> None:
    two = tuple(((OPENS, CLOSES),) for _ in range(2))
    bought = what_extra_doctors_buy(
        DayPlan(7, morning_rush(), OPENS, CLOSES, two), BEHAVIOUR, TARGET
    )
    assert bought.busy is not None and bought.busy[0] == 8
    assert [o.extra for o in bought.options] == [0, 1, 2]
    p90s = [o.p90_min for o in bought.options]
    shares = [o.share_within for o in bought.options]
    assert p90s[0] > p90s[1] > p90s[2]  # type: ignore[operator]
    assert shares[0] < shares[1] < shares[2]  # type: ignore[operator]
