"""The managers' home page: a server-rendered shell; its rows come from /api/network/home."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from msgspec import to_builtins
from sqlalchemy.ext.asyncio import AsyncSession

from network.api import home_answer
from network.home import SortKey
from service.auth import Principal, admin_only
from service.pages import PAGE_EXCEPTION_HANDLERS, staff_page


@get(
    "/centres",
    guards=[admin_only],
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    include_in_schema=False,
)
async def home_page(
    request: Request[Principal, Any, Any], db_session: NamedDependency[AsyncSession]
) -> Template:
    # The first rows come with the page (no empty flash); the script keeps them live.
    first = await home_answer(request, db_session)
    return staff_page(
        request,
        "network/home.html",
        config={"first": to_builtins(first)},
        sorts=[key.value for key in SortKey],
        cities=first.cities,
    )
