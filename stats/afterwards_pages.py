"""The "afterwards, the truth" page and its CSV: a past month's forecast against what happened.

The forecast is the one that would have been made on the month's first day (trained on the
days before it); the predicted waits replay each day with that forecast and the month's rota
as it stood (approved leave taken out), as the rota page predicts a draft's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forecast import reads as forecast_reads
from rota import reads as rota_reads
from rota.models import Centre
from service.errors import DomainError, NotFound
from service.pages import PAGE_EXCEPTION_HANDLERS
from stats import queries
from stats.access import allowed_centres, require_centre, stats_readers
from stats.afterwards import WeekTruth, afterwards_page, weighted_mean
from stats.figures import Figures
from stats.pages import MonthText, TableName, _centres, _csv, _render, _translator, _yesterday
from stats.periods import Period, month_of, parse_month, week_start
from stats.tables import pick
from stats.views import Page

PREDICT_UP_TO = 3  # centres whose month's waits a page replays; more: pick a centre
CentreSlug = Annotated[str | None, Parameter(max_length=64, required=False)]


async def _month_shifts(
    session: AsyncSession, centre: Centre, period: Period
) -> list[forecast_reads.DraftShift]:
    """The month's shifts at the centre as worked (approved leave taken out), once each."""
    found: set[tuple[str, datetime, datetime]] = set()
    for day in period.dates():
        for shift in await rota_reads.shifts_on_day(session, centre, day):
            for start, end in shift.present:
                found.add((str(shift.doctor_id), start, end))
    return sorted(found, key=lambda shift: (shift[1], shift[0]))


async def _predicted(
    session: AsyncSession, centre: Centre, period: Period
) -> dict[date, forecast_reads.DayWaits]:
    shifts = await _month_shifts(session, centre, period)
    # A day without a shift had no rota to predict from (not "nobody called all day").
    planned = {start.astimezone(centre.tz).date() for _, start, _ in shifts} & set(period.dates())
    if not planned:
        return {}
    return {
        day.day: day
        for day in await forecast_reads.predicted_waits(
            session, centre, min(planned), max(planned), shifts, as_of=period.first
        )
        if day.day in planned
    }


def _weeks(
    centre: Centre,
    forecast: forecast_reads.CentreForecast | None,
    predicted: dict[date, forecast_reads.DayWaits] | None,
    days: dict[date, Figures],
) -> list[WeekTruth]:
    """The centre's weeks of the month: forecast and predicted on the days with figures."""
    by_week: dict[date, list[date]] = defaultdict(list)
    for day in days:
        by_week[week_start(day)].append(day)
    weeks = []
    for monday, week_days in sorted(by_week.items()):
        actual = Figures.total(days[day] for day in week_days)
        expected = [
            found for day in week_days if forecast and (found := forecast.day(day)) is not None
        ]
        waits = [predicted[day] for day in week_days if day in predicted] if predicted else []
        weeks.append(
            WeekTruth(
                centre=centre.name,
                slug=centre.slug,
                week=monday,
                days=len(week_days),
                source=forecast.source.value if forecast else "network",
                forecast=sum(day.mean for day in expected),
                actual=actual.arrivals,
                # A week's predicted median and p90: its days', weighted by their arrivals.
                predicted_median=weighted_mean([(w.median_min, w.arrivals) for w in waits]),
                actual_median=actual.median_wait_min,
                predicted_p90=weighted_mean([(w.p90_min, w.arrivals) for w in waits]),
                actual_p90=actual.p90_wait_min,
                predicted_left=sum(w.left_unseen for w in waits) if waits else None,
                actual_left=actual.left_unseen,
            )
        )
    return weeks


async def _build(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    month: str | None,
    centre_slug: str | None,
) -> tuple[Page, Period, bool]:
    """The page, the days it covers and whether it replayed the predicted waits."""
    yesterday = _yesterday(request)
    # The last whole month by default (yesterday's, when yesterday ended it): the one to review.
    whole = (yesterday + timedelta(days=1)).replace(day=1) - timedelta(days=1)
    period = parse_month(month) if month else month_of(whole)
    if period.first > yesterday:
        raise DomainError(
            "the month has not begun: nothing happened yet to compare"
            " / le mois n'a pas commencé : rien à comparer encore"
        )
    shown = Period(period.first, min(period.last, yesterday))
    allowed = allowed_centres(request.user)
    if centre_slug:
        found = await session.execute(select(Centre).where(Centre.slug == centre_slug))
        centre = found.scalar_one_or_none()
        if centre is None:
            raise NotFound(f"no centre {centre_slug[:64]!r} / centre inconnu")
        require_centre(request.user, centre.id)
        centres = [centre]
    else:
        centres = await _centres(session, allowed)
    days = await queries.days_of(session, [c.id for c in centres], shown)
    centres = [centre for centre in centres if centre.id in days]
    forecasts = await forecast_reads.demand_forecasts(
        session, [c.id for c in centres], shown.first, shown.last, as_of=period.first
    )
    # Replaying a month of a centre takes seconds: the network's page would take a minute.
    with_waits = len(centres) <= PREDICT_UP_TO
    rows: list[WeekTruth] = []
    for centre in centres:
        predicted = await _predicted(session, centre, shown) if with_waits else None
        rows += _weeks(centre, forecasts.get(centre.id), predicted, days[centre.id])
    month_text = f"{period.first:%Y-%m}"
    page = afterwards_page(
        _translator(request),
        rows,
        waits_known=with_waits,
        centre_link=lambda slug: f"/stats/afterwards?month={month_text}&centre={slug}",
    )
    return page, shown, with_waits


class AfterwardsController(Controller):
    path = "/stats/afterwards"
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    include_in_schema = False

    @get("/", guards=[stats_readers])
    async def page(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        month: MonthText = None,
        centre: CentreSlug = None,
    ) -> Template:
        t = _translator(request)
        page, period, with_waits = await _build(request, db_session, month, centre)
        form = [
            {
                "name": "month",
                "type": "month",
                "value": f"{period.first:%Y-%m}",
                "label": t("stats_month"),
            }
        ]
        return _render(
            request,
            t("truth_title"),
            page,
            period,
            form,
            "/stats/afterwards/csv",
            note=t("truth_note") + ("" if with_waits else " " + t("truth_pick_centre")),
        )

    @get("/csv", guards=[stats_readers], media_type="text/csv")
    async def csv(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        month: MonthText = None,
        centre: CentreSlug = None,
        table: TableName = None,
    ) -> Response[str]:
        page, period, _ = await _build(request, db_session, month, centre)
        return _csv(pick(page.all_tables(), table), f"prevision-{period.first:%Y-%m}")
