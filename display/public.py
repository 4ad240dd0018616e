"""The network's public wait board: anonymous, figures only, cached for a few seconds."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import MediaType, Request, get
from litestar.response import Template
from msgspec import Struct
from sqlalchemy import select

from display.view import centre_waits
from queues.reads import EstimateCache
from rota import reads as rota_reads
from rota.models import Centre
from service.state import Shell, shell

CACHE_S = 10.0


class PublicWait(Struct):
    slug: str
    name: str
    newcomer_wait: dict[str, int | bool] | None
    waiting: int
    open_now: bool
    checkin_open: bool
    opening: list[list[str]]


class PublicWaits(Struct):
    generated_at: datetime
    centres: list[PublicWait]


@dataclass
class PublicBoard:
    """The board as last read, and the read under way: shared by every visitor of a replica."""

    cached: tuple[float, PublicWaits] | None = None
    computing: asyncio.Task[PublicWaits] | None = None


async def _compute(state: Shell) -> PublicWaits:
    now = state.clock()
    estimates = state.part(EstimateCache)
    board: list[PublicWait] = []
    async with state.db.get_session() as session:
        centres = (await session.execute(select(Centre).order_by(Centre.name))).scalars().all()
        openings = await rota_reads.opening_today(session, centres, now)
        for centre in centres:
            waits = await centre_waits(session, centre, now, estimates, openings[centre.id])
            board.append(
                PublicWait(
                    slug=centre.slug,
                    name=centre.name,
                    newcomer_wait=waits.newcomer_wait.as_dict() if waits.newcomer_wait else None,
                    waiting=sum(waits.waiting.values()),
                    open_now=waits.open_now,
                    checkin_open=waits.checkin_open,
                    opening=waits.opening,
                )
            )
    return PublicWaits(now, board)


async def _refresh(state: Shell, board: PublicBoard) -> PublicWaits:
    fresh = await _compute(state)
    board.cached = (time.monotonic(), fresh)
    return fresh


async def public_waits_data(request: Request[Any, Any, Any]) -> PublicWaits:
    """Shared by the JSON and the page; one database pass per replica every few seconds."""
    state = shell(request.app)
    board = state.part(PublicBoard)
    if board.cached is not None and time.monotonic() - board.cached[0] < CACHE_S:
        return board.cached[1]
    # Requests arriving while the board is being read wait for that read, not start their own:
    # otherwise every visitor in the moment the cache expires costs a pass over all centres.
    if board.computing is None or board.computing.done():
        board.computing = asyncio.create_task(_refresh(state, board))
    return await asyncio.shield(board.computing)


@get("/api/public/waits", tags=["public"], cache=False)
async def public_waits(request: Request[Any, Any, Any]) -> PublicWaits:
    return await public_waits_data(request)


@get("/attente", tags=["public"], media_type=MediaType.HTML, include_in_schema=False)
async def public_waits_page(request: Request[Any, Any, Any]) -> Template:
    return Template(
        template_name="display/attente.html", context={"board": await public_waits_data(request)}
    )
