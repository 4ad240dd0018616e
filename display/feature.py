"""The waiting-room screen feature as the app shell sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from display.api import CentreDisplaysController, claim_pairing, start_pairing
from display.feed import centre_feed
from display.hub import DisplayHub, FeedTimings
from display.pages import pair_page, screen_page
from display.public import public_waits, public_waits_page
from service.feature import Feature


@asynccontextmanager
async def display_hub(app: Litestar) -> AsyncIterator[None]:
    """The relay, heartbeats, the database poller and the 30 s refresh of waits."""
    timings = app.state.get("display_timings") or FeedTimings.from_env()
    hub = DisplayHub(app, timings)
    app.state["display_hub"] = hub
    hub.start()
    try:
        yield
    finally:
        await hub.stop()


FEATURE = Feature(
    name="display",
    route_handlers=[
        centre_feed,
        start_pairing,
        claim_pairing,
        CentreDisplaysController,
        pair_page,
        screen_page,
        public_waits,
        public_waits_page,
    ],
    lifespan=[display_hub],
)
