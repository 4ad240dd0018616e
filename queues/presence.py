"""Doctors' presence in the consulting rooms: server state that the estimator and screens read.

A doctor is present in a room from opening it on the consulting-room page until they pause,
leave or their page goes away. The page beats every ``BEAT_S`` seconds; a stretch whose page has
not beaten for ``PRESENCE_TIMEOUT_S`` is over, at its last beat. 30 s beats with a 90 s timeout:
one or two lost beats (a tablet's Wi-Fi hiccup, a page reload) do not make a doctor leave and
come back, yet a closed page stops counting within a minute and a half, below the estimate
cache's one-minute refresh plus the waiting-room screens' reading distance.

A beat that changes nothing only moves ``last_seen_at``: no sequence bump, no event, no audit
entry (they would flood screens and the log every 30 s per doctor). A change of state (arrive,
pause, resume, change room, leave, expire) is a change of the centre's live state: bumped,
audited and announced as ``presence.changed`` after commit, like every other.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import RoomPresence
from rota.models import Centre, Room
from service.accounts import StaffAccount
from service.changes import Change, ChangeOps, ChangePath
from service.state import shell

log = logging.getLogger("walkin.presence")

BEAT_S = 30
PRESENCE_TIMEOUT_S = 90
PRESENCE_TIMEOUT = timedelta(seconds=PRESENCE_TIMEOUT_S)
SWEEP_EVERY_S = 30

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class PresenceState(StrEnum):
    PRESENT = "present"  # in the room, calling patients
    PAUSED = "paused"  # in the room's page, not calling (a break)


@dataclass(frozen=True)
class DoctorPresence:
    """A doctor in a room now: who, where, in which state and since when (UTC)."""

    doctor_id: int  # the doctor's staff account id
    display_name: str
    room: str  # room code
    room_name: str
    state: PresenceState
    since: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "doctor_id": self.doctor_id,
            "display_name": self.display_name,
            "room": self.room,
            "room_name": self.room_name,
            "state": self.state.value,
            "since": self.since.isoformat(),
        }


@dataclass(frozen=True)
class PresenceStretch:
    """One stretch of a doctor's day at a centre; ``end`` None: still under way."""

    account_id: int
    state: PresenceState
    start: datetime
    end: datetime | None


def effective_end(row: RoomPresence, now: datetime) -> datetime | None:
    """When the stretch ended: its own end, its last beat if its page went quiet, or None."""
    if row.ended_at is not None:
        return row.ended_at
    if now - row.last_seen_at > PRESENCE_TIMEOUT:
        return row.last_seen_at
    return None


async def _open_rows(session: AsyncSession, centre_ids: Sequence[int]) -> Sequence[RoomPresence]:
    rows = await session.execute(
        select(RoomPresence)
        .where(RoomPresence.centre_id.in_(centre_ids), RoomPresence.ended_at.is_(None))
        .order_by(RoomPresence.centre_id, RoomPresence.started_at, RoomPresence.id)
    )
    return rows.scalars().all()


async def present_now(
    session: AsyncSession, centre_ids: Sequence[int], now: datetime
) -> dict[int, list[DoctorPresence]]:
    """Who is in a room now at each centre (every centre asked is a key), by display name."""
    found: dict[int, list[DoctorPresence]] = {centre_id: [] for centre_id in centre_ids}
    if not centre_ids:
        return found
    rows = [r for r in await _open_rows(session, centre_ids) if effective_end(r, now) is None]
    if not rows:
        return found
    # Not dict(result): a Result has keys(), so dict() would read it as a mapping.
    named = await session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(
            StaffAccount.id.in_({r.account_id for r in rows})
        )
    )
    names = {account_id: name for account_id, name in named.tuples()}
    rooms = {
        room.id: room
        for room in (
            await session.execute(select(Room).where(Room.id.in_({r.room_id for r in rows})))
        ).scalars()
    }
    for row in rows:
        room = rooms[row.room_id]
        found[row.centre_id].append(
            DoctorPresence(
                row.account_id,
                names.get(row.account_id, ""),
                room.code,
                room.name,
                PresenceState(row.state),
                row.started_at,
            )
        )
    for doctors in found.values():
        doctors.sort(key=lambda d: (d.display_name, d.doctor_id))
    return found


async def stretches_of_day(
    session: AsyncSession, centre: Centre, day: date, now: datetime
) -> list[PresenceStretch]:
    """The day's stretches at the centre up to ``now`` (none begun later), in order of start."""
    rows = await session.execute(
        select(RoomPresence)
        .where(
            RoomPresence.centre_id == centre.id,
            RoomPresence.service_day == day,
            RoomPresence.started_at <= now,
        )
        .order_by(RoomPresence.started_at, RoomPresence.id)
    )
    return [
        PresenceStretch(r.account_id, PresenceState(r.state), r.started_at, effective_end(r, now))
        for r in rows.scalars()
    ]


@dataclass(frozen=True)
class PresenceAnswer:
    """What the page is told after a beat or a leave."""

    state: PresenceState | None  # None: not in a room
    room: str | None
    since: datetime | None
    changed: bool


def _stretch_view(row: RoomPresence, room: Room | None) -> dict[str, Any]:
    return {
        "doctor_id": row.account_id,
        "room": room.code if room is not None else None,
        "state": row.state,
        "since": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
    }


