"""The queue's "your turn is near" messages, queued in the change that causes them.

Each goes through the outbox (notify.reads.enqueue_message): committed with the change, sent
after it by the outbox worker, once per idempotency key. A patient gets a message only on a
channel they gave: a phone number (kept only with their consent) or a Web Push subscription.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from notify.reads import enqueue_message
from queues.links import NearRules, called_message, near_message, near_triggers
from queues.models import Ticket
from queues.ordering import PRIORITY_RANK, Priority
from queues.states import TicketStatus
from rota.models import Centre, Room
from service.changes import Change

IN_LINE = (TicketStatus.NOT_ARRIVED.value, TicketStatus.WAITING.value)


def _channels(ticket: Ticket) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if ticket.phone:
        found.append(("sms", ticket.phone))
    if ticket.push_subscription:
        found.append(("push", ticket.push_subscription))
    return found


async def _send(change: Change, ticket: Ticket, what: str, body: str) -> None:
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


async def notify_near(
    change: Change,
    centre: Centre,
    tickets_in_line: list[Ticket],
    waits: Mapping[int, float] | None = None,
) -> None:
    """Send the "near" messages now due to tickets in line (waiting or not arrived, in call
    order); ``waits``: estimated minutes by ticket id, when an estimate is at hand."""
    for ahead, ticket in enumerate(tickets_in_line):
        if ticket.notify_ahead is None and ticket.notify_minutes is None:
            continue
        rules = NearRules(ticket.notify_ahead, ticket.notify_minutes, ticket.notify_called)
        already = set(filter(None, ticket.notified.split(",")))
        due = near_triggers(rules, ahead, (waits or {}).get(ticket.id), already)
        if not due:
            continue
        ticket.notified = ",".join(sorted(already | set(due)))
        if _channels(ticket):
            await _send(change, ticket, "near", near_message(ticket.number, centre.name))


async def in_line(change: Change, centre: Centre) -> list[Ticket]:
    day = centre.service_day(change.clock())
    rows = await change.session.execute(
        select(Ticket).where(
            Ticket.centre_id == centre.id,
            Ticket.service_day == day,
            Ticket.status.in_(IN_LINE),
        )
    )
    return sorted(rows.scalars().all(), key=queue_order)
