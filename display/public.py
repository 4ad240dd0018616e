"""The network's public wait board: anonymous, figures only, cached for a few seconds."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from litestar import Litestar, MediaType, Request, get
from litestar.response import Template
from msgspec import Struct
from sqlalchemy import select

from display.view import centre_waits
from rota import reads as rota_reads
from rota.models import Centre

CACHE_S = 10.0


class PublicWait(Struct):
    slug: str
    name: str
    newcomer_wait: dict[str, int] | None
    waiting: int
    open_now: bool
    checkin_open: bool
    opening: list[list[str]]


class PublicWaits(Struct):
    generated_at: datetime
    centres: list[PublicWait]


async def _compute(app: Litestar) -> PublicWaits:
    now: datetime = app.state["clock"]()
    board: list[PublicWait] = []
    async with app.state["db_config"].get_session() as session:
        centres = (await session.execute(select(Centre).order_by(Centre.name))).scalars().all()
        openings = await rota_reads.opening_today(session, centres, now)
        for centre in centres:
            waits = await centre_waits(
                session, centre, now, app.state["estimates"], openings[centre.id]
            )
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


async def _refresh(app: Litestar) -> PublicWaits:
    fresh = await _compute(app)
    app.state["public_waits_cache"] = (time.monotonic(), fresh)
    return fresh


async def public_waits_data(request: Request[Any, Any, Any]) -> PublicWaits:
    """Shared by the JSON and the page; one database pass per replica every few seconds."""
    state = request.app.state
    cached: tuple[float, PublicWaits] | None = state.get("public_waits_cache")
    if cached is not None and time.monotonic() - cached[0] < CACHE_S:
        return cached[1]
    # Requests arriving while the board is being read wait for that read, not start their own:
    # otherwise every visitor in the moment the cache expires costs a pass over all centres.
    computing: asyncio.Task[PublicWaits] | None = state.get("public_waits_computing")
    if computing is None or computing.done():
        computing = state["public_waits_computing"] = asyncio.create_task(_refresh(request.app))
    return await asyncio.shield(computing)


@get("/api/public/waits", tags=["public"], cache=False)
async def public_waits(request: Request[Any, Any, Any]) -> PublicWaits:
    return await public_waits_data(request)


@get("/attente", tags=["public"], media_type=MediaType.HTML, include_in_schema=False)
async def public_waits_page(request: Request[Any, Any, Any]) -> Template:
    return Template(
        template_name="display/attente.html", context={"board": await public_waits_data(request)}
    )
