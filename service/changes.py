"""The one change path: every write of every feature is a unit of work opened here.

`ChangePath.change()` takes the write gate, yields a `Change` to write through, commits when the
body ends and rolls back on any error (the gate still held, so no other writer sees a half
change). The audit entries go in the same transaction. Events are collected during the change
and published on the bus only after the commit, and publishing never raises: once committed, a
change is acknowledged, and screens that miss an event catch up through the sequence number.

A change to a centre's live state (its queue, today's rota, hours, rooms) bumps the centre's
`event_seq` and publishes exactly one event for it, carrying the new number; the bump is also
the row lock that orders concurrent changes at one centre. Several centres are bumped in id
order, so two changes touching the same centres cannot deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request
from sqlalchemy import bindparam, column, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit import Actor, actor_of, record, snapshot
from service.db import WriteGate
from service.events import EventBus
from service.state import shell

log = logging.getLogger("walkin.changes")

Clock = Callable[[], datetime]

# The columns of the rota's centre table this path relies on, named here so that the shell
# needs no feature's model to lock a centre and bump its sequence.
_CENTRE = table("centre", column("id"), column("event_seq"))
# Built once (a statement's cache key is memoised on it): every change runs one of them.
_LOCK_CENTRE = select(_CENTRE.c.id).where(_CENTRE.c.id == bindparam("centre")).with_for_update()
_BUMP_CENTRE = (
    update(_CENTRE)
    .where(_CENTRE.c.id == bindparam("centre"))
    .values(event_seq=_CENTRE.c.event_seq + 1)
    .returning(_CENTRE.c.event_seq)
)
_UNBUMP_CENTRE = (
    update(_CENTRE)
    .where(_CENTRE.c.id == bindparam("centre"))
    .values(event_seq=_CENTRE.c.event_seq - 1)
)


class ChangeError(RuntimeError):
    """A change broke the path's rules (a programming error): it is rolled back."""


@dataclass
class Change:
    """One open change: write through its session, audit and announce through it."""

    session: AsyncSession
    clock: Clock
    actor: Actor | None
    # centre id -> its new sequence number, for the centres whose live state this changes
    seqs: dict[int, int] = field(default_factory=dict)
    events: dict[int, dict[str, Any]] = field(default_factory=dict)

    async def lock_centre(self, centre_id: int) -> None:
        """Lock a centre's row without changing its live state (SQLite ignores FOR UPDATE;
        there the write gate already serialises writers)."""
        await self.session.execute(_LOCK_CENTRE, {"centre": centre_id})

    async def bump(self, centre_ids: Iterable[int]) -> dict[int, int]:
        """Bump the centres' sequence numbers (once per change), in id order against
        deadlocks; returns the new numbers of all centres bumped so far."""
        for centre_id in sorted(set(centre_ids) - set(self.seqs)):
            result = await self.session.execute(_BUMP_CENTRE, {"centre": centre_id})
            self.seqs[centre_id] = int(result.scalar_one())
        return dict(self.seqs)

    async def bump_one(self, centre_id: int) -> int:
        return (await self.bump([centre_id]))[centre_id]

    async def unbump(self, centre_id: int) -> int:
        """Take back this change's bump of a centre it turned out not to change; returns the
        centre's number as it was. The row stays locked to the end of the transaction, so
        nobody saw the bumped number, and no event is owed for it."""
        seq = self.seqs.pop(centre_id) - 1
        await self.session.execute(_UNBUMP_CENTRE, {"centre": centre_id})
        return seq

    def publish(self, centre_id: int, event: Mapping[str, Any]) -> None:
        """Announce the change at a bumped centre after commit, with its new sequence."""
        if centre_id not in self.seqs:
            raise ChangeError(f"centre {centre_id} was not bumped in this change")
        if centre_id in self.events:
            raise ChangeError(f"a second event for centre {centre_id} in one change")
        self.events[centre_id] = {**event, "seq": self.seqs[centre_id]}

    async def audit(
        self,
        entity: str,
        entity_id: int | None,
        action: str,
        *,
        centre_id: int | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
    ) -> None:
        """An audit entry in this change's transaction (``actor`` overrides the path's)."""
        await record(
            self.session,
            actor or self.actor,
            at=self.clock(),
            entity=entity,
            entity_id=entity_id,
            action=action,
            centre_id=centre_id,
            before=before,
            after=after,
        )

    @asynccontextmanager
    async def audited(
        self, entity: str, row: Any, action: str, *, centre_id: int | None = None
    ) -> AsyncIterator[None]:
        """Audit what the body does to a mapped row: its fields before and after (nothing is
        recorded if the body raises: the change rolls back)."""
        before = snapshot(row)
        yield
        await self.audit(
            entity, row.id, action, centre_id=centre_id, before=before, after=snapshot(row)
        )

    async def revoke(
        self, entity: str, row: Any, *, centre_id: int | None = None, **kept: Any
    ) -> None:
        """Stamp a token row revoked now, audited with the ``kept`` fields; revoking twice is
        fine, and changes nothing."""
        if row.revoked_at is not None:
            return
        row.revoked_at = self.clock()
        await self.audit(
            entity,
            row.id,
            "revoke",
            centre_id=centre_id,
            after={**kept, "revoked_at": row.revoked_at},
        )

    def check_complete(self) -> None:
        missing = sorted(set(self.seqs) - set(self.events))
        if missing:
            raise ChangeError(f"centres {missing} were bumped without an event")


@dataclass
class ChangePath:
    session: AsyncSession
    gate: WriteGate
    bus: EventBus | None
    clock: Clock
    # Who acts, for the audit entries (None: the system, e.g. the retention purge).
    actor: Actor | None = None

    @asynccontextmanager
    async def change(self) -> AsyncIterator[Change]:
        """One write transaction behind the gate; commits at the end of the body."""
        async with self.gate.hold():
            if self.gate.serialises and self.session.in_transaction():
                # End the read transaction begun before the gate (looking things up): on
                # SQLite a read transaction that later writes fails at once if another writer
                # committed meanwhile. Commit, not rollback, keeps loaded rows usable. On
                # PostgreSQL each statement reads afresh (read committed) and the row locks
                # order writers, so the round trip is saved.
                await self.session.commit()
            change = Change(self.session, self.clock, self.actor)
            try:
                yield change
                change.check_complete()
                await self.session.commit()
            except BaseException:
                await self.session.rollback()
                raise
        self._publish(change.events)

    def _publish(self, events: Mapping[int, dict[str, Any]]) -> None:
        for centre_id, event in sorted(events.items()):
            try:
                if self.bus is None:
                    raise ChangeError("no event bus to publish on")
                self.bus.publish(centre_id, event)
            except Exception:
                # Committed and acknowledged already: the readers catch up from event_seq.
                log.exception("could not publish %s for centre %s", event.get("type"), centre_id)


@dataclass
class ChangeOps:
    """Base of a feature's operations: every write is one change of ``path``."""

    path: ChangePath

    @property
    def session(self) -> AsyncSession:
        return self.path.session

    @property
    def clock(self) -> Clock:
        return self.path.clock


def change_path(
    request: Request[Any, Any, Any], session: AsyncSession, actor: Actor | None = None
) -> ChangePath:
    """The change path of a request: its app's gate, bus and clock, the caller as actor."""
    state = shell(request.app)
    return ChangePath(
        session,
        state.gate,
        state.bus,
        state.clock,
        actor if actor is not None else actor_of(request),
    )
