"""The waiting-room screen feature as the app shell sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from display.api import CentreDisplaysController, claim_pairing, start_pairing
from display.feed import centre_feed
from display.hub import DisplayHub, FeedTimings
from display.pages import pair_page, screen_page
from display.public import PublicBoard, public_waits, public_waits_page
from display.ticket_feed import ticket_feed
from service.feature import Feature
from service.metrics import gauges
from service.state import Shell, shell


def display_parts(shell: Shell) -> list[object]:
    """The screens' hub (a test may give its own FeedTimings) and the public board's cache."""
    timings = shell.find(FeedTimings) or FeedTimings.from_env()
    return [DisplayHub(shell, timings), PublicBoard()]


@asynccontextmanager
async def display_hub(app: Litestar) -> AsyncIterator[None]:
    """The relay, heartbeats, the database poller and the 30 s refresh of waits."""
    hub = shell(app).part(DisplayHub)
    shell(app).session_ends.listen(hub.close_account)
    hub.start()
    try:
        async with gauges(
            app,
            ("walkin_feeds_connected", "Live feeds open on this replica", hub.feed_count, "gauge"),
            ("walkin_relay_lag_seconds", "Oldest event not yet relayed", hub.relay_lag, "gauge"),
        ):
            yield
    finally:
        await hub.stop()


FEATURE = Feature(
    name="display",
    route_handlers=[
        centre_feed,
        ticket_feed,
        start_pairing,
        claim_pairing,
        CentreDisplaysController,
        pair_page,
        screen_page,
        public_waits,
        public_waits_page,
    ],
    lifespan=[display_hub],
    parts=display_parts,
)
