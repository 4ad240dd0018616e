"""The queue's "your turn is near" messages, queued in the change that causes them.

Each goes through the outbox (notify.reads.enqueue_message): committed with the change, sent
after it by the outbox worker, once per idempotency key. A patient gets a message only on a
channel they gave: a phone number (kept only with their consent) or a Web Push subscription.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Integer, Select, Table, Update, bindparam, case, func, select, tuple_, update
from sqlalchemy.orm.util import identity_key

from notify.reads import enqueue_message
from queues.links import NearRules, called_message, near_message, near_triggers
from queues.models import Ticket
from queues.ordering import PRIORITY_RANK, Priority
from queues.states import TicketStatus
from rota.models import Centre, Room
from service.changes import Change

IN_LINE = (TicketStatus.NOT_ARRIVED.value, TicketStatus.WAITING.value)


class _Reachable(Protocol):
    """A ticket, or what a Core read kept of one: enough to reach its patient."""

    @property
    def id(self) -> int: ...
    @property
    def centre_id(self) -> int: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def push_subscription(self) -> str | None: ...


def _channels(ticket: _Reachable) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if ticket.phone:
        found.append(("sms", ticket.phone))
    if ticket.push_subscription:
        found.append(("push", ticket.push_subscription))
    return found


async def _send(change: Change, ticket: _Reachable, what: str, body: str) -> None:
    for channel, recipient in _channels(ticket):
        await enqueue_message(
            change,
            key=f"ticket:{ticket.id}:{what}:{channel}",
            channel=channel,
            recipient=recipient,
            body=body,
            centre_id=ticket.centre_id,
        )


async def notify_called(change: Change, centre: Centre, ticket: Ticket, room: Room | None) -> None:
    """The ticket was called (or called again) to ``room``."""
    if not ticket.notify_called or room is None:
        return
    body = called_message(ticket.number, room.name, centre.name)
    await _send(change, ticket, f"called:{ticket.call_count}", body)


def queue_order(ticket: Ticket) -> tuple[int, object, int]:
    return (PRIORITY_RANK[Priority(ticket.priority)], ticket.queued_at, ticket.id)


_TICKET: Table = Ticket.__table__  # type: ignore[assignment]
# The ordering policy of queues/ordering.py in SQL, on the table's column (Core statements).
_RANK_SQL = case(
    {priority.value: rank for priority, rank in PRIORITY_RANK.items()}, value=_TICKET.c.priority
)
_IN_CALL_ORDER = (_RANK_SQL, _TICKET.c.queued_at, _TICKET.c.id)


@dataclass(frozen=True, slots=True)
class NearCandidate:
    """A ticket in line that asked for a "near" message, and how many are ahead of it."""

    id: int
    centre_id: int
    number: str
    ahead: int
    rules: NearRules
    notified: str
    phone: str | None
    push_subscription: str | None


def _near_candidates() -> Select[Any]:
    line = (
        select(
            _TICKET.c.id,
            _TICKET.c.centre_id,
            _TICKET.c.number,
            _TICKET.c.notify_ahead,
            _TICKET.c.notify_minutes,
            _TICKET.c.notify_called,
            _TICKET.c.notified,
            _TICKET.c.phone,
            _TICKET.c.push_subscription,
            (func.row_number().over(order_by=_IN_CALL_ORDER) - 1).label("ahead"),
        )
        .where(
            _TICKET.c.centre_id == bindparam("p_centre"),
            _TICKET.c.service_day == bindparam("p_day", type_=_TICKET.c.service_day.type),
            _TICKET.c.status.in_(IN_LINE),
        )
        .subquery()
    )
    return (
        select(line)
        .where(line.c.notify_ahead.is_not(None) | line.c.notify_minutes.is_not(None))
        .order_by(line.c.ahead)
    )


def _hold_passed_by() -> Update:
    # A row-value comparison (PostgreSQL, SQLite 3.15+): before the called one in call order.
    called_order = (
        bindparam("p_rank", type_=Integer()),
        bindparam("p_queued", type_=_TICKET.c.queued_at.type),
        bindparam("p_id", type_=_TICKET.c.id.type),
    )
    return (
        update(_TICKET)
        .where(
            _TICKET.c.centre_id == bindparam("p_centre"),
            _TICKET.c.service_day == bindparam("p_day", type_=_TICKET.c.service_day.type),
            _TICKET.c.status == TicketStatus.NOT_ARRIVED.value,
            _TICKET.c.held_since.is_(None),
            tuple_(*_IN_CALL_ORDER) < tuple_(*called_order),
        )
        .values(held_since=bindparam("p_now", type_=_TICKET.c.held_since.type))
    )


# Built once, run at every queue change: SQLAlchemy memoises a statement's cache key on the
# statement object, and building these again each time cost more than running them.
_NEAR_CANDIDATES = _near_candidates()
_HOLD_PASSED_BY = _hold_passed_by()
_SET_NOTIFIED = (
    update(_TICKET)
    .where(_TICKET.c.id == bindparam("p_id"))
    .values(notified=bindparam("p_notified"))
)


async def near_candidates(change: Change, centre: Centre) -> list[NearCandidate]:
    """Today's tickets in line that asked for a "near" message, with their place.

    One Core query: the database numbers the line (a window function) and returns only the
    few tickets with a rule. Loading the whole line as ORM objects at every change grew with
    the queue and was the largest part of a check-in's CPU with a few hundred waiting."""
    session = change.session
    if session.new or session.dirty:
        # A Core select does not autoflush: a rule just changed on a loaded ticket counts.
        await session.flush()
    day = centre.service_day(change.clock())
    rows = await session.execute(_NEAR_CANDIDATES, {"p_centre": centre.id, "p_day": day})
    return [
        NearCandidate(
            id=row.id,
            centre_id=row.centre_id,
            number=row.number,
            ahead=int(row.ahead),
            rules=NearRules(row.notify_ahead, row.notify_minutes, row.notify_called),
            notified=row.notified,
            phone=row.phone,
            push_subscription=row.push_subscription,
        )
        for row in rows
    ]


async def notify_near(
    change: Change, centre: Centre, waits: Mapping[int, float] | None = None
) -> None:
    """Send the "near" messages now due to tickets in line (waiting or not arrived);
    ``waits``: estimated minutes by ticket id, when an estimate is at hand."""
    session = change.session
    for ticket in await near_candidates(change, centre):
        already = set(filter(None, ticket.notified.split(",")))
        due = near_triggers(ticket.rules, ticket.ahead, (waits or {}).get(ticket.id), already)
        if not due:
            continue
        notified = ",".join(sorted(already | set(due)))
        loaded = session.identity_map.get(identity_key(Ticket, ticket.id))
        if isinstance(loaded, Ticket):
            # Loaded by this change (and maybe audited): the ORM writes it with the rest.
            loaded.notified = notified
        else:
            await session.execute(_SET_NOTIFIED, {"p_id": ticket.id, "p_notified": notified})
        if _channels(ticket):
            await _send(change, ticket, "near", near_message(ticket.number, centre.name))


async def hold_passed_by(change: Change, centre: Centre, called: Ticket, now: datetime) -> None:
    """Remote tickets ahead of the one just called had their turn before arriving: their
    place is held from ``now`` for the grace period (one Core update, no ticket loaded)."""
    await change.session.execute(
        _HOLD_PASSED_BY,
        {
            "p_centre": centre.id,
            "p_day": called.service_day,
            "p_rank": PRIORITY_RANK[Priority(called.priority)],
            "p_queued": called.queued_at,
            "p_id": called.id,
            "p_now": now,
        },
    )
