"""The rows and alerts of the managers' home: plain functions of what the centres report.

Nothing here reads a database or a clock: `gather` collects a `CentreLoad` per centre and
the handler passes `now`, so that tests state a situation and check the row it makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

# A screen not heard from for longer is offline (the feeds stamp it every minute).
SCREEN_OFFLINE_AFTER = timedelta(minutes=5)
# Reception closing check-in this long before the centre closes has closed it early.
EARLY_CLOSE_MARGIN = timedelta(minutes=60)


class Alert(StrEnum):
    """What a manager acts on, the most pressing first (the order rows are sorted by)."""

    NOBODY_IN_ROOM = "nobody_in_room"  # patients waiting, no doctor in a room
    WAIT_OVER_THRESHOLD = "wait_over_threshold"  # someone has waited past the centre's limit
    BELOW_COVER = "below_cover"  # fewer doctors on the rota now than the cover needs
    CHECKIN_CLOSED_EARLY = "checkin_closed_early"  # check-in stopped well before closing
    SCREEN_OFFLINE = "screen_offline"  # a paired screen silent for minutes


ALERT_ORDER = {alert: rank for rank, alert in enumerate(Alert)}


@dataclass(frozen=True)
class ScreenState:
    label: str
    last_seen_at: datetime | None


@dataclass(frozen=True)
class Estimate:
    minutes: int
    low: int
    high: int


@dataclass(frozen=True)
class CentreLoad:
    """What one centre reports now, gathered from the features' read functions."""

    centre_id: int
    slug: str
    name: str
    city: str
    time_zone: str
    open_now: bool
    closes_at: datetime | None  # today's last closing time, UTC
    checkin_open: bool
    waiting: int
    urgent: int
    oldest_checked_in: datetime | None
    newcomer_wait: Estimate | None  # None: closed, check-in stopped, or nobody will call
    doctors_in_room: int
    doctors_on_rota: int
    doctors_needed: int
    wait_alert_minutes: int
    screens: tuple[ScreenState, ...] = ()


@dataclass(frozen=True)
class HomeRow:
    centre_id: int
    slug: str
    name: str
    city: str
    time_zone: str
    open_now: bool
    checkin_open: bool
    waiting: int
    urgent: int
    longest_wait_minutes: int | None
    newcomer_wait: Estimate | None
    doctors_in_room: int
    doctors_on_rota: int
    doctors_needed: int
    screens_online: int
    screens_total: int
    wait_alert_minutes: int
    alerts: tuple[Alert, ...] = field(default=())

    @property
    def most_pressing(self) -> int:
        """The rank of the row's first alert (len(Alert) when it has none)."""
        return min((ALERT_ORDER[a] for a in self.alerts), default=len(ALERT_ORDER))


def longest_wait_minutes(load: CentreLoad, now: datetime) -> int | None:
    if load.oldest_checked_in is None:
        return None
    return max(0, int((now - load.oldest_checked_in).total_seconds() // 60))


def screen_online(screen: ScreenState, now: datetime) -> bool:
    return screen.last_seen_at is not None and now - screen.last_seen_at <= SCREEN_OFFLINE_AFTER


def alerts_of(load: CentreLoad, now: datetime) -> tuple[Alert, ...]:
    """The alerts of a centre now, most pressing first. A closed centre raises none but a
    patient still waiting past its limit (someone must see them or send them on)."""
    found: list[Alert] = []
    longest = longest_wait_minutes(load, now)
    if load.open_now and load.waiting > 0 and load.doctors_in_room == 0:
        found.append(Alert.NOBODY_IN_ROOM)
    if longest is not None and longest > load.wait_alert_minutes:
        found.append(Alert.WAIT_OVER_THRESHOLD)
    if load.open_now and load.doctors_on_rota < load.doctors_needed:
        found.append(Alert.BELOW_COVER)
    if (
        load.open_now
        and not load.checkin_open
        and load.closes_at is not None
        and load.closes_at - now > EARLY_CLOSE_MARGIN
    ):
        found.append(Alert.CHECKIN_CLOSED_EARLY)
    if load.open_now and any(not screen_online(s, now) for s in load.screens):
        found.append(Alert.SCREEN_OFFLINE)
    return tuple(found)


def home_row(load: CentreLoad, now: datetime) -> HomeRow:
    return HomeRow(
        centre_id=load.centre_id,
        slug=load.slug,
        name=load.name,
        city=load.city,
        time_zone=load.time_zone,
        open_now=load.open_now,
        checkin_open=load.checkin_open,
        waiting=load.waiting,
        urgent=load.urgent,
        longest_wait_minutes=longest_wait_minutes(load, now),
        newcomer_wait=load.newcomer_wait,
        doctors_in_room=load.doctors_in_room,
        doctors_on_rota=load.doctors_on_rota,
        doctors_needed=load.doctors_needed,
        screens_online=sum(screen_online(s, now) for s in load.screens),
        screens_total=len(load.screens),
        wait_alert_minutes=load.wait_alert_minutes,
        alerts=alerts_of(load, now),
    )


class SortKey(StrEnum):
    ALERTS = "alerts"  # alerts first (most pressing), then the longest wait
    NAME = "name"
    CITY = "city"
    WAITING = "waiting"  # most patients waiting first
    WAIT = "wait"  # longest current wait first


def sort_rows(rows: Iterable[HomeRow], key: SortKey = SortKey.ALERTS) -> list[HomeRow]:
    def by_name(row: HomeRow) -> tuple[str, str]:
        return (row.name.casefold(), row.slug)

    def longest(row: HomeRow) -> int:
        return -1 if row.longest_wait_minutes is None else row.longest_wait_minutes

    listed = sorted(rows, key=by_name)  # stable sorts below keep names in order on ties
    if key is SortKey.CITY:
        return sorted(listed, key=lambda r: r.city.casefold())
    if key is SortKey.WAITING:
        return sorted(listed, key=lambda r: -r.waiting)
    if key is SortKey.WAIT:
        return sorted(listed, key=lambda r: -longest(r))
    if key is SortKey.ALERTS:
        return sorted(listed, key=lambda r: (r.most_pressing, -len(r.alerts), -longest(r)))
    return listed


def select_rows(
    rows: Iterable[HomeRow], *, city: str | None = None, alerts_only: bool = False
) -> list[HomeRow]:
    """The rows of one city (any case) and/or only those with an alert."""
    wanted = city.casefold().strip() if city else None
    return [
        row
        for row in rows
        if (wanted is None or row.city.casefold().strip() == wanted)
        and (not alerts_only or row.alerts)
    ]


def cities(rows: Iterable[HomeRow]) -> list[str]:
    return sorted({row.city for row in rows if row.city}, key=str.casefold)