@dataclass
class PresenceOps(ChangeOps):
    """Beats and departures of the consulting-room page, each one change of the path."""

    async def _current(self, centre: Centre, account_id: int) -> RoomPresence | None:
        rows = await self.session.execute(
            select(RoomPresence)
            .where(
                RoomPresence.centre_id == centre.id,
                RoomPresence.account_id == account_id,
                RoomPresence.ended_at.is_(None),
            )
            .order_by(RoomPresence.started_at.desc(), RoomPresence.id.desc())
            .execution_options(populate_existing=True)
        )
        return rows.scalars().first()

    async def _announce(self, change: Change, centre: Centre, row: RoomPresence) -> None:
        await change.bump_one(centre.id)
        rooms = {room.id: room for room in centre.rooms}
        view = _stretch_view(row, rooms.get(row.room_id))
        change.publish(centre.id, {"type": "presence.changed", "centre": centre.slug, **view})

    async def beat(
        self, centre: Centre, account_id: int, room: Room, state: PresenceState
    ) -> PresenceAnswer:
        """The page is open in ``room`` in ``state``: keep the stretch, or begin a new one."""
        now = self.clock()
        async with self.path.change() as change:
            # Two tabs of one doctor beating at once must not open two stretches.
            await change.lock_centre(centre.id)
            current = await self._current(centre, account_id)
            if current is not None:
                ended = effective_end(current, now)
                if ended is None and current.room_id == room.id and current.state == state:
                    current.last_seen_at = now
                    return PresenceAnswer(state, room.code, current.started_at, False)
                async with change.audited("room_presence", current, "end", centre_id=centre.id):
                    current.ended_at = ended or now
            row = RoomPresence(
                centre_id=centre.id,
                service_day=centre.service_day(now),
                account_id=account_id,
                room_id=room.id,
                state=state.value,
                started_at=now,
                last_seen_at=now,
            )
            self.session.add(row)
            await self.session.flush()
            await change.audit(
                "room_presence",
                row.id,
                "begin",
                centre_id=centre.id,
                after={"room": room.code, "state": state.value, "account_id": account_id},
            )
            await self._announce(change, centre, row)
        return PresenceAnswer(state, room.code, now, True)

    async def leave(self, centre: Centre, account_id: int) -> PresenceAnswer:
        """The doctor leaves the room (or signs out): the stretch ends now; twice is fine."""
        now = self.clock()
        async with self.path.change() as change:
            await change.lock_centre(centre.id)
            current = await self._current(centre, account_id)
            if current is None:
                return PresenceAnswer(None, None, None, False)
            async with change.audited("room_presence", current, "end", centre_id=centre.id):
                current.ended_at = effective_end(current, now) or now
            await self._announce(change, centre, current)
        return PresenceAnswer(None, None, None, True)


async def expire(
    sessions: SessionFactory, path_of: Callable[[AsyncSession], ChangePath], now: datetime
) -> int:
    """End the stretches whose page went quiet, one change (and one event) per centre."""
    async with sessions() as session:
        stale = [
            (row.centre_id, row.id)
            for row in (
                await session.execute(
                    select(RoomPresence).where(
                        RoomPresence.ended_at.is_(None),
                        RoomPresence.last_seen_at < now - PRESENCE_TIMEOUT,
                    )
                )
            ).scalars()
        ]
    ended = 0
    for centre_id in sorted({c for c, _ in stale}):
        async with sessions() as session, path_of(session).change() as change:
            await change.lock_centre(centre_id)
            centre = await session.get(Centre, centre_id)
            rows = (
                (
                    await session.execute(
                        select(RoomPresence).where(
                            RoomPresence.centre_id == centre_id,
                            RoomPresence.ended_at.is_(None),
                            RoomPresence.last_seen_at < now - PRESENCE_TIMEOUT,
                        )
                    )
                )
                .scalars()
                .all()
            )
            if centre is None or not rows:
                continue
            for row in rows:
                async with change.audited("room_presence", row, "expire", centre_id=centre_id):
                    row.ended_at = row.last_seen_at
                ended += 1
            await change.bump_one(centre_id)
            change.publish(
                centre_id,
                {"type": "presence.changed", "centre": centre.slug, "expired": len(rows)},
            )
    return ended


@asynccontextmanager
async def frozen_start_up(_: Litestar) -> AsyncIterator[None]:
    """Keep the objects of start-up (modules, mappers, compiled statements...) out of the
    collector's full passes: a full collection over them blocked the event loop ~100 ms of CPU
    in the middle of an estimate (bench/bench_estimator.py --loop; 14 ms with them frozen)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@asynccontextmanager
async def presence_sweep(app: Litestar) -> AsyncIterator[None]:
    """Ends quiet stretches on every replica: readers already ignore them (``effective_end``);
    the sweep makes it an event, so screens and reception redraw without waiting."""

    async def run() -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY_S)
            state = shell(app)

            def path_of(session: AsyncSession, state: Any = state) -> ChangePath:
                return ChangePath(session, state.gate, state.bus, state.clock)

            try:
                await expire(state.db.get_session, path_of, state.clock())
            except Exception:
                log.exception("presence sweep failed; trying again in %s s", SWEEP_EVERY_S)

    task = asyncio.create_task(run(), name="presence-sweep")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
