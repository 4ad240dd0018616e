"""What each statistics page shows, built from figures (pure: no request, no database)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from stats.charts import bar_chart, heatmap
from stats.figures import POSITIONS, DoctorFigures, Figures
from stats.queries import HeatCell
from stats.tables import Cell, Table, percent

Translate = Callable[..., str]


@dataclass
class Chart:
    svg: Markup
    table: Table


@dataclass
class Page:
    summary: list[tuple[str, Cell]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def all_tables(self) -> list[Table]:
        return [chart.table for chart in self.charts] + self.tables


def summary(t: Translate, figures: Figures) -> list[tuple[str, Cell]]:
    return [
        (t("stats_arrivals"), figures.arrivals),
        (t("stats_seen"), figures.seen),
        (t("stats_left_unseen_rate"), percent(figures.left_unseen_rate)),
        (t("stats_no_shows"), figures.no_shows),
        (t("stats_median_wait"), figures.median_wait_min),
        (t("stats_p90_wait"), figures.p90_wait_min),
        (t("stats_mean_consult"), figures.mean_consult_min),
        (t("stats_seen_per_doctor_hour"), figures.seen_per_doctor_hour),
    ]


# --- a centre's day or month ---------------------------------------------------------------


def centre_page(
    t: Translate,
    hours: Mapping[int, Figures],
    days: Mapping[date, Figures] | None,
    doctors: Sequence[tuple[str, DoctorFigures]],
) -> Page:
    """Hours of the period (a day, or a month added up by hour), and a month's days."""
    total = Figures.total(hours.values())
    page = Page(summary=summary(t, total))
    span = range(min(hours, default=8), max(hours, default=19) + 1)
    labels = [f"{h:02d}h" for h in span]
    hourly = [hours.get(h, Figures()) for h in span]
    by_day = days is not None
    # A month's hours are added up over its days: per day on average, to compare with a day.
    share = 1 / max(1, len(days or {})) if by_day else 1.0

    arrivals = Table(
        "hours",
        t("stats_by_hour"),
        [
            t("stats_hour"),
            t("stats_arrivals"),
            t("stats_urgent"),
            t("stats_called"),
            t("stats_seen"),
            t("stats_left_unseen"),
            t("stats_no_shows"),
            t("stats_median_wait"),
            t("stats_p90_wait"),
            t("stats_doctors_present"),
            t("stats_doctor_hours_planned"),
        ],
    )
    for label, f in zip(labels, hourly, strict=True):
        arrivals.rows.append(
            [
                label,
                f.arrivals,
                f.arrivals_urgent,
                f.called,
                f.seen,
                f.left_unseen,
                f.no_shows,
                f.median_wait_min,
                f.p90_wait_min,
                round(f.doctors_present * share, 1) if by_day else f.doctors_present,
                round(f.planned_doctor_hours * share, 1),
            ]
        )
    page.charts.append(
        Chart(
            bar_chart(
                "chart-arrivals",
                t("stats_chart_arrivals"),
                t("stats_chart_arrivals_desc"),
                labels,
                [round(f.arrivals * share, 1) for f in hourly],
                t("stats_arrivals_per_day") if by_day else t("stats_arrivals"),
                [round(f.planned_doctor_hours * share, 1) for f in hourly],
                t("stats_doctors_planned"),
            ),
            arrivals,
        )
    )
    waits = Table(
        "waits",
        t("stats_waits_by_hour"),
        [t("stats_hour"), t("stats_median_wait"), t("stats_p90_wait"), t("stats_mean_wait")],
        [
            [label, f.median_wait_min, f.p90_wait_min, f.mean_wait_min]
            for label, f in zip(labels, hourly, strict=True)
        ],
    )
    page.charts.append(
        Chart(
            bar_chart(
                "chart-waits",
                t("stats_chart_waits"),
                t("stats_chart_waits_desc"),
                labels,
                [f.median_wait_min for f in hourly],
                t("stats_median_wait"),
                [f.p90_wait_min for f in hourly],
                t("stats_p90_wait"),
            ),
            waits,
        )
    )
    if days is not None:
        day_table = Table(
            "days",
            t("stats_by_day"),
            [
                t("stats_day"),
                t("stats_arrivals"),
                t("stats_seen"),
                t("stats_left_unseen"),
                t("stats_no_shows"),
                t("stats_median_wait"),
                t("stats_seen_per_doctor_hour"),
            ],
        )
        for day, f in days.items():
            day_table.rows.append(
                [
                    day.isoformat(),
                    f.arrivals,
                    f.seen,
                    f.left_unseen,
                    f.no_shows,
                    f.median_wait_min,
                    f.seen_per_doctor_hour,
                ]
            )
            day_table.links.append(f"?day={day.isoformat()}")
        page.charts.append(
            Chart(
                bar_chart(
                    "chart-days",
                    t("stats_chart_days"),
                    t("stats_chart_days_desc"),
                    [f"{day:%d}" for day in days],
                    [f.arrivals for f in days.values()],
                    t("stats_arrivals"),
                    [f.seen for f in days.values()],
                    t("stats_seen"),
                ),
                day_table,
            )
        )
    positions = Table(
        "left_by_position",
        t("stats_left_by_position"),
        [t("stats_position"), t("stats_left_unseen")],
        [
            [f"{n}+" if n == POSITIONS - 1 else str(n), count]
            for n, count in enumerate(total.left_positions)
            if count
        ],
    )
    page.tables.append(positions)
    page.tables.append(
        Table(
            "doctors",
            t("stats_by_doctor"),
            [t("stats_doctor"), t("stats_called"), t("stats_seen"), t("stats_mean_consult")],
            [
                [
                    name,
                    f.calls,
                    f.seen,
                    round(f.consult_sum_min / f.consults, 1) if f.consults else None,
                ]
                for name, f in doctors
            ],
        )
    )
    return page


