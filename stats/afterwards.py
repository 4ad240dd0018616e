"""Afterwards, the truth: a month's forecast beside what happened (pure: no request, no database).

Per centre and week of the month: the arrivals the demand forecast expected when the month
began against the arrivals there were, and the waits predicted for the month's rota against
the waits there were. Weeks are cut at the month's edges and count the days with figures only,
so that both sides cover the same days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from stats.charts import bar_chart
from stats.tables import Cell, Table, percent
from stats.views import Chart, Page, Translate


@dataclass(frozen=True)
class WeekTruth:
    """One centre's week: forecast and predicted (made at the month's start) against actual."""

    centre: str
    slug: str
    week: date  # its Monday
    days: int  # days with figures, in the month
    source: str  # the forecast's: the centre's own history or the network's shape
    forecast: float
    actual: int
    predicted_median: float | None
    actual_median: float | None
    predicted_p90: float | None
    actual_p90: float | None
    predicted_left: float | None
    actual_left: int

    @property
    def error_share(self) -> float | None:
        """Forecast minus actual, over actual: positive means the forecast ran high."""
        return (self.forecast - self.actual) / self.actual if self.actual else None


def weighted_mean(values: Sequence[tuple[float | None, float]]) -> float | None:
    known = [(value, weight) for value, weight in values if value is not None and weight > 0]
    total = sum(weight for _, weight in known)
    return round(sum(value * weight for value, weight in known) / total, 1) if total else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def afterwards_page(
    t: Translate,
    rows: Sequence[WeekTruth],
    *,
    waits_known: bool,
    centre_link: Callable[[str], str],
) -> Page:
    """``waits_known``: the predicted waits were replayed (a page of a few centres);
    ``centre_link``: where a centre's row leads (its own comparison, waits included)."""
    forecast = sum(row.forecast for row in rows)
    actual = sum(row.actual for row in rows)
    abs_error = sum(abs(row.forecast - row.actual) for row in rows)
    page = Page(
        summary=[
            (t("truth_forecast_arrivals"), round(forecast)),
            (t("truth_actual_arrivals"), actual),
            (t("truth_error"), percent((forecast - actual) / actual) if actual else None),
            (t("truth_wape"), percent(abs_error / actual) if actual else None),
            (
                t("truth_predicted_p90"),
                weighted_mean([(row.predicted_p90, row.actual) for row in rows]),
            ),
            (t("truth_actual_p90"), weighted_mean([(row.actual_p90, row.actual) for row in rows])),
        ]
    )
    weeks = sorted({row.week for row in rows})
    by_week = {week: [row for row in rows if row.week == week] for week in weeks}
    network = Table(
        "weeks",
        t("truth_by_week"),
        [
            t("stats_week"),
            t("truth_forecast_arrivals"),
            t("truth_actual_arrivals"),
            t("truth_error"),
            t("truth_predicted_p90"),
            t("truth_actual_p90"),
        ],
    )
    # Forecasts in whole patients: a tenth of one would read as a precision they do not have.
    for week, same in by_week.items():
        expected = sum(row.forecast for row in same)
        seen = sum(row.actual for row in same)
        network.rows.append(
            [
                week.isoformat(),
                round(expected),
                seen,
                percent((expected - seen) / seen) if seen else None,
                weighted_mean([(row.predicted_p90, row.actual) for row in same]),
                weighted_mean([(row.actual_p90, row.actual) for row in same]),
            ]
        )
    labels = [f"{week:%d/%m}" for week in weeks]
    page.charts.append(
        Chart(
            bar_chart(
                "chart-truth-arrivals",
                t("truth_chart_arrivals"),
                t("truth_chart_arrivals_desc"),
                labels,
                [float(sum(r.actual for r in by_week[w])) for w in weeks],
                t("truth_actual_arrivals"),
                [round(sum(r.forecast for r in by_week[w]), 1) for w in weeks],
                t("truth_forecast_arrivals"),
            ),
            network,
        )
    )
    if waits_known:
        waits = Table(
            "waits",
            t("truth_waits_by_week"),
            [t("stats_week"), t("truth_predicted_p90"), t("truth_actual_p90")],
            [row[:1] + row[4:] for row in network.rows],
        )
        page.charts.append(
            Chart(
                bar_chart(
                    "chart-truth-waits",
                    t("truth_chart_waits"),
                    t("truth_chart_waits_desc"),
                    labels,
                    [_as_float(row[5]) for row in network.rows],
                    t("truth_actual_p90"),
                    [_as_float(row[4]) for row in network.rows],
                    t("truth_predicted_p90"),
                ),
                waits,
            )
        )
    centres = Table(
        "centre_weeks",
        t("truth_by_centre_week"),
        [
            t("stats_centre"),
            t("stats_week"),
            t("truth_days"),
            t("truth_source"),
            t("truth_forecast_arrivals"),
            t("truth_actual_arrivals"),
            t("truth_error"),
            t("truth_predicted_median"),
            t("truth_actual_median"),
            t("truth_predicted_p90"),
            t("truth_actual_p90"),
            t("truth_predicted_left"),
            t("truth_actual_left"),
        ],
    )
    for row in rows:
        centres.rows.append(
            [
                row.centre,
                row.week.isoformat(),
                row.days,
                t(f"truth_source_{row.source}"),
                round(row.forecast),
                row.actual,
                percent(row.error_share),
                row.predicted_median,
                row.actual_median,
                row.predicted_p90,
                row.actual_p90,
                _rounded(row.predicted_left),
                row.actual_left,
            ]
        )
        centres.links.append(centre_link(row.slug))
    page.tables.append(centres)
    return page


def _as_float(cell: Cell) -> float | None:
    return float(cell) if isinstance(cell, int | float) else None
