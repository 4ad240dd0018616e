"""The statistics feature as the app shell sees it."""

from __future__ import annotations

from service.feature import Feature
from stats.api import recompute_day
from stats.demo import seed_history
from stats.job import stats_schedule
from stats.pages import StatsPagesController

FEATURE = Feature(
    name="stats",
    route_handlers=[StatsPagesController, recompute_day],
    lifespan=[stats_schedule],
    demo=seed_history,
)
