"""The notification outbox against a local HTTP server playing the SMS provider: each message
reaches the phone once when the provider answers 500 then 200, when a worker dies mid-send,
and with two replicas' workers at once; every attempt is recorded."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from notify.phones import BadPhone, masked, to_e164
from notify.providers import FileSender, HttpSmsProvider
from notify.reads import enqueue_message, erase_recipients
from notify.worker import OutboxSettings, OutboxWorker
from service.changes import ChangePath
from service.db import WriteGate
from tests.conftest import PG_URL, FakeClock, World
from tests.patient.sms_gateway import Gateway, sms_gateway

pytestmark = pytest.mark.timeout(60)

FAST = OutboxSettings(poll_s=0.05, lease_s=30.0, backoff_base_s=10.0)


def worker(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, gateway: Gateway, gate: WriteGate
) -> OutboxWorker:
    provider = HttpSmsProvider(gateway.url, "provider-token", timeout_s=5.0)
    return OutboxWorker(db, gate, clock, {"sms": provider}, FAST)


async def queue(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, gate: WriteGate, *keys: str
) -> None:
    async with db() as session, ChangePath(session, gate, None, clock).change() as change:
        for key in keys:
            await enqueue_message(
                change, key=key, channel="sms", recipient="+33612345678", body=f"A0{key[-2:]}"
            )


async def rows(db: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with db() as session:
        found = await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(found.scalars().all())


async def _until(condition: Callable[[], bool]) -> None:
    """Polls ``condition`` while the worker's own loop runs (it has no event to wait on)."""
    async with asyncio.timeout(10):
        for _ in itertools.count():
            if condition():
                return
            await asyncio.sleep(0.02)


@pytest.fixture
def gate() -> WriteGate:
    return WriteGate(enabled=PG_URL is None)


