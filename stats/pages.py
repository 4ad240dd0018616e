"""The statistics pages and their CSV files: thin handlers over queries and views."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import reads as rota_reads
from rota.models import Centre
from service.accounts import Role, StaffAccount
from service.auth import Principal, requires_role
from service.errors import NotFound
from service.i18n import translate
from service.pages import PAGE_EXCEPTION_HANDLERS, page_lang, staff_page
from service.params import RowId
from service.state import shell
from stats import queries
from stats.access import allowed_centres, require_centre, stats_or_doctor, stats_readers
from stats.figures import DoctorFigures, Figures
from stats.models import DoctorDayStats
from stats.periods import Period, month_of, parse_day, parse_month, span
from stats.tables import Table, number_format, pick
from stats.views import (
    Page,
    SeenDay,
    Translate,
    WorkedShift,
    centre_page,
    doctor_page,
    estimates_page,
    network_page,
)

# "from" is a Python keyword: the handlers take it as from_, named in the query as "from".
DateText = Annotated[str | None, QueryParameter(name="from", max_length=10, required=False)]
ToText = Annotated[str | None, Parameter(max_length=10, required=False)]
DayText = Annotated[str | None, Parameter(max_length=10, required=False)]
MonthText = Annotated[str | None, Parameter(max_length=7, required=False)]
TableName = Annotated[str | None, Parameter(max_length=40, required=False)]

NETWORK_DAYS = 28
ESTIMATE_DAYS = 56


def _translator(request: Request[Any, Any, Any]) -> Translate:
    lang = page_lang(request)
    return lambda key, **values: translate(lang, key, **values)


def _yesterday(request: Request[Any, Any, Any]) -> date:
    return shell(request.app).clock().date() - timedelta(days=1)


async def _centres(session: AsyncSession, allowed: frozenset[int] | None) -> list[Centre]:
    query = select(Centre).order_by(Centre.name)
    if allowed is not None:
        query = query.where(Centre.id.in_(sorted(allowed)))
    return list((await session.execute(query)).scalars())


def _render(
    request: Request[Any, Any, Any],
    title: str,
    page: Page,
    period: Period,
    form: list[dict[str, str]],
    csv_path: str,
    **extra: Any,
) -> Template:
    query = request.url.query
    return staff_page(
        request,
        "stats/page.html",
        title=title,
        page=page,
        period=period,
        form=form,
        shown=number_format(page_lang(request)),
        csv_path=csv_path,
        csv_query=("&" + query) if query else "",
        **extra,
    )


def _csv(table: Table, name: str) -> Response[str]:
    return Response(
        table.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{table.id}.csv"'},
    )


def _period_fields(t: Translate, period: Period) -> list[dict[str, str]]:
    return [
        {
            "name": "from",
            "type": "date",
            "value": period.first.isoformat(),
            "label": t("stats_from"),
        },
        {"name": "to", "type": "date", "value": period.last.isoformat(), "label": t("stats_to")},
    ]


# --- builders shared by a page and its CSV ------------------------------------------------


async def _network(
    request: Request[Principal, Any, Any],
    session: AsyncSession,
    first: str | None,
    last: str | None,
) -> tuple[Page, Period]:
    t = _translator(request)
    period = span(first, last, _yesterday(request), NETWORK_DAYS)
    allowed = allowed_centres(request.user)
    centres = await _centres(session, allowed)
    days = await queries.days_of(session, allowed, period)
    cells = await queries.heatmap(session, allowed, period)
    side = [
        (c.name, c.slug, Figures.total(days.get(c.id, {}).values()), len(days.get(c.id, {})))
        for c in centres
    ]
    all_days: dict[date, Figures] = defaultdict(Figures)
    for per_centre in days.values():
        for day, figures in per_centre.items():
            all_days[day].add(figures)
    return network_page(t, side, cells, queries.by_week(all_days)), period


async def _centre(
    request: Request[Principal, Any, Any],
    session: AsyncSession,
    centre: Centre,
    day: str | None,
    month: str | None,
) -> tuple[Page, Period, bool]:
    require_centre(request.user, centre.id)
    t = _translator(request)
    by_month = month is not None
    if month is not None:
        period = parse_month(month)
    else:
        chosen = parse_day(day, "day") if day else _yesterday(request)
        period = Period(chosen, chosen)
    hours = await queries.hours_of(session, centre.id, period)
    days = (await queries.days_of(session, [centre.id], period)).get(centre.id, {})
    doctors = await _doctors_at(session, centre.id, period)
    return centre_page(t, hours, days if by_month else None, doctors), period, by_month


async def _doctors_at(
    session: AsyncSession, centre_id: int, period: Period
) -> list[tuple[str, DoctorFigures]]:
    """Each calling doctor's figures at the centre, most patients seen first; named as the
    rota names them, else by their account."""
    rows = await session.execute(
        select(DoctorDayStats, StaffAccount.display_name)
        .join(StaffAccount, StaffAccount.id == DoctorDayStats.account_id)
        .where(
            DoctorDayStats.centre_id == centre_id,
            DoctorDayStats.service_day >= period.first,
            DoctorDayStats.service_day <= period.last,
        )
    )
    totals: dict[int, DoctorFigures] = {}
    account_names: dict[int, str] = {}
    for row, name in rows.tuples():
        before = totals.get(row.account_id, DoctorFigures())
        totals[row.account_id] = DoctorFigures(
            before.calls + row.calls,
            before.seen + row.seen,
            before.consults + row.consults,
            round(before.consult_sum_min + row.consult_sum_min, 3),
        )
        account_names[row.account_id] = name
    names = {**account_names, **await rota_reads.doctors_by_account(session, totals)}
    ranked = sorted(totals.items(), key=lambda item: (-item[1].seen, names[item[0]]))
    return [(names[account], figures) for account, figures in ranked]


async def _estimates(
    request: Request[Principal, Any, Any],
    session: AsyncSession,
    first: str | None,
    last: str | None,
) -> tuple[Page, Period]:
    t = _translator(request)
    period = span(first, last, _yesterday(request), ESTIMATE_DAYS)
    allowed = allowed_centres(request.user)
    centres = await _centres(session, allowed)
    days = await queries.days_of(session, allowed, period)
    all_days: dict[date, Figures] = defaultdict(Figures)
    for per_centre in days.values():
        for day, figures in per_centre.items():
            all_days[day].add(figures)
    per_centre_weeks = [
        (c.name, c.slug, queries.by_week(days[c.id])) for c in centres if c.id in days
    ]
    return estimates_page(t, per_centre_weeks, queries.by_week(all_days)), period


async def _doctor(
    request: Request[Principal, Any, Any], session: AsyncSession, doctor_id: int, month: str | None
) -> tuple[Page, Period, rota_reads.DoctorCard]:
    period = parse_month(month) if month else month_of(_yesterday(request))
    card = await rota_reads.doctor_card(session, doctor_id)
    if card is None:
        raise NotFound(f"no doctor {doctor_id} / médecin inconnu")
    principal = request.user
    if principal.role is Role.DOCTOR and card.account_id != principal.account_id:
        raise PermissionDeniedException("only your own figures / seulement vos propres chiffres")
    allowed = None if principal.role is Role.DOCTOR else allowed_centres(principal)
    t = _translator(request)
    # A doctor's own statement covers every centre they worked at.
    centres = {c.id: c for c in await _centres(session, allowed)}
    # The month's shifts by their local start: a day either side of UTC, then filtered.
    start = datetime.combine(period.first - timedelta(days=1), time(0), UTC)
    end = datetime.combine(period.last + timedelta(days=2), time(0), UTC)
    holidays: dict[int, dict[date, str]] = {}
    worked = []
    for shift in await rota_reads.doctor_shifts(session, doctor_id, start, end):
        centre = centres.get(shift.centre_id)
        if centre is None:
            continue
        local_day = shift.start.astimezone(centre.tz).date()
        if not period.first <= local_day <= period.last or not shift.present:
            continue
        if centre.id not in holidays:
            holidays[centre.id] = rota_reads.centre_holidays(centre, period.first, period.last)
        worked.append(
            WorkedShift(
                centre.name,
                centre.tz,
                shift.start,
                shift.end,
                shift.hours_worked,
                holidays[centre.id].get(local_day),
            )
        )
    seen = []
    if card.account_id is not None:
        for row in await queries.doctor_days(session, card.account_id, period):
            if row.centre_id in centres:
                figures = DoctorFigures(row.calls, row.seen, row.consults, row.consult_sum_min)
                seen.append(SeenDay(centres[row.centre_id].name, row.day, figures))
    return doctor_page(t, worked, seen), period, card


class StatsPagesController(Controller):
    path = "/stats"
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    include_in_schema = False
    dependencies = {"centre": Provide(rota_reads.provide_centre)}

    @get("/", guards=[stats_or_doctor])
    async def start(self, request: Request[Principal, Any, Any]) -> Redirect:
        target = "/stats/doctors/me" if request.user.role is Role.DOCTOR else "/stats/network"
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)

    @get("/network", guards=[stats_readers])
    async def network(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        from_: DateText = None,
        to: ToText = None,
    ) -> Template:
        t = _translator(request)
        page, period = await _network(request, db_session, from_, to)
        return _render(
            request,
            t("stats_network_title"),
            page,
            period,
            _period_fields(t, period),
            "/stats/network/csv",
        )

    @get("/network/csv", guards=[stats_readers], media_type="text/csv")
    async def network_csv(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        from_: DateText = None,
        to: ToText = None,
        table: TableName = None,
    ) -> Response[str]:
        page, period = await _network(request, db_session, from_, to)
        return _csv(pick(page.all_tables(), table), f"reseau-{period.first}-{period.last}")

    @get("/centres/{centre_slug:str}", guards=[stats_readers])
    async def centre(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre: NamedDependency[Centre],
        day: DayText = None,
        month: MonthText = None,
    ) -> Template:
        t = _translator(request)
        page, period, by_month = await _centre(request, db_session, centre, day, month)
        form = [
            {
                "name": "day",
                "type": "date",
                "value": "" if by_month else period.first.isoformat(),
                "label": t("stats_day"),
            },
            {
                "name": "month",
                "type": "month",
                "value": f"{period.first:%Y-%m}" if by_month else "",
                "label": t("stats_month"),
            },
        ]
        title = t("stats_centre_title", centre=centre.name)
        return _render(
            request,
            title,
            page,
            period,
            form,
            f"/stats/centres/{centre.slug}/csv",
            centre=centre,
            by_month=by_month,
        )

    @get("/centres/{centre_slug:str}/csv", guards=[stats_readers], media_type="text/csv")
    async def centre_csv(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre: NamedDependency[Centre],
        day: DayText = None,
        month: MonthText = None,
        table: TableName = None,
    ) -> Response[str]:
        page, period, by_month = await _centre(request, db_session, centre, day, month)
        label = f"{period.first:%Y-%m}" if by_month else period.first.isoformat()
        return _csv(pick(page.all_tables(), table), f"{centre.slug}-{label}")

    @get("/estimates", guards=[stats_readers])
    async def estimates(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        from_: DateText = None,
        to: ToText = None,
    ) -> Template:
        t = _translator(request)
        page, period = await _estimates(request, db_session, from_, to)
        return _render(
            request,
            t("stats_estimates_title"),
            page,
            period,
            _period_fields(t, period),
            "/stats/estimates/csv",
        )

    @get("/estimates/csv", guards=[stats_readers], media_type="text/csv")
    async def estimates_csv(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        from_: DateText = None,
        to: ToText = None,
        table: TableName = None,
    ) -> Response[str]:
        page, period = await _estimates(request, db_session, from_, to)
        return _csv(pick(page.all_tables(), table), f"attentes-{period.first}-{period.last}")

    @get("/doctors/me", guards=[requires_role(Role.DOCTOR)])
    async def my_month(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        month: MonthText = None,
    ) -> Redirect:
        card = await rota_reads.doctor_by_account(db_session, request.user.account_id)
        if card is None:
            raise NotFound("no doctor for this account / aucun médecin pour ce compte")
        suffix = f"?month={parse_month(month).first:%Y-%m}" if month else ""
        return Redirect(f"/stats/doctors/{card.id}{suffix}", status_code=HTTP_303_SEE_OTHER)

    @get("/doctors/{doctor_id:int}", guards=[stats_or_doctor])
    async def doctor(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        month: MonthText = None,
    ) -> Template:
        t = _translator(request)
        page, period, card = await _doctor(request, db_session, doctor_id, month)
        form = [
            {
                "name": "month",
                "type": "month",
                "value": f"{period.first:%Y-%m}",
                "label": t("stats_month"),
            }
        ]
        title = t("stats_doctor_title", doctor=card.display_name)
        return _render(
            request,
            title,
            page,
            period,
            form,
            f"/stats/doctors/{doctor_id}/csv",
            doctor=card,
            statement=True,
        )

    @get("/doctors/{doctor_id:int}/csv", guards=[stats_or_doctor], media_type="text/csv")
    async def doctor_csv(
        self,
        request: Request[Principal, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        month: MonthText = None,
        table: TableName = None,
    ) -> Response[str]:
        page, period, _ = await _doctor(request, db_session, doctor_id, month)
        statement = _statement(page, pick(page.all_tables(), table or "shifts"))
        return _csv(statement, f"releve-medecin-{doctor_id}-{period.first:%Y-%m}")


def _statement(page: Page, table: Table) -> Table:
    """The monthly statement: the month's totals first, then the rows."""
    rows: list[list[Any]] = [[label, value] for label, value in page.summary]
    return Table(table.id, table.caption, table.headers, [*rows, [], *table.rows])
