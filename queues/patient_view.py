"""What the patient's own page shows of their ticket: number, people ahead, the estimated wait
and its range, the room once called. No name, no phone number: the page shows whether SMS is
on, never the number."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.links import plausible_token, token_digest
from queues.live import EstimateCache
from queues.models import Ticket
from queues.notices import IN_LINE, queue_order
from rota.models import Centre


async def ticket_by_token(session: AsyncSession, token: str) -> tuple[Ticket, Centre] | None:
    """The ticket a link names, with its centre (rooms loaded), or None."""
    if not plausible_token(token):
        return None
    ticket = (
        await session.execute(
            select(Ticket)
            .where(Ticket.link_hash == token_digest(token))
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if ticket is None:
        return None
    centre = (
        await session.execute(
            select(Centre)
            .where(Centre.id == ticket.centre_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    return ticket, centre


def link_expired(ticket: Ticket, centre: Centre, now: datetime) -> bool:
    """A link works on its ticket's service day only."""
    return ticket.service_day != centre.service_day(now)


def _minutes(value: float) -> int | None:
    return None if math.isinf(value) else round(value)


async def patient_view(
    session: AsyncSession,
    ticket: Ticket,
    centre: Centre,
    now: datetime,
    estimates: EstimateCache,
) -> dict[str, Any]:
    rooms = {room.id: room for room in centre.rooms}
    room = rooms.get(ticket.room_id) if ticket.room_id is not None else None
    view: dict[str, Any] = {
        "type": "ticket",
        "number": ticket.number,
        "status": ticket.status,
        "centre": {"slug": centre.slug, "name": centre.name},
        "remote": ticket.remote,
        "room": room.code if room else None,
        "room_name": room.name if room else None,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "call_count": ticket.call_count,
        "ahead": None,
        "estimate": None,
        "held": ticket.held_since is not None,
        "notify": {
            "ahead": ticket.notify_ahead,
            "minutes": ticket.notify_minutes,
            "called": ticket.notify_called,
            "sms": ticket.phone is not None,
            "push": ticket.push_subscription is not None,
        },
        "server_time": now.isoformat(),
    }
    if ticket.status in IN_LINE:
        line = (
            (
                await session.execute(
                    select(Ticket).where(
                        Ticket.centre_id == centre.id,
                        Ticket.service_day == ticket.service_day,
                        Ticket.status.in_(IN_LINE),
                    )
                )
            )
            .scalars()
            .all()
        )
        mine = queue_order(ticket)
        view["ahead"] = sum(1 for other in line if queue_order(other) < mine)
        estimate = await estimates.get(session, centre, now)
        value = estimate.waiting.get(str(ticket.id))
        if value is not None:
            view["estimate"] = {
                "minutes": _minutes(value.wait_min),
                "low": _minutes(value.low_min),
                "high": _minutes(value.high_min),
                "after_closing": value.after_closing,
            }
    return view
