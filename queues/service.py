"""Queue operations on the database: each is one transaction, published after commit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from queues import statements
from queues.estimator import WaitEstimate
from queues.links import link_token, token_digest
from queues.models import CentreDay, Ticket
from queues.notices import IN_LINE, hold_passed_by, notify_called, notify_near
from queues.numbering import ticket_number
from queues.ordering import PRIORITY_RANK, Priority
from queues.states import ACTIVE, Action, IllegalTransition, TicketStatus, next_status
from rota.models import Centre, Room
from service.audit import snapshot
from service.changes import Change, ChangeOps
from service.errors import Conflict, DomainError, NotFound

TICKET_TABLE = statements.TICKET

# The ordering policy of queues/ordering.py, in SQL: the same ranks, then queued_at, then id.
PRIORITY_RANK_SQL = case(
    {priority.value: rank for priority, rank in PRIORITY_RANK.items()}, value=Ticket.priority
)


def _finite(minutes: float) -> float | None:
    return round(minutes, 1) if math.isfinite(minutes) else None


def detached_ticket(row: Row[Any]) -> Ticket:
    """A ticket built from a Core row of all its columns, outside the session: the answer
    and the event of a change written with Core statements."""
    return Ticket(**row._asdict())


def public_ticket(ticket: Ticket, rooms: dict[int, Room]) -> dict[str, Any]:
    """What screens may see of a ticket: never a name or phone."""
    room = rooms.get(ticket.room_id) if ticket.room_id is not None else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "priority": ticket.priority,
        "status": ticket.status,
        "room": room.code if room else None,
        "room_name": room.name if room else None,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "call_count": ticket.call_count,
    }


@dataclass(frozen=True)
class PatientOptions:
    """What a check-in may carry for the patient's phone."""

    phone: str | None = None  # E.164, given with the patient's consent
    notify_ahead: int | None = None
    notify_minutes: int | None = None
    notify_called: bool = False
    remote: bool = False  # taken from home: not arrived yet
    device_hash: str | None = None


