"""The pure parts: histograms and percentiles, hours of a day (DST included), the planned
doctor-hours, adding figures up, periods, charts and CSV."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import DomainError
from stats.charts import bar_chart, heatmap, nice_ceiling
from stats.figures import (
    WAIT_EDGES,
    Figures,
    bucket_of,
    day_figures,
    planned_hours,
    present_by_hour,
    quantile,
)
from stats.periods import parse_month, span, week_start
from stats.tables import Table, number_format

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Facts:
    priority: str
    status: str
    checked_in_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    called_by_id: int | None = None
    told_wait_min: float | None = None
    told_high_min: float | None = None
    joined_position: int | None = None


def at(hour: int, minute: int = 0, day: date = date(2026, 11, 24)) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@given(st.lists(st.floats(min_value=0, max_value=239), min_size=5, max_size=300))
def test_histogram_percentiles_stay_within_a_bucket_of_the_exact_ones(waits: list[float]) -> None:
    hist = [0] * len(WAIT_EDGES)
    for wait in waits:
        hist[bucket_of(WAIT_EDGES, wait)] += 1
    for q in (0.5, 0.9):
        found = quantile(hist, WAIT_EDGES, q)
        # The order statistic that is the q-quantile lies in the bucket the interpolation
        # lands in (buckets are 2 to 30 minutes wide).
        exact = sorted(waits)[max(0, math.ceil(q * len(waits)) - 1)]
        index = bucket_of(WAIT_EDGES, exact)
        assert found is not None
        assert WAIT_EDGES[index] <= found <= WAIT_EDGES[index + 1], (q, found, exact)
    assert abs(quantile(hist, WAIT_EDGES, 0.5) - statistics.median_low(waits)) <= 30  # type: ignore[operator]


def test_quantile_of_nothing_is_none_and_the_open_bucket_gives_its_edge() -> None:
    assert quantile([0] * len(WAIT_EDGES), WAIT_EDGES, 0.5) is None
    hist = [0] * len(WAIT_EDGES)
    hist[-1] = 3
    assert quantile(hist, WAIT_EDGES, 0.9) == WAIT_EDGES[-1]
    assert bucket_of(WAIT_EDGES, 10_000) == len(WAIT_EDGES) - 1


def test_a_day_counts_each_ticket_in_the_hour_it_belongs_to() -> None:
    tickets = [
        # Arrived 09:50, called 10:10 by doctor 7, seen until 10:25: told 15 (up to 25).
        Facts("standard", "done", at(9, 50), at(10, 10), at(10, 12), at(10, 25), 7, 15.0, 25.0, 2),
        Facts("urgent", "done", at(9, 55), at(9, 58), None, at(11, 5), 8),
        Facts("standard", "left_unseen", at(9, 59), joined_position=4),
        Facts("standard", "no_show", at(10, 1), at(10, 40), None, at(10, 40), 7, 50.0, 60.0),
        Facts("standard", "cancelled", at(13, 0)),
    ]
    figures = day_figures(tickets, PARIS, {10: 2.0})
    nine, ten, eleven = figures.hours[9], figures.hours[10], figures.hours[11]
    assert (nine.arrivals_standard, nine.arrivals_urgent, nine.left_unseen) == (2, 1, 1)
    assert nine.left_positions[4] == 1
    assert (nine.called, ten.called) == (1, 2)
    assert (ten.seen, eleven.seen) == (1, 1)
    assert ten.doctors_present == 1 and nine.doctors_present == 1  # doctor 7 twice at 10h
    assert ten.planned_doctor_hours == 2.0
    assert nine.told == 1 and nine.told_err_sum == 5.0 and nine.told_above_high == 0
    assert ten.told == 1 and ten.told_err_sum == -11.0
    assert eleven.consult_sum_min == pytest.approx(67.0)  # the urgent one, from its call
    assert figures.hours[13].cancelled == 1
    assert figures.doctors[7].calls == 2 and figures.doctors[7].seen == 1
    total = figures.total()
    assert total.arrivals == 5 and total.no_shows == 1 and total.waits == 3
    assert total.estimate_mae_min == 8.0 and total.estimate_bias_min == -3.0


def test_doctors_present_are_those_in_a_room_and_those_who_called() -> None:
    # Doctor 7 in a room 09:40-11:00 (calls at 10h); doctor 9 in a room 10:30-10:45, calls
    # nobody; doctor 8 calls at 09h without the room page; a stretch ending at 11:00 sharp does
    # not reach the 11h hour.
    present = present_by_hour([(7, at(9, 40), at(11, 0)), (9, at(10, 30), at(10, 45))], PARIS)
    assert present == {9: {7}, 10: {7, 9}}
    tickets = [
        Facts("standard", "done", at(9, 50), at(10, 10), at(10, 12), at(10, 25), 7),
        Facts("urgent", "done", at(9, 55), at(9, 58), None, at(10, 5), 8),
    ]
    hours = day_figures(tickets, PARIS, None, present).hours
    assert hours[9].doctors_present == 2  # 7 in the room, 8 calling
    assert hours[10].doctors_present == 2  # 7 and 9 (who called nobody)
    assert day_figures(tickets, PARIS).hours[10].doctors_present == 1  # callers only, as before


def test_planned_hours_follow_the_wall_clock_across_the_autumn_change() -> None:
    day = date(2026, 10, 25)  # 03:00 becomes 02:00 in Paris
    start = datetime(2026, 10, 25, 0, 0, tzinfo=PARIS).astimezone(UTC)
    spans = [(start, start + timedelta(hours=5))]  # five real hours from midnight
    hours = planned_hours(spans, day, PARIS)
    assert sum(hours.values()) == pytest.approx(5.0)
    assert set(hours) <= {0, 1, 2, 3}


def test_figures_add_up_lists_and_counts() -> None:
    one, two = Figures(arrivals_standard=2, waits=1), Figures(arrivals_urgent=1, waits=2)
    one.wait_hist[0], two.wait_hist[0] = 1, 2
    total = Figures.total([one, two])
    assert (total.arrivals, total.waits, total.wait_hist[0]) == (3, 3, 3)
    assert one.arrivals == 2  # the parts are left as they were


def test_periods_parse_and_refuse() -> None:
    assert parse_month("2026-02").last == date(2026, 2, 28)
    assert span(None, None, date(2026, 11, 30), 28).first == date(2026, 11, 3)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    for bad in (("2026-12-01", "2026-11-01"), ("x", None), ("2020-01-01", "2026-01-01")):
        with pytest.raises(DomainError):
            span(bad[0], bad[1], date(2026, 11, 30), 28)
    with pytest.raises(DomainError):
        parse_month("2026-13")


def test_charts_are_titled_escaped_svg() -> None:
    assert nice_ceiling(37) == 50 and nice_ceiling(0) == 1 and nice_ceiling(101) == 200
    svg = bar_chart("c", "Arrivées <b>", "desc", ["08h", "09h"], [3, None], "bars", [1, 2], "l")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "Arrivées &lt;b&gt;" in svg and "<b>" not in svg
    grid = heatmap("h", "t", "d", ["lun."], ["08", "09"], lambda r, c: [None, 4.0][c], "min")
    assert grid.count("<rect") == 2 and "lun. 09 : 4 min" in grid


def test_csv_is_excel_friendly_and_numbers_read_french() -> None:
    table = Table("t", "T", ["Centre", "Attente"], [["Paris", 12.5], ["Lyon", None]])
    assert table.csv() == "\ufeffCentre;Attente\r\nParis;12.5\r\nLyon;\r\n"
    shown = number_format("fr")
    assert (shown(12.5), shown(None), shown(12345)) == ("12,5", "—", "12 345")
    assert number_format("en")(12.5) == "12.5"
