"""What the screens feature offers the others: which screens a centre has and when each was
last heard from (the feeds stamp `last_seen_at` about every minute while a screen is
connected, on every replica), never a token."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from display.models import DisplayToken

__all__ = ["ONLINE_WITHIN", "ScreenSeen", "screens_of"]

# The feeds stamp last_seen_at every 60 s (display.hub.FeedTimings.last_seen_every_s): a
# screen heard from within this margin is connected now.
ONLINE_WITHIN = timedelta(seconds=150)


@dataclass(frozen=True)
class ScreenSeen:
    id: int
    label: str
    last_seen_at: datetime | None

    def online(self, now: datetime) -> bool:
        return self.last_seen_at is not None and now - self.last_seen_at <= ONLINE_WITHIN


async def screens_of(
    session: AsyncSession, centre_ids: Iterable[int]
) -> dict[int, list[ScreenSeen]]:
    """The paired screens (not revoked) of each centre, by label."""
    ids = list(centre_ids)
    found: dict[int, list[ScreenSeen]] = defaultdict(list)
    if not ids:
        return found
    rows = await session.execute(
        select(DisplayToken)
        .where(DisplayToken.centre_id.in_(ids), DisplayToken.revoked_at.is_(None))
        .order_by(DisplayToken.label, DisplayToken.id)
    )
    for row in rows.scalars():
        found[row.centre_id].append(ScreenSeen(row.id, row.label, row.last_seen_at))
    return found
