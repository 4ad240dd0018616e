"""What a feature package adds to the app: the shell wires features without knowing them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.types import ControllerRouterHandler

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class Feature:
    name: str
    route_handlers: list[ControllerRouterHandler] = field(default_factory=list)
    # Background work tied to the app's life (timers, watchdogs), entered at start-up.
    lifespan: list[Lifespan] = field(default_factory=list)
