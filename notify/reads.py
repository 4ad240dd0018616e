"""What the outbox offers the other features: queue a message inside a change, validate a
mobile number, erase recipients for the retention purge.

Usage, inside a change of the shell's change path::

    async with ops.path.change() as change:
        ...  # the change itself
        await enqueue_message(change, key=f"ticket:{id}:called:1", channel="sms",
                              recipient="+33612345678", body="A042 — Cabinet 3 …")

The message commits or rolls back with the change; the outbox worker delivers it after
commit, once per key (a retried change, a worker dying mid-send and two replicas' workers
never send it twice). A message says no more than a ticket number, a centre and a room.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify.models import OutboxMessage, OutboxStatus
from notify.phones import BadPhone, masked, to_e164
from service.changes import Change

__all__ = ["BadPhone", "enqueue_message", "erase_recipients", "masked", "to_e164"]

MAX_BODY = 160  # one SMS


async def enqueue_message(
    change: Change,
    *,
    key: str,
    channel: str,
    recipient: str,
    body: str,
    centre_id: int | None = None,
) -> None:
    """Queue one message in the change's transaction; a key already queued is ignored."""
    if channel not in ("sms", "push"):
        raise ValueError(f"unknown channel {channel!r}")
    session = change.session
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(OutboxMessage)
        .values(
            idempotency_key=key[:120],
            channel=channel,
            recipient=recipient,
            body=body[:MAX_BODY],
            centre_id=centre_id,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=change.clock(),
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


async def erase_recipients(session: AsyncSession, before: datetime) -> int:
    """Forget the numbers and subscriptions of messages queued before ``before`` (the
    retention purge); unsent ones are given up."""
    # Queued on the service clock (next_attempt_at starts there), stored on the wall clock:
    # either being old enough erases.
    old = or_(OutboxMessage.next_attempt_at < before, OutboxMessage.created_at < before)
    await session.execute(
        update(OutboxMessage)
        .where(old, OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
        .values(status=OutboxStatus.FAILED, last_error="erased by the retention purge")
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(old, OutboxMessage.recipient.is_not(None))
        .values(recipient=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
