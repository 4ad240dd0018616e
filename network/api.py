"""The home's data: every visible centre's row, sorted and filtered, and a cheap change mark."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from msgspec import Struct
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from network.gather import centre_loads, visible_centres
from network.home import HomeRow, SortKey, cities, home_row, select_rows, sort_rows
from queues.reads import EstimateCache
from rota.models import Centre
from service.auth import Principal, admin_only
from service.state import shell


def centres_visible_to(principal: Principal) -> frozenset[int] | None:
    """The centre ids a principal's home shows (a centre manager's centres); None: the whole
    network."""
    if principal.network_wide:
        return None
    return principal.centre_ids


class EstimateOut(Struct):
    minutes: int
    low: int
    high: int


class HomeRowOut(Struct):
    slug: str
    name: str
    city: str
    time_zone: str
    open_now: bool
    checkin_open: bool
    waiting: int
    urgent: int
    longest_wait_minutes: int | None
    newcomer_wait: EstimateOut | None
    doctors_in_room: int
    doctors_on_rota: int
    doctors_needed: int
    screens_online: int
    screens_total: int
    wait_alert_minutes: int
    alerts: list[str]


class HomeOut(Struct):
    mark: int  # changes whenever a visible centre's live state changes
    rows: list[HomeRowOut]
    cities: list[str]
    centres: int  # visible before the filters


class MarkOut(Struct):
    mark: int


def row_out(row: HomeRow) -> HomeRowOut:
    wait = row.newcomer_wait
    return HomeRowOut(
        slug=row.slug,
        name=row.name,
        city=row.city,
        time_zone=row.time_zone,
        open_now=row.open_now,
        checkin_open=row.checkin_open,
        waiting=row.waiting,
        urgent=row.urgent,
        longest_wait_minutes=row.longest_wait_minutes,
        newcomer_wait=EstimateOut(wait.minutes, wait.low, wait.high) if wait else None,
        doctors_in_room=row.doctors_in_room,
        doctors_on_rota=row.doctors_on_rota,
        doctors_needed=row.doctors_needed,
        screens_online=row.screens_online,
        screens_total=row.screens_total,
        wait_alert_minutes=row.wait_alert_minutes,
        alerts=[alert.value for alert in row.alerts],
    )


async def change_mark(session: AsyncSession, visible: frozenset[int] | None) -> int:
    """The sum of the centres' event sequences: each only grows, so any change moves it."""
    query = select(func.coalesce(func.sum(Centre.event_seq), 0))
    if visible is not None:
        query = query.where(Centre.id.in_(list(visible)))
    return int((await session.execute(query)).scalar_one())


async def home_answer(
    request: Request[Principal, Any, Any],
    session: AsyncSession,
    *,
    sort: SortKey = SortKey.ALERTS,
    city: str | None = None,
    alerts_only: bool = False,
) -> HomeOut:
    state = shell(request.app)
    visible = centres_visible_to(request.user)
    now = state.clock()
    mark = await change_mark(session, visible)
    centres = await visible_centres(session, visible)
    loads = await centre_loads(session, centres, now, state.part(EstimateCache))
    rows = [home_row(load, now) for load in loads]
    shown = sort_rows(select_rows(rows, city=city, alerts_only=alerts_only), sort)
    return HomeOut(mark, [row_out(r) for r in shown], cities(rows), len(rows))


CityFilter = Annotated[str | None, QueryParameter(max_length=100)]
AlertsOnly = Annotated[bool, QueryParameter(name="alerts")]
Sort = Annotated[SortKey, QueryParameter()]


@get("/api/network/home", guards=[admin_only], tags=["network"])
async def network_home(
    request: Request[Principal, Any, Any],
    db_session: NamedDependency[AsyncSession],
    sort: Sort = SortKey.ALERTS,
    city: CityFilter = None,
    alerts_only: AlertsOnly = False,
) -> HomeOut:
    """Every visible centre now: load, doctors, check-in, screens and alerts to act on."""
    return await home_answer(request, db_session, sort=sort, city=city, alerts_only=alerts_only)


@get("/api/network/mark", guards=[admin_only], tags=["network"])
async def network_mark(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> MarkOut:
    """Polled every few seconds by the home: it re-reads the rows only when this moves."""
    return MarkOut(await change_mark(db_session, centres_visible_to(request.user)))