# --- the network ---------------------------------------------------------------------------

WEEKDAYS = (
    "stats_mon",
    "stats_tue",
    "stats_wed",
    "stats_thu",
    "stats_fri",
    "stats_sat",
    "stats_sun",
)


def network_page(
    t: Translate,
    centres: Sequence[tuple[str, str, Figures, int]],  # name, slug, figures, days with data
    cells: Mapping[tuple[int, int], HeatCell],
    weeks: Mapping[date, Figures],
) -> Page:
    total = Figures.total(f for _, _, f, _ in centres)
    page = Page(summary=summary(t, total))
    side = Table(
        "centres",
        t("stats_centres_side_by_side"),
        [
            t("stats_centre"),
            t("stats_arrivals"),
            t("stats_arrivals_per_day"),
            t("stats_seen"),
            t("stats_left_unseen_rate"),
            t("stats_no_shows"),
            t("stats_median_wait"),
            t("stats_p90_wait"),
            t("stats_mean_consult"),
            t("stats_seen_per_doctor_hour"),
            t("stats_estimate_mae"),
        ],
    )
    for name, slug, f, days in centres:
        side.rows.append(
            [
                name,
                f.arrivals,
                round(f.arrivals / days, 1) if days else None,
                f.seen,
                percent(f.left_unseen_rate),
                f.no_shows,
                f.median_wait_min,
                f.p90_wait_min,
                f.mean_consult_min,
                f.seen_per_doctor_hour,
                f.estimate_mae_min,
            ]
        )
        side.links.append(f"/stats/centres/{slug}")
    page.charts.append(
        Chart(
            bar_chart(
                "chart-centres",
                t("stats_chart_centres"),
                t("stats_chart_centres_desc"),
                [slug[:6] for _, slug, _, _ in centres],
                [f.median_wait_min for _, _, f, _ in centres],
                t("stats_median_wait"),
                [f.p90_wait_min for _, _, f, _ in centres],
                t("stats_p90_wait"),
            ),
            side,
        )
    )
    hours = sorted({hour for _, hour in cells}) or list(range(8, 20))
    weekday_names = [t(key) for key in WEEKDAYS]
    for kind in ("arrivals", "waits"):
        table = Table(
            f"heatmap_{kind}",
            t(f"stats_heatmap_{kind}"),
            [t("stats_weekday"), *(f"{h:02d}h" for h in hours)],
        )
        grid: list[list[float | None]] = []
        for weekday in range(1, 8):
            line: list[float | None] = []
            for hour in hours:
                cell = cells.get((weekday, hour))
                if cell is None:
                    line.append(None)
                else:
                    line.append(cell.mean_arrivals if kind == "arrivals" else cell.mean_wait_min)
            grid.append(line)
            table.rows.append([weekday_names[weekday - 1], *line])
        page.charts.append(
            Chart(
                heatmap(
                    f"chart-heatmap-{kind}",
                    t(f"stats_heatmap_{kind}"),
                    t(f"stats_heatmap_{kind}_desc"),
                    weekday_names,
                    [f"{h:02d}" for h in hours],
                    lambda r, c, grid=grid: grid[r][c],  # type: ignore[misc]
                    "" if kind == "arrivals" else "min",
                ),
                table,
            )
        )
    trend = Table(
        "weeks",
        t("stats_weeks"),
        [
            t("stats_week"),
            t("stats_arrivals"),
            t("stats_change"),
            t("stats_median_wait"),
            t("stats_left_unseen_rate"),
            t("stats_estimate_mae"),
        ],
    )
    previous: Figures | None = None
    for monday, f in weeks.items():
        change = (
            round(100 * (f.arrivals - previous.arrivals) / previous.arrivals, 1)
            if previous is not None and previous.arrivals
            else None
        )
        trend.rows.append(
            [
                monday.isoformat(),
                f.arrivals,
                change,
                f.median_wait_min,
                percent(f.left_unseen_rate),
                f.estimate_mae_min,
            ]
        )
        previous = f
    page.charts.append(
        Chart(
            bar_chart(
                "chart-weeks",
                t("stats_chart_weeks"),
                t("stats_chart_weeks_desc"),
                [f"{monday:%d/%m}" for monday in weeks],
                [f.arrivals for f in weeks.values()],
                t("stats_arrivals"),
            ),
            trend,
        )
    )
    return page


