"""The network home and the administration pages as the app shell sees them."""

from __future__ import annotations

from network.admin_pages import AdminPagesController, screens_page
from network.api import network_home, network_mark
from network.pages import home_page
from service.accounts import Role
from service.feature import Feature
from service.nav import StaffPage

ADMINS = frozenset({Role.MANAGER, Role.CENTRE_MANAGER})

FEATURE = Feature(
    name="network",
    route_handlers=[network_home, network_mark, home_page, AdminPagesController, screens_page],
    # "/centres" (the home) is in the shell's bar already (service/admin_pages.py).
    pages=[
        StaffPage("/admin/centres", "nav_admin_centres", ADMINS, order=11),
        StaffPage("/admin/doctors", "nav_admin_doctors", frozenset({Role.MANAGER}), order=12),
        StaffPage(
            "/admin/centres/{centre}/screens",
            "nav_screens",
            frozenset({Role.RECEPTION, Role.CENTRE_MANAGER}),
            order=22,
        ),
    ],
)
