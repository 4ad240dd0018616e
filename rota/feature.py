"""The rota feature as the app shell sees it."""

from __future__ import annotations

from litestar import Router

from rota.answers import ChangeRefused, change_refused_handler
from rota.api_centre_days import CentreDaysController
from rota.api_centres import CentreRotaController
from rota.api_cycle import CycleController
from rota.api_doctors import DoctorController
from rota.api_exports import (
    calendar_feed,
    centre_month_export,
    create_calendar_token,
    list_calendar_tokens,
    revoke_calendar_token,
)
from rota.api_mine import mine
from rota.api_offers import my_offer_routes, offer_decisions
from rota.api_plan import LeaveController, PatternController, ShiftController, fill_gaps_handler
from rota.api_rooms import RoomController
from rota.api_views import (
    conflicts_view,
    coverage_view,
    fairness_view,
    holidays_view,
    on_duty_view,
)
from rota.cycle import SolveJobs
from rota.page import page_handlers
from rota.page_mine import my_page
from rota.predicted import CoverFromTargetController
from rota.predicted import page_handlers as waits_pages
from rota.solver.bench_cli import main as rota_bench  # the `walkin rota-bench` command
from service.accounts import Role
from service.feature import Feature
from service.nav import StaffPage

api = Router(
    path="/api/rota",
    tags=["rota"],
    route_handlers=[
        DoctorController,
        CentreRotaController,
        RoomController,
        CentreDaysController,
        CoverFromTargetController,
        ShiftController,
        PatternController,
        LeaveController,
        fill_gaps_handler,
        CycleController,
        mine,
        my_offer_routes,
        offer_decisions,
        coverage_view,
        conflicts_view,
        fairness_view,
        holidays_view,
        create_calendar_token,
        list_calendar_tokens,
        revoke_calendar_token,
        centre_month_export,
    ],
    exception_handlers={ChangeRefused: change_refused_handler},
)

FEATURE = Feature(
    name="rota",
    route_handlers=[api, on_duty_view, calendar_feed, *page_handlers, *waits_pages, my_page],
    parts=lambda state: [SolveJobs(state.db.get_session, state.gate, state.clock)],
    pages=[
        StaffPage("/rota", "nav_rota", frozenset({Role.MANAGER, Role.CENTRE_MANAGER}), order=30),
        StaffPage("/rota/me", "nav_my_rota", frozenset({Role.DOCTOR}), order=25),
    ],
)

__all__ = ["FEATURE", "rota_bench"]
