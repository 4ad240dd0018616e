"""What each centre reports now, read through the features' read functions only."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from display import reads as display_reads
from network.home import CentreLoad, Estimate, ScreenState
from queues import reads as queue_reads
from rota import reads as rota_reads
from rota.models import Centre


async def doctors_in_rooms(
    session: AsyncSession, centres: list[Centre], now: datetime
) -> dict[int, int]:
    """Doctors in a consulting room and calling now, per centre (the room page's presence; a
    doctor on a break is in the room but calls nobody, so does not count)."""
    present = await queue_reads.doctors_present(session, [c.id for c in centres], now)
    return {
        centre_id: sum(d.state is queue_reads.PresenceState.PRESENT for d in doctors)
        for centre_id, doctors in present.items()
    }


def _estimate(wait: queue_reads.WaitEstimate) -> Estimate | None:
    if math.isinf(wait.wait_min) or math.isinf(wait.high_min):
        return None  # nobody on the rota will call a newcomer today
    return Estimate(round(wait.wait_min), math.floor(wait.low_min), math.ceil(wait.high_min))


async def visible_centres(session: AsyncSession, visible: Collection[int] | None) -> list[Centre]:
    """The centres the principal may see (``visible``: their ids; None: the whole network)."""
    query = select(Centre).order_by(Centre.name)
    if visible is not None:
        query = query.where(Centre.id.in_(list(visible)))
    return list((await session.execute(query)).scalars())


async def centre_loads(
    session: AsyncSession,
    centres: list[Centre],
    now: datetime,
    estimates: queue_reads.EstimateCache,
) -> list[CentreLoad]:
    openings = await rota_reads.opening_today(session, centres, now)
    waiting = await queue_reads.waiting_summaries(session, centres, now)
    needed = await rota_reads.cover_needed_now(session, centres, now)
    screens = await display_reads.screens_of(session, [c.id for c in centres])
    in_rooms = await doctors_in_rooms(session, centres, now)
    loads = []
    for centre in centres:
        opening = openings[centre.id]
        open_now = opening.open_at(now)
        accepting = await queue_reads.checkin_open(session, centre, centre.service_day(now))
        wait = None
        if open_now and accepting:
            wait = _estimate(await queue_reads.newcomer_wait(session, centre, now, estimates))
        summary = waiting[centre.id]
        loads.append(
            CentreLoad(
                centre_id=centre.id,
                slug=centre.slug,
                name=centre.name,
                city=centre.city,
                time_zone=centre.timezone,
                open_now=open_now,
                closes_at=opening.closes,
                checkin_open=accepting,
                waiting=summary.waiting,
                urgent=summary.urgent,
                oldest_checked_in=summary.oldest_checked_in,
                newcomer_wait=wait,
                doctors_in_room=in_rooms.get(centre.id, 0),
                doctors_on_rota=len(await rota_reads.doctors_on_duty(session, centre, now)),
                doctors_needed=needed[centre.id] if open_now else 0,
                wait_alert_minutes=centre.wait_alert_minutes,
                screens=tuple(
                    ScreenState(s.label, s.last_seen_at) for s in screens.get(centre.id, [])
                ),
            )
        )
    return loads
