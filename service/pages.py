"""Server-rendered staff pages of the shell: landing, login, home by role, the centre list.

Feature packages render their pages through `staff_page` and share `PAGE_EXCEPTION_HANDLERS`,
so that a page (unlike the JSON API) answers a missing session with a redirect to the login
page and a refusal with a readable HTML page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response, get
from litestar.datastructures import Cookie
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_401_UNAUTHORIZED
from litestar.types import ExceptionHandlersMap

from service.accounts import Role
from service.auth import Principal, retrieve_principal, staff_only
from service.errors import DomainError
from service.i18n import LANG_COOKIE, Lang, request_lang


def page_lang(request: Request[Any, Any, Any]) -> Lang:
    """The language rule of every page (see service.i18n.choose_lang)."""
    return request_lang(request)


def safe_next(value: str | None) -> str | None:
    """A local path to go back to after login; anything else could redirect off-site."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(char) < 0x20 for char in value):
        return None
    return value


def current_principal(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def home_path(principal: Principal) -> str:
    """The page each role starts from."""
    if principal.role is Role.RECEPTION and principal.centre_slug:
        return f"/reception/{principal.centre_slug}"
    if principal.role is Role.DOCTOR and principal.centre_slug:
        return f"/room/{principal.centre_slug}"
    return "/centres"


def staff_page(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
    **context: Any,
) -> Template:
    """A page in the visitor's language; an explicit ?lang= is remembered for the next pages."""
    lang = page_lang(request)
    cookies = list(cookies or [])
    if request.query_params.get("lang") == lang:
        cookies.append(Cookie(key=LANG_COOKIE, value=lang, max_age=365 * 86400, samesite="lax"))
    return Template(
        template_name=template_name,
        context={"lang": lang, "user": current_principal(request), **context},
        status_code=status_code,
        headers=headers,
        cookies=cookies,
    )


# --- pages answering errors ---------------------------------------------------------------


def _to_login(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if request.headers.get("hx-request") == "true":
        # A part fetched by htmx: a redirect would be followed inside the page and the login
        # page swapped into it. HX-Redirect sends the whole page, back to where it was.
        current = urlsplit(request.headers.get("hx-current-url", ""))
        back = safe_next(current.path + (f"?{current.query}" if current.query else "")) or "/"
        return Response(
            {"detail": "sign in first / connectez-vous"},
            status_code=HTTP_401_UNAUTHORIZED,
            headers={"HX-Redirect": f"/login?next={quote(back, safe='/')}"},
        )
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target, safe='/')}", status_code=HTTP_303_SEE_OTHER)


def _error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status = getattr(exc, "status_code", 400)
    detail = exc.message if isinstance(exc, DomainError) else getattr(exc, "detail", "")
    engine = request.app.template_engine
    assert engine is not None
    html = engine.get_template("service/error.html").render(
        lang=page_lang(request),
        user=current_principal(request),
        status=status,
        detail=detail,
    )
    return Response(html, status_code=status, media_type=MediaType.HTML)


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A browser opening a page (not the API, not a script asking for JSON)."""
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def refusal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every route's 403: an HTML page for a browser opening a page, JSON for the API.

    App-wide, so a page that forgot PAGE_EXCEPTION_HANDLERS (a role guard on /rota, say) still
    shows a readable page instead of raw JSON.
    """
    if wants_page(request):
        return _error_page(request, exc)
    status = getattr(exc, "status_code", 403)
    return Response(
        {"status_code": status, "detail": getattr(exc, "detail", "")}, status_code=status
    )


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: _to_login,
    PermissionDeniedException: _error_page,
    NotFoundException: _error_page,
    DomainError: _error_page,
    HTTPException: _error_page,
}


# --- the shell's pages ----------------------------------------------------------------------


def _has_route(request: Request[Any, Any, Any], path: str) -> bool:
    return any(route.path == path for route in request.app.routes)


@get("/", exclude_from_auth=True, include_in_schema=False)
async def landing(request: Request[Any, Any, Any]) -> Template:
    # The public wait board belongs to the display feature: linked once it exists.
    return staff_page(request, "service/landing.html", has_board=_has_route(request, "/attente"))


@get("/login", exclude_from_auth=True, include_in_schema=False)
async def login_page(request: Request[Any, Any, Any]) -> Template:
    # Outside the auth middleware, so read the session here: a signed-in visitor is offered
    # to continue, and may still sign in with another account.
    principal = await retrieve_principal(request.session, request) if request.session else None
    return staff_page(
        request,
        "service/login.html",
        next=safe_next(request.query_params.get("next")),
        signed_in=principal,
        home=home_path(principal) if principal else None,
    )


@get(
    "/home",
    guards=[staff_only],
    exception_handlers=PAGE_EXCEPTION_HANDLERS,
    include_in_schema=False,
)
async def home(request: Request[Principal, Any, Any]) -> Redirect:
    return Redirect(home_path(request.user), status_code=HTTP_303_SEE_OTHER)


# "/centres", the managers' home, is the network feature's (network/pages.py).
page_handlers = [landing, login_page, home]
