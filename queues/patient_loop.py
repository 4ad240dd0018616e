"""The patient-side timer of every replica: "near" messages due to a falling estimate, and
remote tickets held past their grace period released.

Both are idempotent across replicas: a "near" message has one outbox key per ticket and
channel, and a released ticket is no longer "not arrived" for the next replica to release.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar
from sqlalchemy import select

from queues.live import EstimateCache
from queues.models import RemoteJoin, Ticket
from queues.notices import IN_LINE, notify_near
from queues.service import QueueOps
from queues.states import TicketStatus
from rota.models import Centre
from service.changes import ChangePath
from service.state import Shell, shell

log = logging.getLogger("walkin.queues")

EVERY_S = 20.0


async def patient_pass(state: Shell) -> None:
    now = state.clock()
    async with state.db.get_session() as session:
        centres = (await session.execute(select(Centre))).scalars().all()
        settings = {
            row.centre_id: row for row in (await session.execute(select(RemoteJoin))).scalars()
        }
        for centre in centres:
            day = centre.service_day(now)
            today = (Ticket.centre_id == centre.id, Ticket.service_day == day)
            ops = QueueOps(
                ChangePath(session, state.gate, state.bus, state.clock),
                state.settings.secret_key,
            )
            held = await session.execute(
                select(Ticket.id).where(
                    *today,
                    Ticket.status == TicketStatus.NOT_ARRIVED.value,
                    Ticket.held_since.is_not(None),
                )
            )
            if held.first() is not None:
                setting = settings.get(centre.id)
                grace = timedelta(minutes=setting.grace_min if setting else 15)
                await ops.release_overdue(centre, grace)
            wanting = await session.execute(
                select(Ticket.id).where(
                    *today, Ticket.status.in_(IN_LINE), Ticket.notify_minutes.is_not(None)
                )
            )
            if wanting.first() is None:
                continue
            estimate = await state.part(EstimateCache).get(session, centre, now)
            waits = {int(key): value.wait_min for key, value in estimate.waiting.items()}
            async with ops.path.change() as change:
                await change.lock_centre(centre.id)
                await notify_near(change, centre, waits)


@asynccontextmanager
async def patient_timer(app: Litestar) -> AsyncIterator[None]:
    state = shell(app)

    async def run() -> None:
        while True:
            await asyncio.sleep(EVERY_S)
            try:
                await patient_pass(state)
            except Exception as exc:  # the database may be away; the next pass retries
                log.warning("patient pass failed: %s", type(exc).__name__)

    task = asyncio.create_task(run(), name="patient-timer")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