# --- the posted waits ----------------------------------------------------------------------


def estimates_page(
    t: Translate,
    centres: Sequence[tuple[str, str, Mapping[date, Figures]]],  # name, slug, weeks
    network_weeks: Mapping[date, Figures],
) -> Page:
    total = Figures.total(network_weeks.values())
    page = Page(
        summary=[
            (t("stats_estimates_told"), total.told),
            (t("stats_estimate_mae"), total.estimate_mae_min),
            (t("stats_estimate_bias"), total.estimate_bias_min),
            (t("stats_above_high"), percent(total.estimate_above_high_share)),
        ]
    )
    weekly = Table(
        "network_weeks",
        t("stats_estimates_by_week"),
        [
            t("stats_week"),
            t("stats_estimates_told"),
            t("stats_estimate_mae"),
            t("stats_estimate_bias"),
            t("stats_above_high"),
        ],
        [
            [
                monday.isoformat(),
                f.told,
                f.estimate_mae_min,
                f.estimate_bias_min,
                percent(f.estimate_above_high_share),
            ]
            for monday, f in network_weeks.items()
        ],
    )
    page.charts.append(
        Chart(
            bar_chart(
                "chart-estimates",
                t("stats_chart_estimates"),
                t("stats_chart_estimates_desc"),
                [f"{monday:%d/%m}" for monday in network_weeks],
                [f.estimate_mae_min for f in network_weeks.values()],
                t("stats_estimate_mae"),
                [f.estimate_bias_min for f in network_weeks.values()],
                t("stats_estimate_bias"),
            ),
            weekly,
        )
    )
    by_centre = Table(
        "centre_weeks",
        t("stats_estimates_by_centre_week"),
        [
            t("stats_centre"),
            t("stats_week"),
            t("stats_estimates_told"),
            t("stats_estimate_mae"),
            t("stats_estimate_bias"),
            t("stats_above_high"),
        ],
    )
    for name, slug, weeks in centres:
        for monday, f in weeks.items():
            by_centre.rows.append(
                [
                    name,
                    monday.isoformat(),
                    f.told,
                    f.estimate_mae_min,
                    f.estimate_bias_min,
                    percent(f.estimate_above_high_share),
                ]
            )
            by_centre.links.append(f"/stats/centres/{slug}")
    page.tables.append(by_centre)
    return page


