"""The queue feature as the app shell sees it."""

from __future__ import annotations

from queues.handlers import CentreQueueController, list_centres
from queues.live import EstimateCache, rota_shifts_today
from queues.pages import StaffPagesController
from queues.patient import PATIENT_HANDLERS
from queues.patient_loop import patient_timer
from queues.presence import frozen_start_up, presence_sweep
from queues.presence_api import PresenceController
from queues.retention import purge_schedule
from service.accounts import Role
from service.feature import Feature
from service.nav import StaffPage
from service.state import Shell


def queue_parts(_: Shell) -> list[object]:
    """One estimate cache per app: reception, screens and the public board share each
    estimate; today's planned shifts come from the rota."""
    return [EstimateCache(rota_shifts_today)]


FEATURE = Feature(
    name="queues",
    route_handlers=[
        list_centres,
        CentreQueueController,
        PresenceController,
        StaffPagesController,
        *PATIENT_HANDLERS,
    ],
    lifespan=[purge_schedule, presence_sweep, patient_timer, frozen_start_up],
    parts=queue_parts,
    pages=[
        StaffPage(
            "/reception/{centre}",
            "nav_reception",
            frozenset({Role.RECEPTION, Role.CENTRE_MANAGER}),
            order=20,
        ),
        StaffPage(
            "/room/{centre}", "nav_room", frozenset({Role.DOCTOR, Role.CENTRE_MANAGER}), order=21
        ),
    ],
)
