"""The Core statements of the queue's busiest changes (check-in, call-next), built once.

SQLAlchemy memoises a statement's cache key on the statement object: built anew for every
request, each statement cost its construction and its cache key (a sixth of a check-in's CPU
with the ORM's own work gone); built once with bound parameters, only the execution remains.
Parameters are named ``p_*`` so that they never clash with the columns an UPDATE sets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    Select,
    Table,
    Update,
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import Sequence as DbSequence

from queues.models import CentreDay, Ticket
from queues.ordering import PRIORITY_RANK
from queues.states import TicketStatus

TICKET: Table = Ticket.__table__  # type: ignore[assignment]
CENTRE_DAY: Table = CentreDay.__table__  # type: ignore[assignment]
# The ticket ids' sequence, as the model declares it (PostgreSQL; SQLite numbers rows itself).
TICKET_ID_SEQ = DbSequence("ticket_id_seq")

# The ordering policy of queues/ordering.py on the table's column: ranks, queued_at, id.
RANK_SQL = case(
    {priority.value: rank for priority, rank in PRIORITY_RANK.items()}, value=TICKET.c.priority
)
_DAY = bindparam("p_day", type_=TICKET.c.service_day.type)
_NOW = bindparam("p_now", type_=TICKET.c.called_at.type)


def _next_seq_no() -> Update:
    return (
        update(CENTRE_DAY)
        .where(
            CENTRE_DAY.c.centre_id == bindparam("p_centre"),
            CENTRE_DAY.c.service_day == _DAY,
            CENTRE_DAY.c.checkin_closed.is_(False),
        )
        .values(last_seq_no=CENTRE_DAY.c.last_seq_no + 1)
        .returning(CENTRE_DAY.c.last_seq_no)
    )


def _place(with_new_id: bool) -> Select[Any]:
    """Patients a newcomer of rank ``p_rank`` would have ahead (same rank or better), whether
    anyone in line asked for a "near" message (if not, a check-in need not look for those
    due), and with ``with_new_id`` the new ticket's id from the sequence: one trip."""
    today_in_line = (
        TICKET.c.centre_id == bindparam("p_centre"),
        TICKET.c.service_day == _DAY,
        # Remote patients not arrived yet hold their place in line too.
        TICKET.c.status.in_((TicketStatus.WAITING.value, TicketStatus.NOT_ARRIVED.value)),
    )
    ahead = (
        select(func.count(TICKET.c.id))
        .where(*today_in_line, bindparam("p_rank", type_=Integer()) >= RANK_SQL)
        .scalar_subquery()
    )
    wants_near = exists().where(
        *today_in_line, TICKET.c.notify_ahead.is_not(None) | TICKET.c.notify_minutes.is_not(None)
    )
    columns = [ahead.label("ahead"), wants_near.label("wants_near")]
    if with_new_id:
        columns.append(TICKET_ID_SEQ.next_value().label("new_id"))
    return select(*columns)


def _call_next() -> Update:
    next_id = (
        select(TICKET.c.id)
        .where(
            TICKET.c.centre_id == bindparam("p_centre"),
            TICKET.c.service_day == _DAY,
            TICKET.c.status == TicketStatus.WAITING.value,
        )
        .order_by(RANK_SQL, TICKET.c.queued_at, TICKET.c.id)
        .limit(1)
        # PostgreSQL: two callers never block on, or take, the same row.
        # SQLite ignores it; there the write gate serialises callers.
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(TICKET)
        # The status condition makes the update a no-op if another caller took the ticket
        # between the subquery and the write.
        .where(TICKET.c.id == next_id, TICKET.c.status == TicketStatus.WAITING.value)
        .values(
            status=TicketStatus.CALLED.value,
            called_at=_NOW,
            call_count=1,
            room_id=bindparam("p_room"),
            called_by_id=bindparam("p_caller"),
            updated_at=_NOW,
        )
        .returning(*TICKET.c)
    )


# Its own statement after the centre's lock, never joined to the locking one: under read
# committed, a statement that waited for the lock re-checks only the locked row, and would
# not see the ticket the first attempt committed meanwhile (a retry then made a duplicate).
BY_CLIENT_KEY = select(*TICKET.c).where(
    TICKET.c.centre_id == bindparam("p_centre"), TICKET.c.client_key == bindparam("p_key")
)
NEXT_SEQ_NO = _next_seq_no()
PLACE = _place(with_new_id=False)
PLACE_AND_NEW_ID = _place(with_new_id=True)
INSERT_TICKET: Insert = insert(TICKET).returning(TICKET.c.id, TICKET.c.created_at)
SET_LINK_HASH = (
    update(TICKET).where(TICKET.c.id == bindparam("p_id")).values(link_hash=bindparam("p_hash"))
)
CALL_NEXT = _call_next()
IN_ROOM = select(TICKET.c.id, TICKET.c.number, TICKET.c.status).where(
    TICKET.c.centre_id == bindparam("p_centre"),
    TICKET.c.room_id == bindparam("p_room"),
    TICKET.c.status.in_([TicketStatus.CALLED.value, TicketStatus.IN_CONSULTATION.value]),
)
END_IN_ROOM = (
    update(TICKET)
    .where(TICKET.c.id.in_(bindparam("p_ids", expanding=True)))
    .values(status=TicketStatus.DONE.value, ended_at=_NOW, updated_at=_NOW)
    .returning(*TICKET.c)
)
