"""The screen page, the pairing page: plain HTML and a little JavaScript.

A screen authenticates by its display cookie (set at pairing, httponly), never by a token in
a URL: its feed's address carries no credential, so proxies and access logs keep none. A
token given once in the address (`?token=`, a screen set up by hand) is turned into that
cookie here, and the page's script removes it from the address bar.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get
from litestar.datastructures import Cookie
from litestar.response import Template

from display.access import DISPLAY_COOKIE, Refused, authorise_viewer, same_origin
from display.api import COOKIE_MAX_AGE_S
from service.pages import staff_page
from service.params import PathText
from service.state import shell


@get("/display/pair", media_type=MediaType.HTML, include_in_schema=False)
async def pair_page(request: Request[Any, Any, Any]) -> Template:
    return staff_page(request, "display/pair.html")


def _display_cookie(request: Request[Any, Any, Any]) -> list[Cookie]:
    """The token that opened the page, as the cookie the feed reads (renewed on each visit)."""
    token = request.query_params.get("token") or (
        request.cookies.get(DISPLAY_COOKIE) if same_origin(request) else None
    )
    if not token:
        return []
    secure = request.url.scheme == "https"
    cookie = Cookie(
        key=DISPLAY_COOKIE,
        value=token,
        max_age=COOKIE_MAX_AGE_S,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return [cookie]


@get("/display/{centre_slug:str}", media_type=MediaType.HTML, include_in_schema=False)
async def screen_page(centre_slug: PathText, request: Request[Any, Any, Any]) -> Template:
    try:
        async with shell(request.app).db.get_session() as session:
            viewer = await authorise_viewer(request, centre_slug, session)
    except Refused as refused:
        return staff_page(
            request, "display/refused.html", status_code=refused.status, detail=refused.message
        )
    return staff_page(
        request,
        "display/screen.html",
        headers={"Cache-Control": "no-store"},
        cookies=_display_cookie(request) if viewer.token_id is not None else [],
        centre=viewer.centre,
    )
