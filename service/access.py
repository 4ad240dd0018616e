"""Every route under an explicit access rule, so that none can be added unprotected.

A route handler is classified by, in this order:
1. `opt={"access": "<kind>"}` on the handler (or its controller or router);
2. its guards (`staff_only`, `manager_only`, `centre_scope`...): it is a staff route;
3. the table below, for the paths that are anonymous by design.
A handler that none of these classify is a mistake; tests/security/test_routes.py fails on it.
Anonymous-by-design routes that return data check their own credential (display token,
calendar token, pairing code) or return only what anyone may see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute, WebSocketRoute


class Access(StrEnum):
    STAFF = "staff"  # a signed-in account; guards say which roles and centres
    PUBLIC = "public"  # anonymous data: /health, the public wait board
    LOGIN = "login"  # signing in
    PAGE = "page"  # a page that renders without a session and shows no data (landing, login)
    TOKEN = "token"  # checks its own credential: display token, pairing code, calendar token
    ASSET = "asset"  # our CSS and JavaScript files
    DOCS = "docs"  # the OpenAPI schema and its viewers


ANONYMOUS = frozenset(Access) - {Access.STAFF}

# Paths that are anonymous by design, and why.
ANONYMOUS_PATHS: tuple[tuple[re.Pattern[str], Access], ...] = (
    (re.compile(r"^/health$"), Access.PUBLIC),
    (re.compile(r"^/api/public(/|$)"), Access.PUBLIC),  # wait board: no patient data
    (re.compile(r"^/attente/?$"), Access.PUBLIC),
    (re.compile(r"^/api/auth/login$"), Access.LOGIN),
    (re.compile(r"^/(login)?$"), Access.PAGE),
    (re.compile(r"^/static/"), Access.ASSET),
    (re.compile(r"^/schema(/|$)"), Access.DOCS),
    (re.compile(r"^/display/"), Access.TOKEN),  # screen page: display token or pairing
    (re.compile(r"^/api/displays/pair(/|$)"), Access.TOKEN),  # pairing code checked inside
    (re.compile(r"^/ws/"), Access.TOKEN),  # a staff session or a display token, checked inside
    (re.compile(r"^/cal/"), Access.TOKEN),  # one doctor's calendar token
    (re.compile(r"^/api/account-setup$"), Access.TOKEN),  # a one-time set-up code, checked inside
    (re.compile(r"^/setup$"), Access.PAGE),  # the set-up form; the code stays in the #fragment
    (re.compile(r"^/t/"), Access.TOKEN),  # a patient's ticket page: the link token
    (re.compile(r"^/api/patient/"), Access.TOKEN),  # the same token, checked inside
)


def _declared(handler: BaseRouteHandler) -> Access | None:
    for layer in reversed(handler.ownership_layers):
        value = (getattr(layer, "opt", None) or {}).get("access")
        if value is not None:
            return Access(value)  # an unknown kind raises: a typo is not a rule
    return None


def guards_of(handler: BaseRouteHandler) -> list[Any]:
    return [guard for layer in handler.ownership_layers for guard in (layer.guards or [])]


def allowed_roles(handler: BaseRouteHandler) -> frozenset[str] | None:
    """The roles every role guard of the handler lets through (None: no role guard)."""
    allowed: frozenset[str] | None = None
    for guard in guards_of(handler):
        roles = getattr(guard, "roles", None)
        if roles is not None:
            names = frozenset(str(role) for role in roles)
            allowed = names if allowed is None else allowed & names
    return allowed


def classify(path: str, handler: BaseRouteHandler) -> Access | None:
    declared = _declared(handler)
    if declared is not None:
        return declared
    if guards_of(handler):
        return Access.STAFF
    for pattern, access in ANONYMOUS_PATHS:
        if pattern.search(path):
            return access
    return None


@dataclass(frozen=True)
class RouteRule:
    path: str  # as routed, e.g. /api/centres/{centre_slug:str}/queue
    methods: frozenset[str]  # empty for WebSockets
    websocket: bool
    handler: BaseRouteHandler
    access: Access | None


def route_rules(app: Litestar) -> Iterator[RouteRule]:
    """Every handler the app routes to, with its access; OPTIONS answers are Litestar's own."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                methods = frozenset(handler.http_methods) - {"OPTIONS"}
                if methods:
                    yield RouteRule(
                        route.path, methods, False, handler, classify(route.path, handler)
                    )
        elif isinstance(route, WebSocketRoute):
            socket = route.route_handler
            yield RouteRule(route.path, frozenset(), True, socket, classify(route.path, socket))


def document_anonymous_operations(app: Litestar) -> None:
    """Say in the OpenAPI schema which operations need no session, from the same rules that
    let them through: the session cookie is required document-wide, and an operation-level
    `security: [{}]` is OpenAPI's way to lift that (a client or fuzzer reading the schema
    would otherwise expect 401 from /health or the public wait board). Must run before the
    schema is first built: Litestar caches each handler's resolved security."""
    for rule in route_rules(app):
        if isinstance(rule.handler, HTTPRouteHandler) and rule.access in ANONYMOUS:
            rule.handler.security = [{}]
