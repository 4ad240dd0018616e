"""The queue feature as the app shell sees it."""

from __future__ import annotations

from queues.handlers import CentreQueueController, list_centres
from queues.pages import StaffPagesController
from queues.retention import purge_schedule
from service.feature import Feature

FEATURE = Feature(
    name="queues",
    route_handlers=[list_centres, CentreQueueController, StaffPagesController],
    lifespan=[purge_schedule],
)
