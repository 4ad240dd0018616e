"""The queue feature as the app shell sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from queues.handlers import CentreQueueController, list_centres
from queues.live import EstimateCache, rota_shifts_today
from queues.pages import StaffPagesController
from queues.retention import purge_schedule
from service.feature import Feature


@asynccontextmanager
async def wait_estimates(app: Litestar) -> AsyncIterator[None]:
    """One estimate cache per app: reception, screens and the public board share each
    estimate; today's planned shifts come from the rota. Entered before the display
    feature's lifespan, whose hub reads it."""
    app.state["estimates"] = EstimateCache(rota_shifts_today)
    yield


FEATURE = Feature(
    name="queues",
    route_handlers=[list_centres, CentreQueueController, StaffPagesController],
    lifespan=[wait_estimates, purge_schedule],
)
