"""The statistics feature as the app shell sees it."""

from __future__ import annotations

from service.accounts import Role
from service.feature import Feature
from service.nav import StaffPage
from stats.afterwards_pages import AfterwardsController
from stats.api import recompute_day
from stats.demo import seed_history
from stats.job import stats_schedule
from stats.pages import StatsPagesController

FEATURE = Feature(
    name="stats",
    route_handlers=[StatsPagesController, AfterwardsController, recompute_day],
    lifespan=[stats_schedule],
    demo=seed_history,
    pages=[
        StaffPage(
            "/stats/network", "nav_stats", frozenset({Role.MANAGER, Role.CENTRE_MANAGER}), order=60
        ),
        StaffPage("/stats/doctors/me", "nav_my_stats", frozenset({Role.DOCTOR}), order=60),
    ],
)
