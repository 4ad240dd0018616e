"""The outbox worker: claims due messages under a lease, hands each to its provider once per
idempotency key, retries with backoff and records every attempt.

Every replica runs one. A claim is ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
workers never take the same message; SQLite has one writer at a time behind the write gate),
then the message is marked ``sending`` until ``lease_until``. A worker that dies mid-send leaves
its lease to expire; the message is claimed again and resent with the same idempotency key,
which the provider uses to drop the duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import tempfile
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from notify.providers import (
    FileSender,
    HttpSmsProvider,
    Outgoing,
    Provider,
    Refused,
    TryAgain,
    WebPushProvider,
)
from notify.vapid import WebPushKeys
from service.changes import ChangePath
from service.db import WriteGate

log = logging.getLogger("walkin.notify")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Clock = Callable[[], datetime]


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class OutboxSettings:
    poll_s: float = 1.0
    lease_s: float = 30.0  # a claimed message is someone else's for this long
    batch: int = 20
    max_attempts: int = 8
    backoff_base_s: float = 5.0  # 5 s, 10 s, 20 s … up to backoff_max_s, ±20 %
    backoff_max_s: float = 600.0

    @classmethod
    def from_env(cls) -> OutboxSettings:
        base = cls()
        return cls(
            poll_s=_env_float("WALKIN_OUTBOX_POLL_S", base.poll_s),
            lease_s=_env_float("WALKIN_OUTBOX_LEASE_S", base.lease_s),
            backoff_base_s=_env_float("WALKIN_OUTBOX_BACKOFF_S", base.backoff_base_s),
        )

    def backoff(self, attempts: int) -> timedelta:
        seconds = min(self.backoff_max_s, self.backoff_base_s * 2 ** max(0, attempts - 1))
        return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def providers_from_env(data_dir: Path | None, keys: WebPushKeys | None) -> dict[str, Provider]:
    """The real SMS gateway when WALKIN_SMS_URL is set, else the local file
    ``<data dir>/messages.log``; Web Push with the VAPID keys."""
    folder = data_dir if data_dir is not None else Path(tempfile.gettempdir())
    file_sink = FileSender(folder / "messages.log")
    url = os.environ.get("WALKIN_SMS_URL")
    sms: Provider = (
        HttpSmsProvider(
            url,
            os.environ.get("WALKIN_SMS_TOKEN", ""),
            os.environ.get("WALKIN_SMS_SENDER", "Walkin77"),
        )
        if url
        else file_sink
    )
    push: Provider = (
        WebPushProvider(keys.private_pem, keys.subject)
        if keys is not None
        else FileSender(folder / "messages.log", channel="push")
    )
    return {"sms": sms, "push": push}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30):x}"[:64]


def _due(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        # A worker died or hung mid-send: its lease ran out.
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )


@dataclass
class OutboxWorker:
    sessions: SessionFactory
    gate: WriteGate
    clock: Clock
    providers: Mapping[str, Provider]
    settings: OutboxSettings = field(default_factory=OutboxSettings)
    name: str = field(
        default_factory=lambda: (
            f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30):x}"
        )
    )

    async def claim(self) -> list[Outgoing]:
        async with (
            self.sessions() as session,
            ChangePath(session, self.gate, None, self.clock).change(),
        ):
            now = self.clock()
            ids = (
                (
                    await session.execute(
                        select(OutboxMessage.id)
                        .where(_due(now))
                        .order_by(OutboxMessage.id)
                        .limit(self.settings.batch)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            rows = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), _due(now))
                .values(
                    status=OutboxStatus.SENDING,
                    lease_until=now + timedelta(seconds=self.settings.lease_s),
                    leased_by=self.name,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(
                    OutboxMessage.idempotency_key,
                    OutboxMessage.channel,
                    OutboxMessage.recipient,
                    OutboxMessage.body,
                )
            )
            return [
                Outgoing(key, channel, recipient or "", body)
                for key, channel, recipient, body in rows.all()
            ]

    async def deliver(self, message: Outgoing) -> str:
        """Hand one claimed message to its provider and settle it; returns the outcome."""
        provider = self.providers.get(message.channel)
        outcome, detail, reference = "sent", None, None
        try:
            if provider is None:
                raise Refused(f"no provider for {message.channel}")
            reference = await provider.send(message)
        except TryAgain as exc:
            outcome, detail = "retry", str(exc)[:200]
        except Refused as exc:
            outcome, detail = "failed", str(exc)[:200]
        except Exception as exc:  # a provider bug must not kill the worker; try again later
            log.exception("provider %s failed", message.channel)
            outcome, detail = "retry", type(exc).__name__
        await self._settle(message, outcome, detail, reference)
        return outcome

    async def _settle(
        self, message: Outgoing, outcome: str, detail: str | None, reference: str | None
    ) -> None:
        async with (
            self.sessions() as session,
            ChangePath(session, self.gate, None, self.clock).change(),
        ):
            now = self.clock()
            row = (
                await session.execute(
                    select(OutboxMessage)
                    .where(OutboxMessage.idempotency_key == message.idempotency_key)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if row is None or row.status != OutboxStatus.SENDING or row.leased_by != self.name:
                return  # our lease ran out and another worker has it now
            if outcome == "retry" and row.attempts >= self.settings.max_attempts:
                outcome = "failed"
            if outcome == "retry":
                row.status = OutboxStatus.PENDING
                row.next_attempt_at = now + self.settings.backoff(row.attempts)
            else:
                row.status = OutboxStatus.SENT if outcome == "sent" else OutboxStatus.FAILED
                row.sent_at = now if outcome == "sent" else None
                row.provider_ref = reference
                row.recipient = None  # settled: the number is not needed any more
            row.lease_until, row.last_error = None, detail
            session.add(
                DeliveryAttempt(
                    message_id=row.id,
                    attempt=row.attempts,
                    worker=self.name,
                    at=now,
                    outcome=outcome,
                    detail=detail,
                )
            )

    # Messages written and not settled yet (pending, or being sent), as last counted by run():
    # the /metrics gauge walkin_outbox_backlog reads it (a scrape cannot await the database).
    backlog: int = field(default=0, init=False)

    async def count_backlog(self) -> int:
        async with self.sessions() as session:
            unsettled = OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
            found = await session.execute(
                select(func.count()).select_from(OutboxMessage).where(unsettled)
            )
            return int(found.scalar_one())

    async def run_once(self) -> int:
        """Claim and deliver one batch; returns how many messages were tried."""
        claimed = await self.claim()
        for message in claimed:
            await self.deliver(message)
        return len(claimed)

    async def run(self) -> None:
        while True:
            try:
                while await self.run_once():
                    pass
                self.backlog = await self.count_backlog()
            except Exception as exc:  # the database may be away: try again at the next tick
                log.warning("outbox pass failed: %s", type(exc).__name__)
            await asyncio.sleep(self.settings.poll_s)
