"""The network's public wait board: anonymous, figures only, cached for a few seconds.

Each centre with its address, a map link (OpenStreetMap), today's hours and the current wait
with its range; the page filters by town (``?ville=``) and sorts by name or wait (``?tri=``)
on the server, so that it works without JavaScript on any phone.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from litestar import MediaType, Request, get
from litestar.response import Template
from msgspec import Struct
from sqlalchemy import select

from display.view import centre_waits
from queues import reads as queue_reads
from queues.reads import EstimateCache
from rota import reads as rota_reads
from rota.models import Centre
from service.pages import staff_page
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
    address: str = ""
    city: str = ""
    map_url: str | None = None  # OpenStreetMap's search for the address
    remote_join: bool = False  # takes tickets from home: /attente/<slug>/rejoindre


def map_link(address: str, city: str) -> str | None:
    where = ", ".join(part for part in (address.strip(), city.strip()) if part)
    return f"https://www.openstreetmap.org/search?query={quote_plus(where)}" if where else None


def folded(text: str) -> str:
    """Lower case without accents: "sainte-etienne" finds "Saint-Étienne"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def board_view(board: PublicWaits, town: str, sort: str) -> list[PublicWait]:
    """The centres matching a town (or a name), by name or by wait (closed ones last)."""
    wanted = folded(town.strip())[:80]
    shown = [
        c
        for c in board.centres
        if not wanted or wanted in folded(c.city) or wanted in folded(c.name)
    ]
    if sort == "wait":

        def by_wait(centre: PublicWait) -> tuple[int, int, str]:
            if centre.newcomer_wait is None:
                return (1, 0, centre.name)
            return (0, centre.newcomer_wait["minutes"], centre.name)

        shown.sort(key=by_wait)
    return shown


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
        remote = await queue_reads.remote_join_centres(session)
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
                    address=centre.address or "",
                    city=centre.city or "",
                    map_url=map_link(centre.address or "", centre.city or ""),
                    remote_join=centre.id in remote,
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
    town = request.query_params.get("ville", "")[:80]
    sort = "wait" if request.query_params.get("tri") == "attente" else "name"
    board = await public_waits_data(request)
    return staff_page(
        request,
        "display/attente.html",
        board=board,
        centres=board_view(board, town, sort),
        town=town,
        sort=sort,
    )
