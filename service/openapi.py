"""The error answers every operation can give, written into the OpenAPI schema.

Litestar documents 200/201 and the 400 of validation only; clients (and schemathesis's status
code check) also meet the refusals of guards, middleware and the database. They are added to
each registered route handler from what it is: guarded, with path parameters, reading a body,
rate limited. Handlers with answers of their own (the 200 of an idempotent retry) say so with
`responses=` themselves; those win.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from msgspec import Struct

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RATE_LIMITED_PATHS = (
    "/api/auth/login",
    "/api/public/",
    "/attente",
    "/api/displays/pair",
    "/api/patient/",
)


class Problem(Struct):
    """Every error answer: its status and a message in English and French."""

    status_code: int
    detail: str
    extra: Any | None = None


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, description=description, generate_examples=False)


ANSWERS = {
    401: _problem("Not signed in, or the session ended"),
    403: _problem("Signed in, but not allowed here (role, centre) or a cross-site request"),
    404: _problem("What the path names does not exist"),
    409: _problem("Conflicts with the current state (a transition, a rota conflict)"),
    413: _problem("Request body too large"),
    415: _problem("The body is not JSON"),
    429: _problem("Too many requests; see Retry-After"),
    503: _problem("The database is unreachable for now; see Retry-After"),
}


def error_answers(handler: HTTPRouteHandler, path: str) -> dict[int, ResponseSpec]:
    codes = {503}
    if handler.resolve_guards() or path == "/api/auth/login":
        codes |= {401, 403}
    if "{" in path:
        codes.add(404)
    if handler.http_methods & UNSAFE:
        codes |= {403, 409}  # 403: the cross-site refusal applies to any unsafe request
    if "data" in handler.parsed_fn_signature.parameters:
        # 404 too: a body names doctors, centres and rooms that may not exist.
        codes |= {404, 413, 415}
    if path.startswith(RATE_LIMITED_PATHS) or path.endswith("/tickets"):
        codes.add(429)
    return {code: ANSWERS[code] for code in sorted(codes)}


def document_error_answers(app: Litestar) -> None:
    """Before the schema is first built (it is built lazily, on the first request for it)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and handler.include_in_schema:
                handler.responses = {
                    **error_answers(handler, route.path),
                    **(handler.responses or {}),
                }
