"""Predicted waits of a centre-day (forecast.waits): pure, seeded, from the queue's own rules."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from forecast.types import DayDemand, HourDemand
from forecast.waits import Behaviour, DayPlan, WaitTarget, level_sd, predict_day

MONDAY = date(2027, 1, 4)
OPENS, CLOSES = 8 * 60.0, 20 * 60.0
BEHAVIOUR = Behaviour(consult_min=(8.0, 10.0, 12.0, 14.0, 18.0))


def demand(per_hour: float, day: date = MONDAY, spread: float = 0.15) -> DayDemand:
    return DayDemand(
        day,
        tuple(
            HourDemand(h, per_hour, per_hour * (1 - spread), per_hour * (1 + spread), 0.1)
            for h in range(8, 20)
        ),
    )


def all_day(n: int) -> tuple[tuple[tuple[float, float], ...], ...]:
    return tuple(((OPENS, CLOSES),) for _ in range(n))


def plan(doctors: int, per_hour: float = 12.0) -> DayPlan:
    return DayPlan(7, demand(per_hour), OPENS, CLOSES, all_day(doctors))


def test_same_plan_same_prediction() -> None:
    assert predict_day(plan(3), BEHAVIOUR, runs=10) == predict_day(plan(3), BEHAVIOUR, runs=10)


def test_another_centre_is_simulated_apart() -> None:
    other = DayPlan(8, demand(12.0), OPENS, CLOSES, all_day(3))
    assert predict_day(other, BEHAVIOUR, runs=10) != predict_day(plan(3), BEHAVIOUR, runs=10)


@pytest.mark.parametrize("per_hour", [6.0, 12.0, 20.0])
def test_more_doctors_never_raise_p90_on_the_same_seeds(per_hour: float) -> None:
    p90s = [predict_day(plan(n, per_hour), BEHAVIOUR, runs=12).p90_min for n in range(1, 7)]
    shares = [predict_day(plan(n, per_hour), BEHAVIOUR, runs=12).share_within for n in range(1, 7)]
    assert all(p is not None for p in p90s)
    assert all(a >= b for a, b in pairwise(p90s)), p90s  # type: ignore[operator]
    assert all(a <= b for a, b in pairwise(shares)), shares  # type: ignore[operator]
    assert p90s[0] > p90s[-1]  # type: ignore[operator]


def test_too_few_doctors_pass_the_target_and_enough_meet_it() -> None:
    target = WaitTarget(0.9, 45)
    short = predict_day(plan(1, 12.0), BEHAVIOUR, target, runs=12)
    enough = predict_day(plan(5, 12.0), BEHAVIOUR, target, runs=12)
    assert short.hours_past_target and short.left_unseen > enough.left_unseen
    assert enough.hours_past_target == ()
    assert enough.share_within is not None and enough.share_within >= 0.9


def test_hours_follow_the_shifts() -> None:
    # Two doctors all day, a third only in the morning: the afternoon is the one past target.
    doctors = (((OPENS, CLOSES),), ((OPENS, CLOSES),), ((OPENS, 13 * 60.0),))
    day = predict_day(DayPlan(7, demand(10.0), OPENS, CLOSES, doctors), BEHAVIOUR, runs=12)
    by_hour = {h.hour: h for h in day.hours}
    assert by_hour[9].doctors == 3 and by_hour[15].doctors == 2
    assert 9 not in day.hours_past_target
    assert 17 in day.hours_past_target


def test_zero_arrivals() -> None:
    day = predict_day(plan(2, per_hour=0.0), BEHAVIOUR, runs=5)
    assert day.arrivals == 0 and day.left_unseen == 0
    assert day.median_min is None and day.p90_min is None and day.share_within is None
    assert day.hours_past_target == ()
    assert len(day.hours) == 12


def test_a_closed_day() -> None:
    closed = DayPlan(7, DayDemand(MONDAY, ()), OPENS, CLOSES, ())
    day = predict_day(closed, BEHAVIOUR, runs=5)
    assert day.hours == () and day.arrivals == 0 and day.p90_min is None


def test_nobody_on_the_rota_leaves_everyone_unseen() -> None:
    day = predict_day(plan(0), BEHAVIOUR, runs=5)
    assert day.arrivals > 0 and day.left_unseen == pytest.approx(day.arrivals)
    assert day.share_within == 0 and len(day.hours_past_target) == 12


def test_a_doctor_counts_from_the_start_of_their_shift() -> None:
    late = (((10 * 60.0, CLOSES),), ((10 * 60.0, CLOSES),))
    day = predict_day(DayPlan(7, demand(8.0), OPENS, CLOSES, late), BEHAVIOUR, runs=8)
    by_hour = {h.hour: h for h in day.hours}
    assert by_hour[8].doctors == 0 and by_hour[8].past_target
    assert by_hour[8].median_min is not None and by_hour[8].median_min > 60


def test_the_forecast_interval_widens_the_day_level() -> None:
    assert level_sd(demand(12.0, spread=0.0)) == 0
    assert level_sd(demand(12.0, spread=0.6)) > level_sd(demand(12.0, spread=0.5)) > 0
    # An interval no wider than Poisson noise leaves the day's level as forecast.
    assert level_sd(demand(12.0, spread=0.2)) == 0


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        WaitTarget(0.0, 45)
    with pytest.raises(ValueError):
        WaitTarget(0.9, 300)
    with pytest.raises(ValueError):
        predict_day(plan(2), runs=0)
