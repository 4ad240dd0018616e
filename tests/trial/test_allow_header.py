"""OPTIONS tells every method of a path (schemathesis's allow_header_conformance check).

Litestar 2.x builds a path's OPTIONS handler with the route of the first handler registered
there (litestar#4169, fixed only in 3.0): a handler joining the path later is served but not
listed. This goes over every route of the app, without a server.
"""

from __future__ import annotations

from litestar.response import Response
from litestar.routes import HTTPRoute

from service.app import create_app
from service.settings import Settings


def _allowed(route: HTTPRoute) -> set[str]:
    handler, _ = route.route_handler_map["OPTIONS"]
    answer = handler.fn(scope={})
    assert isinstance(answer, Response)
    return {method.strip() for method in answer.headers["Allow"].split(",")}


def test_options_lists_every_method_of_every_documented_path() -> None:
    app = create_app(
        Settings(database_url="sqlite+aiosqlite://", redis_url=None, secret_key="s", demo=False)
    )
    routes = [
        route
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and any(handler.include_in_schema for handler in route.route_handlers)
    ]
    assert routes
    wrong = {
        route.path: (sorted(_allowed(route)), sorted(route.methods))
        for route in routes
        if _allowed(route) != set(route.methods)
    }
    assert wrong == {}
