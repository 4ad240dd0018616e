"""The queue feature as the app shell sees it."""

from __future__ import annotations

from queues.handlers import CentreQueueController, list_centres
from queues.live import EstimateCache, rota_shifts_today
from queues.pages import StaffPagesController
from queues.patient import PATIENT_HANDLERS
from queues.patient_loop import patient_timer
from queues.retention import purge_schedule
from service.feature import Feature
from service.state import Shell


def queue_parts(_: Shell) -> list[object]:
    """One estimate cache per app: reception, screens and the public board share each
    estimate; today's planned shifts come from the rota."""
    return [EstimateCache(rota_shifts_today)]


FEATURE = Feature(
    name="queues",
    route_handlers=[list_centres, CentreQueueController, StaffPagesController, *PATIENT_HANDLERS],
    lifespan=[purge_schedule, patient_timer],
    parts=queue_parts,
)