@dataclass
class QueueOps(ChangeOps):
    # Every write is one change of the shell's change path (gate, audit, publish after commit).
    # The service's secret key, from which each ticket's link token is derived.
    link_secret: str = ""

    def link_of(self, ticket: Ticket) -> str:
        """The token of the ticket's page (derived again each time, never stored)."""
        return self._token(ticket.id, ticket.service_day, ticket.checked_in_at)

    # --- helpers -----------------------------------------------------------------------

    async def _bump_seq(self, change: Change, centre: Centre) -> int:
        # First statement of every change: the centre row lock orders concurrent changes
        # at one centre, so sequence numbers match the order of commits.
        seq = await change.bump_one(centre.id)
        # Keep the loaded centre in step without marking it changed: caches key on it.
        set_committed_value(centre, "event_seq", seq)
        return seq

    async def _ensure_day(self, centre_id: int, day: date) -> None:
        insert = pg_insert if self.session.bind.dialect.name == "postgresql" else sqlite_insert
        await self.session.execute(
            insert(CentreDay)
            .values(centre_id=centre_id, service_day=day, last_seq_no=0, checkin_closed=False)
            .on_conflict_do_nothing(index_elements=["centre_id", "service_day"])
        )

    @staticmethod
    def _announce(
        change: Change,
        centre: Centre,
        kind: str,
        ticket: Ticket | None,
        finished: Sequence[Ticket] = (),
    ) -> None:
        """The change's event, sent by the change path once the change committed."""
        rooms = {room.id: room for room in centre.rooms}
        event: dict[str, Any] = {"type": kind, "centre": centre.slug}
        if ticket is not None:
            event["ticket"] = public_ticket(ticket, rooms)
        if finished:
            # Consultations that this call ended in the same transaction (same seq).
            event["finished"] = [public_ticket(t, rooms) for t in finished]
        change.publish(centre.id, event)

    async def _ticket_for_update(self, centre: Centre, ticket_id: int) -> Ticket:
        ticket = (
            await self.session.execute(
                select(Ticket)
                .where(Ticket.id == ticket_id, Ticket.centre_id == centre.id)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id} at centre {centre.slug}")
        return ticket

    # --- check-in ----------------------------------------------------------------------

    async def check_in(
        self,
        centre: Centre,
        priority: Priority,
        client_key: str | None,
        label: str | None = None,
        phone: str | None = None,
        told: WaitEstimate | None = None,
        patient: PatientOptions | None = None,
    ) -> tuple[Ticket, bool]:
        """A new ticket, or the one already given for this client key (created=False).

        ``told``: the newcomer's estimate the desk shows for this priority, kept on the ticket
        (with the queue position it joins at) to measure the estimator afterwards."""
        patient = patient or PatientOptions(phone=phone, notify_called=phone is not None)
        async with self.path.change() as change:
            # The bump locks the centre's row, so a concurrent retry of the same check-in
            # waits here for the first one to commit; the client-key look-up, a statement of
            # its own, then reads afresh (read committed) and finds that ticket. Joined to the
            # lock in one statement it would read as of before the wait and miss it. Bumping
            # first saves a separate lock on every check-in; a retry (rare) takes it back.
            await self._bump_seq(change, centre)
            if client_key is not None:
                existing = await self._by_client_key(centre.id, client_key)
                if existing is not None:
                    # Nothing changed: the change path commits (not rolls back) the undone
                    # bump, which keeps the loaded centre and ticket usable.
                    set_committed_value(centre, "event_seq", await change.unbump(centre.id))
                    return existing, False
            now = self.clock()
            day = centre.service_day(now)
            seq_no = await self._next_seq_no(centre.id, day)
            place = await self._place(centre.id, day, priority)
            new_id: int | None = getattr(place, "new_id", None)
            values: dict[str, Any] = {}
            if new_id is not None and self.link_secret:
                # The link token is derived from the id: known before the insert, the digest
                # goes in with the row instead of an UPDATE just after it.
                values.update(id=new_id, link_hash=token_digest(self._token(new_id, day, now)))
            ticket = await self._insert_ticket(
                **values,
                centre_id=centre.id,
                service_day=day,
                seq_no=seq_no,
                number=ticket_number(priority, seq_no),
                priority=Priority(priority).value,
                status=(TicketStatus.NOT_ARRIVED if patient.remote else TicketStatus.WAITING).value,
                client_key=client_key,
                label=label,
                phone=patient.phone,
                checked_in_at=now,
                queued_at=now,
                told_wait_min=_finite(told.wait_min) if told else None,
                told_high_min=_finite(told.high_min) if told else None,
                joined_position=int(place.ahead),
                remote=patient.remote,
                device_hash=patient.device_hash,
                notify_ahead=patient.notify_ahead,
                notify_minutes=patient.notify_minutes,
                notify_called=patient.notify_called,
                notified="",
                call_count=0,
            )
            if self.link_secret and new_id is None:
                # No sequence (SQLite): the id is known once inserted, the digest written next.
                ticket.link_hash = token_digest(self.link_of(ticket))
                await self.session.execute(
                    statements.SET_LINK_HASH, {"p_id": ticket.id, "p_hash": ticket.link_hash}
                )
            # With nobody in line asking for a "near" message, and the newcomer not asking,
            # none can be due: the look-up (a query of the line) is skipped.
            asks_near = patient.notify_ahead is not None or patient.notify_minutes is not None
            if place.wants_near or asks_near:
                await notify_near(change, centre)
            await change.audit(
                "ticket", ticket.id, "check_in", centre_id=centre.id, after=snapshot(ticket)
            )
            self._announce(change, centre, "ticket.checked_in", ticket)
        return ticket, True

    async def _next_seq_no(self, centre_id: int, day: date) -> int:
        """The day's next ticket sequence number; Conflict if check-in is closed today. The
        day's row is created by the first check-in of the day only (a round trip saved on
        every other one)."""
        where = {"p_centre": centre_id, "p_day": day}
        seq_no = (await self.session.execute(statements.NEXT_SEQ_NO, where)).scalar_one_or_none()
        if seq_no is None:
            await self._ensure_day(centre_id, day)
            take_next = await self.session.execute(statements.NEXT_SEQ_NO, where)
            seq_no = take_next.scalar_one_or_none()
        if seq_no is None:
            raise Conflict(
                "check-in is closed for today at this centre / "
                "l'enregistrement est fermé pour aujourd'hui"
            )
        return int(seq_no)

    async def _place(self, centre_id: int, day: date, priority: Priority) -> Row[Any]:
        """Patients a newcomer of ``priority`` would have ahead (``ahead``), whether anyone in
        line asked for a "near" message (``wants_near``), and where the database has sequences
        (PostgreSQL) the new ticket's id (``new_id``), in one trip."""
        where = {"p_centre": centre_id, "p_day": day, "p_rank": PRIORITY_RANK[priority]}
        if self.session.bind.dialect.supports_sequences:
            return (await self.session.execute(statements.PLACE_AND_NEW_ID, where)).one()
        return (await self.session.execute(statements.PLACE, where)).one()

    def _token(self, ticket_id: int, day: date, checked_in_at: datetime) -> str:
        return link_token(self.link_secret, ticket_id, day, checked_in_at)

    async def _insert_ticket(self, **values: Any) -> Ticket:
        """A Core insert on the session's connection, and the new ticket as a detached row:
        the ORM's unit of work was a third of a check-in's cost. The row is not in the
        session; a later read of the ticket loads it afresh."""
        row = (await self.session.execute(statements.INSERT_TICKET, values)).one()
        ticket = Ticket(
            **{**values, "id": row.id}, created_at=row.created_at, updated_at=row.created_at
        )
        for name in (
            "head_reason",
            "called_at",
            "room_id",
            "called_by_id",
            "link_hash",
            "arrived_at",
            "held_since",
            "push_subscription",
        ):
            if name not in values:
                setattr(ticket, name, None)
        ticket.started_at = ticket.ended_at = None
        return ticket

    async def _by_client_key(self, centre_id: int, client_key: str) -> Ticket | None:
        row = (
            await self.session.execute(
                statements.BY_CLIENT_KEY, {"p_centre": centre_id, "p_key": client_key}
            )
        ).one_or_none()
        return detached_ticket(row) if row is not None else None

    # --- call-next ---------------------------------------------------------------------

    async def call_next(self, centre: Centre, room: Room, caller_id: int | None) -> Ticket:
        async with self.path.change() as change:
            now = self.clock()
            day = centre.service_day(now)
            await self._bump_seq(change, centre)
            finished = await self._free_room(change, centre, room, now)
            called = (
                await self.session.execute(
                    statements.CALL_NEXT,
                    {
                        "p_centre": centre.id,
                        "p_day": day,
                        "p_now": now,
                        "p_room": room.id,
                        "p_caller": caller_id,
                    },
                )
            ).one_or_none()
            if called is None:
                raise NotFound("nobody is waiting / personne n'attend")
            ticket = detached_ticket(called)
            await notify_called(change, centre, ticket, room)
            await hold_passed_by(change, centre, ticket, now)
            await notify_near(change, centre)
            # Only a waiting ticket can have been taken, so its former state is known.
            before = {"status": TicketStatus.WAITING.value, "room_id": None, "called_at": None}
            after = {key: snapshot(ticket)[key] for key in before}
            await change.audit(
                "ticket", ticket.id, "call_next", centre_id=centre.id, before=before, after=after
            )
            self._announce(change, centre, "ticket.called", ticket, finished)
        return ticket

    async def release_overdue(self, centre: Centre, grace: timedelta) -> list[Ticket]:
        """Remote tickets held longer than ``grace`` without their patient arriving give up
        their place: ended as no-show (reception may queue them again when they come)."""
        now = self.clock()
        day = centre.service_day(now)
        overdue_where = (
            Ticket.centre_id == centre.id,
            Ticket.service_day == day,
            Ticket.status == TicketStatus.NOT_ARRIVED.value,
            Ticket.held_since.is_not(None),
            Ticket.held_since < now - grace,
        )
        if (await self.session.execute(select(Ticket.id).where(*overdue_where))).first() is None:
            return []
        async with self.path.change() as change:
            await self._bump_seq(change, centre)
            rows = await self.session.execute(
                select(Ticket).where(*overdue_where).execution_options(populate_existing=True)
            )
            released = list(rows.scalars().all())
            for ticket in released:
                async with change.audited("ticket", ticket, "release_remote", centre_id=centre.id):
                    ticket.status, ticket.ended_at = TicketStatus.NO_SHOW, now
            self._announce(change, centre, "ticket.released", None, released)
        return released

    async def _free_room(
        self, change: Change, centre: Centre, room: Room, now: datetime
    ) -> list[Ticket]:
        """Calling the next patient ends the consultation under way in this room (Core
        statements, as the call itself)."""
        in_room = (
            await self.session.execute(
                statements.IN_ROOM, {"p_centre": centre.id, "p_room": room.id}
            )
        ).all()
        for row in in_room:
            if row.status == TicketStatus.CALLED:
                raise Conflict(
                    f"ticket {row.number} is still called to {room.name}: mark it started, "
                    f"no-show or released first / le ticket {row.number} est encore appelé"
                )
        if not in_room:
            return []
        ended = (
            await self.session.execute(
                statements.END_IN_ROOM, {"p_ids": [row.id for row in in_room], "p_now": now}
            )
        ).all()
        finished = [detached_ticket(row) for row in ended]
        for ticket in finished:
            before = {"status": TicketStatus.IN_CONSULTATION.value, "ended_at": None}
            after = {"status": ticket.status, "ended_at": ticket.ended_at}
            await change.audit(
                "ticket",
                ticket.id,
                "finish_on_next_call",
                centre_id=centre.id,
                before=before,
                after=after,
            )
        return finished

    # --- other transitions -------------------------------------------------------------

    async def act(
        self,
        centre: Centre,
        ticket_id: int,
        action: Action,
        *,
        room: Room | None = None,
        caller_id: int | None = None,
    ) -> Ticket:
        finished: list[Ticket] = []
        async with self.path.change() as change:
            now = self.clock()
            await self._bump_seq(change, centre)
            ticket = await self._ticket_for_update(centre, ticket_id)
            was_in_line = ticket.status in IN_LINE
            async with change.audited("ticket", ticket, action.value, centre_id=centre.id):
                try:
                    new_status = next_status(action, TicketStatus(ticket.status))
                except IllegalTransition as exc:
                    raise Conflict(str(exc)) from exc
                if action is Action.CALL:
                    if room is None:
                        raise DomainError("a room is needed to call a patient / salle requise")
                    finished = await self._free_room(change, centre, room, now)
                    ticket.room_id, ticket.called_by_id = room.id, caller_id
                    ticket.called_at, ticket.call_count = now, 1
                elif action is Action.RECALL:
                    ticket.called_at, ticket.call_count = now, ticket.call_count + 1
                elif action is Action.START:
                    ticket.started_at = now
                elif action is Action.REQUEUE:
                    # Behind everyone present now; a new ticket number is not needed.
                    ticket.queued_at, ticket.ended_at = now, None
                    ticket.room_id, ticket.called_at = None, None
                elif action is Action.RELEASE:
                    ticket.room_id, ticket.called_at, ticket.call_count = None, None, 0
                elif action is Action.ARRIVE:
                    ticket.arrived_at = now
                    if ticket.held_since is not None:
                        # Came within the grace period: the place was kept; after it, the
                        # ticket was released (no-show) and never reaches this branch.
                        ticket.held_since = None
                else:  # finish, no-show, cancel, left unseen
                    ticket.ended_at = now
                ticket.status = new_status
            if action in (Action.CALL, Action.RECALL):
                rooms = {r.id: r for r in centre.rooms}
                room_now = rooms.get(ticket.room_id) if ticket.room_id is not None else None
                await notify_called(change, centre, ticket, room_now)
            if action is not Action.RECALL and (was_in_line or ticket.status in IN_LINE):
                # Without an estimate at hand only the "ahead" rule can fall due, and it moves
                # only when a ticket leaves or joins the line (a call by hand included: those
                # behind move up): starting or ending a consultation spares the look-up.
                await notify_near(change, centre)
            self._announce(change, centre, f"ticket.{action.value}", ticket, finished)
        return ticket

    async def set_priority(self, centre: Centre, ticket_id: int, priority: Priority) -> Ticket:
        return await self._edit_waiting(centre, ticket_id, "ticket.priority", priority=priority)

    async def move_to_head(self, centre: Centre, ticket_id: int, reason: str) -> Ticket:
        return await self._edit_waiting(centre, ticket_id, "ticket.moved", head_reason=reason)

    async def _edit_waiting(
        self,
        centre: Centre,
        ticket_id: int,
        kind: str,
        *,
        priority: Priority | None = None,
        head_reason: str | None = None,
    ) -> Ticket:
        async with self.path.change() as change:
            await self._bump_seq(change, centre)
            ticket = await self._ticket_for_update(centre, ticket_id)
            if ticket.status != TicketStatus.WAITING:
                raise Conflict(
                    f"ticket {ticket.number} is {ticket.status}, not waiting / "
                    "seul un ticket en attente peut être modifié"
                )
            async with change.audited(
                "ticket", ticket, kind.removeprefix("ticket."), centre_id=centre.id
            ):
                if priority is not None:
                    ticket.priority = priority
                if head_reason is not None:
                    first = (
                        await self.session.execute(
                            select(func.min(Ticket.queued_at)).where(
                                Ticket.centre_id == centre.id,
                                Ticket.service_day == ticket.service_day,
                                Ticket.status == TicketStatus.WAITING.value,
                                Ticket.priority == ticket.priority,
                            )
                        )
                    ).scalar_one()
                    ticket.queued_at = min(first, ticket.queued_at) - timedelta(seconds=1)
                    ticket.head_reason = head_reason
            await notify_near(change, centre)
            self._announce(change, centre, kind, ticket)
        return ticket

    # --- the day -----------------------------------------------------------------------

    async def set_checkin_open(self, centre: Centre, is_open: bool) -> CentreDay:
        async with self.path.change() as change:
            day = centre.service_day(self.clock())
            await self._bump_seq(change, centre)
            await self._ensure_day(centre.id, day)
            # The row exists now, and the centre lock taken by _bump_seq orders this change.
            centre_day = await self.day_state(centre, day)
            was_closed = centre_day.checkin_closed
            centre_day.checkin_closed = not is_open
            await change.audit(
                "centre_day",
                centre_day.id,
                "checkin_open" if is_open else "checkin_close",
                centre_id=centre.id,
                before={"checkin_closed": was_closed},
                after={"checkin_closed": centre_day.checkin_closed},
            )
            self._announce(change, centre, "checkin.opened" if is_open else "checkin.closed", None)
        return centre_day

    async def day_state(self, centre: Centre, day: date) -> CentreDay:
        found = (
            await self.session.execute(
                select(CentreDay)
                .where(CentreDay.centre_id == centre.id, CentreDay.service_day == day)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        return found or CentreDay(
            centre_id=centre.id, service_day=day, last_seq_no=0, checkin_closed=False
        )


async def active_tickets(session: AsyncSession, centre: Centre, day: date) -> Sequence[Ticket]:
    """Today's waiting, called and in-consultation tickets, in call order for the waiting."""
    result = await session.execute(
        select(Ticket)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day == day,
            Ticket.status.in_([s.value for s in ACTIVE]),
        )
        .order_by(PRIORITY_RANK_SQL, Ticket.queued_at, Ticket.id)
    )
    return result.scalars().all()


async def tickets_called_by(
    session: AsyncSession, centre: Centre, day: date, account_id: int
) -> Sequence[Ticket]:
    """The day's tickets this account called, in call order; those since put back in the
    queue (released, re-queued) are no longer theirs."""
    result = await session.execute(
        select(Ticket)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day == day,
            Ticket.called_by_id == account_id,
            Ticket.status != TicketStatus.WAITING.value,
        )
        .order_by(Ticket.called_at, Ticket.id)
    )
    return result.scalars().all()


MISSED = (TicketStatus.NO_SHOW, TicketStatus.LEFT_UNSEEN)


async def missed_tickets(session: AsyncSession, centre: Centre, day: date) -> Sequence[Ticket]:
    """The day's patients who missed their call or left: reception may queue them again."""
    result = await session.execute(
        select(Ticket)
        .where(
            Ticket.centre_id == centre.id,
            Ticket.service_day == day,
            Ticket.status.in_([s.value for s in MISSED]),
        )
        .order_by(Ticket.ended_at.desc(), Ticket.id.desc())
    )
    return result.scalars().all()
