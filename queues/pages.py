"""The reception tablet and the consulting-room page: server-rendered shells, live in JS.

The pages carry only the centre's fixed data (name, rooms, time zone); the queue itself
comes from the JSON API, refreshed on each event of the centre's live feed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from rota.models import Centre
from rota.reads import provide_centre
from service.auth import Principal, centre_scope, staff_only
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page


def page_config(centre: Centre, request: Request[Principal, Any, Any]) -> dict[str, Any]:
    """What the page's script needs before its first API call."""
    return {
        "centre": centre.slug,
        "centreName": centre.name,
        "timezone": centre.timezone,
        "rooms": [{"code": room.code, "name": room.name} for room in centre.rooms_in_use],
        "account": request.user.username,
    }


class StaffPagesController(Controller):
    path = "/"
    guards = [staff_only, centre_scope]
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    dependencies = {"centre": Provide(provide_centre)}
    include_in_schema = False

    @get("/reception/{centre_slug:str}")
    async def reception(
        self, request: Request[Principal, Any, Any], centre: NamedDependency[Centre]
    ) -> Template:
        return staff_page(
            request,
            "queues/reception.html",
            centre=centre,
            config=page_config(centre, request),
        )

    @get("/room/{centre_slug:str}")
    async def room(
        self, request: Request[Principal, Any, Any], centre: NamedDependency[Centre]
    ) -> Template:
        return staff_page(
            request, "queues/room.html", centre=centre, config=page_config(centre, request)
        )
