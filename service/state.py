"""What the shell gives every feature at run time: one typed object on the app.

Features reach the database, the write gate, the event bus and the clock through `shell(app)`
instead of string keys in `app.state`; their own run-time objects (the wait-estimate cache,
the screens' hub) are typed parts registered at app creation by `Feature.parts`, found by
their type. Tests hand fakes to `create_app(parts=...)` (a faster feed timing, say): a part
given there is used instead of the feature's default.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar import Litestar

from service.db import WriteGate
from service.events import EventBus, SupervisedChannelsPlugin
from service.limits import Counters, LoginThrottle
from service.proxy import TrustedProxies
from service.settings import Settings

T = TypeVar("T")
Clock = Callable[[], datetime]
STATE_KEY = "shell"


class SessionEnds:
    """Who hears, in this process, that an account's sessions just ended (disabled, a new
    password): the screens' hub closes that account's open staff feeds at once instead of at
    its next periodic check (which still catches the other replicas' feeds)."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[int], None]] = []

    def listen(self, listener: Callable[[int], None]) -> None:
        self._listeners.append(listener)

    def ended(self, account_id: int) -> None:
        for listener in self._listeners:
            listener(account_id)


@dataclass
class Shell:
    settings: Settings
    # Advanced Alchemy renames its state keys when several apps share a process, so code
    # outside request handlers reaches the database through the config.
    db: SQLAlchemyAsyncConfig
    gate: WriteGate
    bus: EventBus
    channels: SupervisedChannelsPlugin
    # The service clock (tests move it by days to change the service day).
    clock: Clock
    # Wall time for session lifetimes, not the service clock.
    session_clock: Callable[[], float]
    proxies: TrustedProxies
    counters: Counters
    login_throttle: LoginThrottle
    session_ends: SessionEnds = field(default_factory=SessionEnds)
    _parts: dict[type[Any], object] = field(default_factory=dict)

    def add(self, part: object) -> None:
        """Register a part under its type, unless one was given already (a test's fake)."""
        self._parts.setdefault(type(part), part)

    def find(self, kind: type[T]) -> T | None:
        return cast(T | None, self._parts.get(kind))

    def part(self, kind: type[T]) -> T:
        found = self.find(kind)
        if found is None:
            raise LookupError(f"no {kind.__name__} in this app (which feature provides it?)")
        return found


def make_shell(
    settings: Settings,
    db: SQLAlchemyAsyncConfig,
    channels: SupervisedChannelsPlugin,
    proxies: TrustedProxies,
    counters: Counters,
    *,
    clock: Clock,
    session_clock: Callable[[], float] | None = None,
    given: Iterable[object] = (),
) -> Shell:
    shell = Shell(
        settings=settings,
        db=db,
        gate=WriteGate(enabled=settings.is_sqlite),
        bus=EventBus(channels),
        channels=channels,
        clock=clock,
        session_clock=session_clock or time.time,
        proxies=proxies,
        counters=counters,
        login_throttle=LoginThrottle(counters),
    )
    for part in given:
        shell.add(part)
    return shell


def shell(app: Litestar) -> Shell:
    return cast(Shell, app.state[STATE_KEY])
