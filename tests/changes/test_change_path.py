"""The change path itself: all or nothing, events only after commit, a bus that fails is
not the caller's failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.models import Centre
from service.audit import AuditEntry
from service.changes import Change, ChangeError, ChangePath
from service.db import WriteGate
from service.events import EventBus
from service.state import shell
from tests.conftest import StaffClients, World

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Boom(Exception):
    pass


class RecordingBus(EventBus):
    """Records what is published; fails each publish when asked to."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[int, dict[str, Any]]] = []

    def publish(self, centre_id: int, event: dict[str, Any]) -> None:
        self.calls.append((centre_id, event))
        if self.fail:
            raise RuntimeError("the bus is down")


async def _audit_count(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return int((await session.execute(select(func.count(AuditEntry.id)))).scalar_one())


async def _seq(db: async_sessionmaker[AsyncSession], centre_id: int) -> int:
    async with db() as session:
        found = await session.execute(select(Centre.event_seq).where(Centre.id == centre_id))
        return int(found.scalar_one())


def _path(session: AsyncSession, bus: EventBus | None) -> ChangePath:
    return ChangePath(session, WriteGate(enabled=True), bus, lambda: NOW)


@asynccontextmanager
async def _refused_paris_change(
    db: async_sessionmaker[AsyncSession], bus: EventBus, error: type[Exception], paris: int
) -> AsyncIterator[Change]:
    """A change that bumps and audits Paris, then must end in `error` (checked here)."""
    async with db() as session:
        with pytest.raises(error):
            async with _path(session, bus).change() as change:
                await change.bump([paris])
                await change.audit("centre", paris, "update", centre_id=paris)
                yield change


async def test_an_error_rolls_everything_back_and_publishes_nothing(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    paris = world.centres["paris"].id
    bus = RecordingBus()
    async with _refused_paris_change(db, bus, Boom, paris) as change:
        change.publish(paris, {"type": "centre.changed"})
        await change.session.flush()  # written to the transaction, not yet committed
        raise Boom
    assert await _audit_count(db) == 0
    assert await _seq(db, paris) == 0
    assert bus.calls == []


async def test_events_go_out_after_commit_with_the_new_sequence(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    lyon, paris = world.centres["lyon"].id, world.centres["paris"].id
    # (centre, seq, whether the change's transaction was still open) at each publish
    seen: list[tuple[int, int, bool]] = []
    async with db() as session:

        class CheckingBus(RecordingBus):
            def publish(self, centre_id: int, event: dict[str, Any]) -> None:
                super().publish(centre_id, event)
                seen.append((centre_id, event["seq"], session.in_transaction()))

        bus = CheckingBus()
        async with _path(session, bus).change() as change:
            assert await change.bump([lyon, paris]) == {lyon: 1, paris: 1}
            await change.audit("room", None, "add", centre_id=paris)
            change.publish(paris, {"type": "rooms.changed"})
            change.publish(lyon, {"type": "rooms.changed"})
            assert bus.calls == []  # nothing before the commit
            # Seen from elsewhere, nothing has happened yet.
            assert await _audit_count(db) == 0
    assert await _audit_count(db) == 1
    assert sorted(seen) == sorted([(paris, 1, False), (lyon, 1, False)])
    assert await _seq(db, paris) == 1 and await _seq(db, lyon) == 1


async def test_a_failing_bus_does_not_undo_or_fail_the_change(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    paris = world.centres["paris"].id
    bus = RecordingBus(fail=True)
    async with db() as session, _path(session, bus).change() as change:
        await change.bump([paris])
        await change.audit("centre", paris, "update", centre_id=paris)
        change.publish(paris, {"type": "centre.changed"})
    assert len(bus.calls) == 1
    assert await _audit_count(db) == 1
    assert await _seq(db, paris) == 1


@pytest.mark.parametrize("mistake", ["bumped without event", "two events", "event unbumped"])
async def test_a_change_breaking_the_event_rules_is_refused_whole(
    db: async_sessionmaker[AsyncSession], world: World, mistake: str
) -> None:
    paris, lyon = world.centres["paris"].id, world.centres["lyon"].id
    bus = RecordingBus()
    async with _refused_paris_change(db, bus, ChangeError, paris) as change:
        if mistake != "bumped without event":
            change.publish(paris, {"type": "centre.changed"})
        if mistake == "two events":
            change.publish(paris, {"type": "centre.changed"})
        if mistake == "event unbumped":
            change.publish(lyon, {"type": "centre.changed"})
    assert await _audit_count(db) == 0 and await _seq(db, paris) == 0
    assert bus.calls == []


async def test_a_check_in_is_acknowledged_when_publishing_fails(
    app: Litestar,
    clients: StaffClients,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(centre_id: int, event: dict[str, Any]) -> None:
        raise RuntimeError("the bus is down")

    monkeypatch.setattr(shell(app).bus, "publish", broken)
    desk: httpx.AsyncClient = await clients("reception-paris")
    answer = await desk.post("/api/centres/paris/tickets", json={"priority": "standard"})
    assert answer.status_code == 201, answer.text
    queue = await desk.get("/api/centres/paris/queue")
    assert [t["id"] for t in queue.json()["tickets"]] == [answer.json()["id"]]


async def test_audited_records_what_its_body_changed_and_nothing_when_the_body_fails(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    paris = world.centres["paris"].id
    async with db() as session:
        centre = await session.get(Centre, paris)
        assert centre is not None
        old_name = centre.name
        with pytest.raises(Boom):
            async with (
                _path(session, RecordingBus()).change() as change,
                change.audited("centre", centre, "update", centre_id=paris),
            ):
                centre.name = "Paris Nord"
                raise Boom
    assert await _audit_count(db) == 0
    async with db() as session:
        centre = await session.get(Centre, paris)
        assert centre is not None
        async with (
            _path(session, RecordingBus()).change() as change,
            change.audited("centre", centre, "update", centre_id=paris),
        ):
            centre.name = "Paris Nord"
    async with db() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.entity, entry.entity_id, entry.action, entry.centre_id) == (
        "centre",
        paris,
        "update",
        paris,
    )
    assert entry.changes == {"name": {"from": old_name, "to": "Paris Nord"}}


@dataclass
class _Token:
    id: int
    revoked_at: datetime | None = None


async def test_revoking_twice_stamps_and_audits_once(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    token = _Token(id=7)
    for _ in range(2):
        async with db() as session, _path(session, RecordingBus()).change() as change:
            await change.revoke("display_token", token, centre_id=None, label="TV")
    assert token.revoked_at == NOW
    async with db() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.entity, entry.entity_id, entry.action) == ("display_token", 7, "revoke")
    assert set(entry.changes) == {"label", "revoked_at"}
