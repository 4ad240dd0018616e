"""Administration pages: centres (settings, hours, days, rooms, cover needs), doctors, screens.

Server-rendered shells: each page's script reads and writes through the JSON API (the rota's
centres, rooms, days and doctors; the screens' pairing and tokens), so every edit is checked
exactly as the API checks it and a refusal shows the API's own reasons.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from rota import reads as rota_reads
from rota.models import Centre
from service.accounts import Role
from service.auth import Principal, admin_only, centre_scope, manager_only, requires_role
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page

# Offered in the time-zone field (any IANA zone is accepted): mainland France and Belgium,
# and the overseas departments.
COMMON_ZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
)


def _centre_config(centre: Centre) -> dict[str, Any]:
    return {"centre": centre.slug, "centreName": centre.name, "timezone": centre.timezone}


class AdminPagesController(Controller):
    """Network managers everywhere; centre managers at their centres (the centres list shows
    theirs, the API refuses the rest); doctors are the network's (network managers)."""

    path = "/admin"
    guards = [admin_only, centre_scope]
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    include_in_schema = False

    @get("/centres")
    async def centres(self, request: Request[Principal, Any, Any]) -> Template:
        return staff_page(
            request,
            "network/admin_centres.html",
            zones=COMMON_ZONES,
            countries=rota_reads.holiday_subdivisions(),
        )

    @get("/centres/{centre_slug:str}", dependencies={"centre": Provide(rota_reads.provide_centre)})
    async def centre(
        self, request: Request[Principal, Any, Any], centre: NamedDependency[Centre]
    ) -> Template:
        return staff_page(
            request,
            "network/admin_centre.html",
            centre=centre,
            zones=COMMON_ZONES,
            countries=rota_reads.holiday_subdivisions(),
            config=_centre_config(centre),
        )

    @get("/doctors", guards=[manager_only])
    async def doctors(self, request: Request[Principal, Any, Any]) -> Template:
        return staff_page(request, "network/admin_doctors.html")


@get(
    "/admin/centres/{centre_slug:str}/screens",
    guards=[requires_role(Role.MANAGER, Role.CENTRE_MANAGER, Role.RECEPTION), centre_scope],
    dependencies={"centre": Provide(rota_reads.provide_centre)},
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    include_in_schema=False,
)
async def screens_page(
    request: Request[Principal, Any, Any], centre: NamedDependency[Centre]
) -> Template:
    """A centre's screens: reception pairs the TV in its waiting room, managers any."""
    return staff_page(
        request, "network/admin_screens.html", centre=centre, config=_centre_config(centre)
    )
