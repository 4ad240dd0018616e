"""OPTIONS answers list every method of their path.

Litestar 2.x (2.25) builds a path's OPTIONS handler when the first handler of that path is
registered, and that handler answers `Allow` from the route of that moment: handlers
registered on the same path afterwards (the next method of a Controller, a function handler
on a Controller's path) are served but not advertised. Reported as litestar#4169 and fixed
only in 3.0. Once the app has its final routes, each default OPTIONS handler is given the
answer of its final route.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

_DEFAULT_OPTIONS = "HTTPRoute.create_options_handler.<locals>.options_handler"


def advertise_every_method(app: Litestar) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler, _ = route.route_handler_map["OPTIONS"]
        if getattr(handler.fn, "__qualname__", "") == _DEFAULT_OPTIONS:
            # Same signature (scope) and still synchronous: only the route it reads changes.
            handler._fn = route.create_options_handler(route.path).fn
