"""The demand model and its yardstick, called directly on plain and generated histories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from forecast.backtest import backtest
from forecast.baseline import baseline_forecast
from forecast.demand import DayKind, day_kind, fit, forecast_centre
from forecast.intervals import count_interval
from forecast.school import school_holidays
from forecast.synthetic import CentreKind, generate_network, network_average
from forecast.types import Source

pytestmark = pytest.mark.timeout(60)

AS_OF = date(2026, 3, 2)  # a Monday
HOURS = list(range(8, 20))


def _flat(
    days: int, per_hour: int = 10, *, holiday_boost: float = 1.0, hol: frozenset[date] = frozenset()
) -> dict[date, dict[int, tuple[int, int]]]:
    """``days`` days before AS_OF, every hour ``per_hour`` arrivals (one in ten urgent)."""
    history: dict[date, dict[int, tuple[int, int]]] = {}
    for back in range(1, days + 1):
        day = AS_OF - timedelta(days=back)
        n = round(per_hour * (holiday_boost if day in hol else 1.0))
        history[day] = {h: (n - n // 10, n // 10) for h in HOURS}
    return history


def _open(first: date, days: int) -> dict[date, list[int]]:
    return {first + timedelta(days=n): HOURS for n in range(days)}


NETWORK = generate_network(date(2024, 12, 2), date(2026, 3, 1), seed=7)


def test_the_forecast_has_the_weekday_and_hour_shape_of_the_history() -> None:
    centre = NETWORK.centres[0]
    history = NETWORK.history[centre.id]
    found = forecast_centre(centre.id, history, {}, _open(AS_OF, 7), NETWORK.holidays(), AS_OF)
    assert found.source is Source.CENTRE and found.history_days == len(history)
    monday, sunday = found.days[0], found.days[6]
    # Generated as Sunday 1.3, Monday 1.15, Wednesday 0.95 (the forecast days also carry the
    # season: early March is on the way down from the flu).
    weekdays = fit(history, NETWORK.holidays(), AS_OF).weekday_factor
    assert weekdays[7] > weekdays[1] > weekdays[3]
    assert monday.mean == pytest.approx(
        sum(sum(c) for c in history[AS_OF - timedelta(days=7)].values()), rel=0.25
    )
    by_hour = {h.hour: h.mean for h in monday.hours}
    assert by_hour[9] > by_hour[13] < by_hour[18]  # morning peak, lunch, evening rise
    assert sunday.hours[0].mean < sunday.hours[2].mean  # weekends start later
    assert all(0.03 < h.urgent_share < 0.2 for h in monday.hours)


def test_a_public_holiday_is_forecast_as_the_history_showed_them() -> None:
    hol = frozenset({AS_OF - timedelta(days=d) for d in (10, 40, 75)} | {AS_OF + timedelta(days=3)})
    history = _flat(120, hol=hol, holiday_boost=1.6)
    found = forecast_centre(1, history, {}, _open(AS_OF, 7), hol, AS_OF)
    holiday, before = found.days[3], found.days[2]
    # Three holidays seen at 1.6, shrunk towards the prior (a Sunday: 1 here) by one day's
    # worth: (3 x 1.6 + 1) / 4.
    assert holiday.mean == pytest.approx(before.mean * 1.45, rel=0.03)
    without = forecast_centre(1, _flat(120), {}, _open(AS_OF, 7), hol, AS_OF)
    assert without.days[3].mean == pytest.approx(without.days[2].mean, rel=0.03)
    assert day_kind(AS_OF + timedelta(days=3), hol) is DayKind.HOLIDAY
    assert day_kind(AS_OF + timedelta(days=4), hol) is DayKind.BRIDGE  # the Friday after


def test_too_little_history_falls_back_to_the_network_shape_at_the_centre_level() -> None:
    network = network_average(list(NETWORK.history.values()))
    centre = NETWORK.centres[0]
    three_weeks = {
        d: c for d, c in NETWORK.history[centre.id].items() if 0 < (AS_OF - d).days <= 21
    }
    found = forecast_centre(
        centre.id, three_weeks, network, _open(AS_OF, 7), NETWORK.holidays(), AS_OF
    )
    own = forecast_centre(
        centre.id, NETWORK.history[centre.id], network, _open(AS_OF, 7), NETWORK.holidays(), AS_OF
    )
    assert found.source is Source.NETWORK and found.history_days == 21
    week_new = sum(d.mean for d in found.days)
    week_own = sum(d.mean for d in own.days)
    assert week_new == pytest.approx(week_own, rel=0.15)  # the centre's level, not the mean's
    # Its interval is wider: its level is a guess from three weeks.
    assert found.days[0].hours[1].high - found.days[0].hours[1].low > (
        own.days[0].hours[1].high - own.days[0].hours[1].low
    )
    nothing = forecast_centre(99, {}, network, _open(AS_OF, 1), NETWORK.holidays(), AS_OF)
    assert nothing.source is Source.NETWORK and nothing.history_days == 0
    assert nothing.days[0].mean > 0


def test_the_80_percent_interval_covers_about_80_percent_of_later_hours() -> None:
    origin = date(2026, 1, 5)
    inside = total = 0
    for centre in NETWORK.centres[:6]:
        history = NETWORK.history[centre.id]
        found = forecast_centre(
            centre.id, history, {}, _open(origin, 28), NETWORK.holidays(), origin
        )
        for day in found.days:
            for hour in day.hours:
                seen = sum(history[day.day].get(hour.hour, (0, 0)))
                inside += hour.low <= seen <= hour.high
                total += 1
    assert 0.68 < inside / total < 0.92


def test_the_school_zone_is_the_one_the_history_follows() -> None:
    schools = school_holidays("FR", NETWORK.first, AS_OF + timedelta(days=30))
    for kind in (CentreKind.SUBURB, CentreKind.SEASIDE):
        centre = next(c for c in NETWORK.centres if c.kind is kind)
        model = fit(NETWORK.history[centre.id], NETWORK.holidays(), AS_OF, schools)
        assert model.school_zone == centre.zone
        assert (
            (model.school_factor < 0.95)
            if kind is CentreKind.SUBURB
            else (model.school_factor > 1.08)
        )


def test_count_intervals_are_poisson_at_least() -> None:
    assert count_interval(0, 0) == (0.0, 0.0)
    low, high = count_interval(10, 5)  # a variance below the mean is raised to it
    assert (low, high) == count_interval(10, 10)
    assert 5.5 < low < 7 and 13.5 < high < 15
    wide_low, wide_high = count_interval(10, 30)
    assert wide_low < low and wide_high > high


def test_the_baseline_is_the_same_weekday_average_of_four_weeks() -> None:
    history = _flat(60)
    history[AS_OF - timedelta(days=7)] = {h: (19, 1) for h in HOURS}  # last Monday: 20 an hour
    found = baseline_forecast(1, history, _open(AS_OF, 2), AS_OF)
    assert found.days[0].hours[0].mean == pytest.approx((20 + 10 * 3) / 4)
    assert found.days[1].hours[0].mean == pytest.approx(10)


def test_generation_and_forecast_are_deterministic() -> None:
    again = generate_network(date(2024, 12, 2), date(2026, 3, 1), seed=7)
    assert again.history == NETWORK.history
    other = generate_network(date(2024, 12, 2), date(2025, 1, 1), seed=8)
    assert other.history[1] != {d: NETWORK.history[1][d] for d in other.history[1]}
    centre = NETWORK.centres[3]
    one, two = (
        forecast_centre(
            centre.id, NETWORK.history[centre.id], {}, _open(AS_OF, 7), NETWORK.holidays(), AS_OF
        )
        for _ in range(2)
    )
    assert one == two


def test_the_backtest_scores_model_baseline_and_new_centres_on_unseen_weeks() -> None:
    small = generate_network(
        date(2024, 7, 1),
        date(2025, 12, 28),
        seed=3,
        kinds={CentreKind.CITY: 1, CentreKind.SEASIDE: 1},
    )
    report = backtest(small, weeks_held=3)
    assert report.origins == 3 and report.centres == 2
    assert set(report.by_kind) == {"city", "seaside"}
    model, baseline = report.overall["model"], report.overall["baseline"]
    # 3 origins x 2 centres: the first covers 21 held days, the next 14 and 7.
    assert model.centre_days == baseline.centre_days == 2 * (21 + 14 + 7)
    assert model.daily_wape < baseline.daily_wape
    assert 0.6 < model.interval_coverage < 0.95
    with pytest.raises(ValueError, match="eight weeks"):
        backtest(small, weeks_held=76)


def test_the_days_around_a_holiday_are_measured_on_the_history() -> None:
    """Thursday holidays with their Friday bridge busier by a fifth and the Monday after a
    Sunday holiday by a third: both are learnt, each shrunk towards its prior by one day."""
    thursdays = [AS_OF - timedelta(days=d) for d in (11, 39, 67, 95)]  # AS_OF is a Monday
    sundays = [AS_OF - timedelta(days=d) for d in (22, 50, 78)]
    hol = frozenset([*thursdays, *sundays, AS_OF + timedelta(days=3), AS_OF + timedelta(days=13)])
    history = _flat(120)
    for day in thursdays:
        history[day + timedelta(days=1)] = {h: (11, 1) for h in HOURS}  # bridge: 12 an hour
    for day in sundays:
        history[day + timedelta(days=1)] = {h: (12, 1) for h in HOURS}  # after: 13 an hour
    found = forecast_centre(1, history, {}, _open(AS_OF, 15), hol, AS_OF)
    wednesday, bridge, after = found.days[2], found.days[4], found.days[14]
    assert day_kind(bridge.day, hol) is DayKind.BRIDGE and day_kind(after.day, hol) is DayKind.AFTER
    assert bridge.mean == pytest.approx(wednesday.mean * (4 * 1.2 + 1.0) / 5, rel=0.03)
    assert after.mean == pytest.approx(wednesday.mean * (3 * 1.3 + 1.1) / 4, rel=0.03)


def test_without_a_year_a_growing_centre_gets_a_damped_trend() -> None:
    history = {
        AS_OF - timedelta(days=back): {h: (round(10 * (1 - 0.01 * back / 7)), 0) for h in HOURS}
        for back in range(1, 120)
    }
    model = fit(history, frozenset(), AS_OF)
    assert model.season_base == 0  # no year behind it: no season
    assert 0.003 < model.weekly_trend <= 0.01  # about half the 1 % a week it grew, capped
    found = forecast_centre(1, history, {}, _open(AS_OF, 28), frozenset(), AS_OF)
    assert found.days[-1].mean > found.days[0].mean