# --- a doctor's month ----------------------------------------------------------------------


@dataclass(frozen=True)
class WorkedShift:
    centre: str
    tz: ZoneInfo
    start: datetime
    end: datetime
    hours: float
    holiday: str | None  # the public holiday's name

    @property
    def local_day(self) -> date:
        return self.start.astimezone(self.tz).date()

    @property
    def weekend(self) -> bool:
        return self.local_day.isoweekday() >= 6


@dataclass(frozen=True)
class SeenDay:
    centre: str
    day: date
    figures: DoctorFigures


def doctor_page(t: Translate, shifts: Sequence[WorkedShift], seen: Sequence[SeenDay]) -> Page:
    calls = sum(d.figures.calls for d in seen)
    patients = sum(d.figures.seen for d in seen)
    consults = sum(d.figures.consults for d in seen)
    consult_min = sum(d.figures.consult_sum_min for d in seen)
    hours = round(sum(s.hours for s in shifts), 2)
    page = Page(
        summary=[
            (t("stats_shifts"), len(shifts)),
            (t("stats_hours_worked"), hours),
            (t("stats_patients_seen"), patients),
            (t("stats_mean_consult"), round(consult_min / consults, 1) if consults else None),
            (t("stats_weekend_shifts"), sum(1 for s in shifts if s.weekend)),
            (t("stats_holiday_shifts"), sum(1 for s in shifts if s.holiday)),
            (t("stats_called"), calls),
        ]
    )
    shift_table = Table(
        "shifts",
        t("stats_shifts"),
        [
            t("stats_day"),
            t("stats_centre"),
            t("stats_start"),
            t("stats_end"),
            t("stats_hours_worked"),
            t("stats_weekend"),
            t("stats_holiday"),
        ],
        [
            [
                s.local_day.isoformat(),
                s.centre,
                f"{s.start.astimezone(s.tz):%H:%M}",
                f"{s.end.astimezone(s.tz):%H:%M}",
                round(s.hours, 2),
                t("stats_yes") if s.weekend else "",
                s.holiday or "",
            ]
            for s in shifts
        ],
    )
    seen_table = Table(
        "seen",
        t("stats_patients_by_day"),
        [
            t("stats_day"),
            t("stats_centre"),
            t("stats_called"),
            t("stats_patients_seen"),
            t("stats_mean_consult"),
        ],
        [
            [
                d.day.isoformat(),
                d.centre,
                d.figures.calls,
                d.figures.seen,
                round(d.figures.consult_sum_min / d.figures.consults, 1)
                if d.figures.consults
                else None,
            ]
            for d in seen
        ],
    )
    page.charts.append(
        Chart(
            bar_chart(
                "chart-doctor",
                t("stats_chart_doctor"),
                t("stats_chart_doctor_desc"),
                [f"{d.day:%d}" for d in seen],
                [d.figures.seen for d in seen],
                t("stats_patients_seen"),
            ),
            seen_table,
        )
    )
    page.tables.append(shift_table)
    return page
