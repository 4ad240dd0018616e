"""What a feature package adds to the app: the shell wires features without knowing them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.types import ControllerRouterHandler

if TYPE_CHECKING:
    from service.nav import StaffPage
    from service.state import Shell

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[Any]]
# The feature's typed run-time objects, made once per app from the shell (see service/state.py).
Parts = Callable[["Shell"], Iterable[object]]


@dataclass(frozen=True)
class Feature:
    name: str
    route_handlers: list[ControllerRouterHandler] = field(default_factory=list)
    # Background work tied to the app's life (timers, watchdogs), entered at start-up.
    lifespan: list[Lifespan] = field(default_factory=list)
    parts: Parts | None = None
    # Its staff pages and who may open them: the top bar lists them (service/nav.py).
    pages: list[StaffPage] = field(default_factory=list)
