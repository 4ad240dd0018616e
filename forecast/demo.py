"""The demo's wait targets: a few centres set their own, the others keep the network's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from forecast.models import WaitTargetRow
from rota.models import Centre

# (share, minutes) of the first centres of the demo network, in id order.
DEMO_TARGETS = ((0.9, 30), (0.8, 60), (0.95, 45))


async def seed_targets(session: AsyncSession, now: datetime) -> None:
    """Written in the demo's transaction, once."""
    if (await session.execute(select(func.count(WaitTargetRow.id)))).scalar_one():
        return
    centres = (await session.execute(select(Centre.id).order_by(Centre.id))).scalars().all()
    session.add_all(
        WaitTargetRow(centre_id=centre_id, share=share, minutes=minutes)
        for centre_id, (share, minutes) in zip(centres, DEMO_TARGETS, strict=False)
    )
    await session.flush()