async def test_500_then_200_sends_once_after_a_backoff(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    with sms_gateway() as gateway:
        gateway.script = [500]
        sender = worker(db, clock, gateway, gate)
        await queue(db, clock, gate, "t:1:called:1:sms")
        assert await sender.run_once() == 1
        [message] = await rows(db)
        assert message.status == OutboxStatus.PENDING and message.attempts == 1
        assert await sender.run_once() == 0  # not before its backoff
        clock.now += timedelta(seconds=13)
        assert await sender.run_once() == 1
        [message] = await rows(db)
    assert message.status == OutboxStatus.SENT and message.recipient is None
    assert len(gateway.requests) == 2 and len(gateway.delivered) == 1
    assert gateway.requests[0]["auth"] == "Bearer provider-token"
    assert {r["key"] for r in gateway.requests} == {"t:1:called:1:sms"}
    async with db() as session:
        attempts = (await session.execute(select(DeliveryAttempt.outcome))).scalars().all()
    assert sorted(attempts) == ["retry", "sent"]


async def test_the_worker_counts_what_is_not_sent_yet_for_the_metrics(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    with sms_gateway() as gateway:
        gateway.script = [500]  # the first message waits for its retry
        sender = worker(db, clock, gateway, gate)
        await queue(db, clock, gate, "t:1:called:1:sms", "t:2:called:1:sms")
        running = asyncio.create_task(sender.run())
        try:
            await _until(lambda: bool(gateway.delivered) and sender.backlog == 1)
            clock.now += timedelta(seconds=13)
            await _until(lambda: sender.backlog == 0)
        finally:
            running.cancel()
    assert len(gateway.delivered) == 2


async def test_a_key_queued_twice_is_one_message(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    await queue(db, clock, gate, "t:2:near:sms")
    await queue(db, clock, gate, "t:2:near:sms")
    assert len(await rows(db)) == 1


async def test_a_worker_dying_mid_send_does_not_send_twice(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    with sms_gateway() as gateway:
        dying = worker(db, clock, gateway, gate)
        await queue(db, clock, gate, "t:3:called:1:sms")
        [claimed] = await dying.claim()
        # The provider accepted it, then the worker died before recording that.
        await dying.providers["sms"].send(claimed)
        second = worker(db, clock, gateway, gate)
        assert await second.run_once() == 0  # the lease still holds
        clock.now += timedelta(seconds=FAST.lease_s + 1)
        assert await second.run_once() == 1
        [message] = await rows(db)
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    assert len(gateway.requests) == 2  # resent with the same key...
    assert len(gateway.delivered) == 1  # ...and dropped by the provider: one SMS
    # The dead worker's late answer would not overwrite the live one's record.
    await dying.deliver(claimed)
    assert (await rows(db))[0].leased_by == second.name


async def test_a_refusal_is_not_retried(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    with sms_gateway() as gateway:
        gateway.script = [400]
        sender = worker(db, clock, gateway, gate)
        await queue(db, clock, gate, "t:4:called:1:sms")
        await sender.run_once()
        clock.now += timedelta(hours=1)
        assert await sender.run_once() == 0
    [message] = await rows(db)
    assert message.status == OutboxStatus.FAILED and message.recipient is None


async def test_two_replicas_workers_send_each_message_once(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    """Tier 2 (PostgreSQL): two workers claim with FOR UPDATE SKIP LOCKED in parallel; on
    SQLite the write gate serialises them."""
    keys = [f"t:{n}:called:1:sms" for n in range(40)]
    with sms_gateway() as gateway:
        await queue(db, clock, gate, *keys)
        replicas = [worker(db, clock, gateway, gate) for _ in range(2)]
        for replica in replicas:
            replica.settings = OutboxSettings(batch=5)
        async with asyncio.timeout(30):
            while len(gateway.delivered) < len(keys):
                await asyncio.gather(*(replica.run_once() for replica in replicas))
    sent_by = [r["key"] for r in gateway.requests]
    assert sorted(sent_by) == sorted(keys), "a message was sent twice or not at all"
    assert {m.status for m in await rows(db)} == {OutboxStatus.SENT}
    async with db() as session:
        workers = set((await session.execute(select(DeliveryAttempt.worker))).scalars())
    assert len(workers) == 2


async def test_the_embedded_sender_writes_masked_lines(tmp_path: Path) -> None:
    from notify.providers import Outgoing

    sink = FileSender(tmp_path / "messages.log")
    await sink.send(Outgoing("k1", "sms", "+33612345678", "A042 — Cabinet 3 — Paris 11e"))
    text = (tmp_path / "messages.log").read_text()
    assert "A042 — Cabinet 3" in text and "+33612345678" not in text and "78" in text
    assert (tmp_path / "messages.log").stat().st_mode & 0o077 == 0


async def test_the_retention_purge_erases_recipients(
    db: async_sessionmaker[AsyncSession], clock: FakeClock, world: World, gate: WriteGate
) -> None:
    from datetime import UTC, datetime

    await queue(db, clock, gate, "t:9:called:1:sms")
    async with db() as session, ChangePath(session, gate, None, clock).change():
        await erase_recipients(session, datetime.now(UTC) + timedelta(minutes=1))
    [message] = await rows(db)
    assert message.recipient is None and message.status == OutboxStatus.FAILED


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("07.12.34.56.78", "FR", "+33712345678"),
        ("+33 6 12 34 56 78", "FR", "+33612345678"),
        ("0033612345678", "BE", "+33612345678"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("+32 470 12 34 56", "FR", "+32470123456"),
    ],
)
def test_mobiles_of_france_and_belgium_become_e164(raw: str, country: str, e164: str) -> None:
    assert to_e164(raw, country) == e164
    assert "1234" not in masked(e164)


@pytest.mark.parametrize("raw", ["01 43 55 66 77", "+44 7700 900123", "02 123 45 67", "0612"])
def test_landlines_and_other_countries_are_refused(raw: str) -> None:
    with pytest.raises(BadPhone):
        to_e164(raw, "BE" if raw.startswith("02") else "FR")
