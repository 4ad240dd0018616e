"""The event bus: after a change commits, its event goes out on the centre's channel.

Litestar's channels plugin carries events: Redis pub/sub when a Redis URL is configured, so
that every replica relays every centre's events; an in-process backend otherwise.

Redis pub/sub keeps no history and the plugin's publish and subscribe workers are bare tasks
that die on the first Redis error (see ECOSYSTEM.md). `SupervisedChannelsPlugin` keeps them
alive: a failed publish is dropped and reported, a failed subscription is rebuilt on a fresh
backend once Redis answers again. Events lost meanwhile are recovered by the readers from the
database (every change bumps Centre.event_seq), so the bus only has to say when it was down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from service.settings import Settings

log = logging.getLogger("walkin.events")

BackendFactory = Callable[[], ChannelsBackend]
RECONNECT_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0)


def centre_channel(prefix: str, centre_id: int) -> str:
    # The prefix is in the channel name itself: Litestar's pub/sub backend applies its
    # key_prefix only to stream keys, so two deployments (or test runs) sharing a Redis
    # would otherwise hear each other's "centre:1".
    return f"{prefix}:centre:{centre_id}"


def make_channels_backend(settings: Settings) -> ChannelsBackend:
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        # A fresh backend per app (and per reconnection): the pub/sub backend cannot be
        # restarted once stopped. The timeouts make a vanished Redis an error, not a hang.
        return RedisChannelsPubSubBackend(
            redis=Redis.from_url(
                settings.redis_url,
                socket_connect_timeout=2,
                socket_timeout=5,
                health_check_interval=15,
            ),
            key_prefix=f"{settings.channel_prefix}:channels",
        )
    return MemoryChannelsBackend()


class SupervisedChannelsPlugin(ChannelsPlugin):
    """The channels plugin with workers that survive backend errors and report them.

    Overrides the plugin's private worker coroutines (Litestar 2.x is pinned below 3).
    """

    def __init__(
        self, backend_factory: BackendFactory, *, channel_prefix: str = "walkin", **kwargs: Any
    ) -> None:
        super().__init__(backend=backend_factory(), **kwargs)
        self.channel_prefix = channel_prefix
        self._backend_factory = backend_factory
        self.down_since: float | None = None
        self.last_error: str | None = None
        # Bumped each time the subscription is rebuilt: readers then resync from the database.
        self.generation = 0
        self.restarts = 0
        self._rebuilding = False

    def centre_channel(self, centre_id: int) -> str:
        return centre_channel(self.channel_prefix, centre_id)

    @property
    def healthy(self) -> bool:
        return self.down_since is None

    def _mark_down(self, exc: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.time()
            log.warning("event bus down: %r", exc)
        self.last_error = f"{type(exc).__name__}: {exc}"[:200]

    def _mark_up(self) -> None:
        if self.down_since is not None:
            log.warning("event bus back after %.1f s", time.time() - self.down_since)
            self.down_since = None

    async def _pub_worker(self) -> None:
        while self._pub_queue:
            data, channels = await self._pub_queue.get()
            try:
                await self._backend.publish(data, channels)
                if not self._rebuilding:
                    self._mark_up()
            except Exception as exc:  # any backend failure: drop and report
                # Dropped, not retried: readers notice the sequence gap and read the database.
                self._mark_down(exc)
            finally:
                self._pub_queue.task_done()

    async def _sub_worker(self) -> None:
        while True:
            try:
                async for channel, payload in self._backend.stream_events():
                    for subscriber in self._channels.get(channel, []):
                        subscriber.put_nowait(payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._mark_down(exc)
                await self._rebuild_backend()

    async def _rebuild_backend(self) -> None:
        """A new backend subscribed to every channel in use, once the server answers."""
        self._rebuilding = True
        attempt = 0
        while True:
            await asyncio.sleep(RECONNECT_DELAYS_S[min(attempt, len(RECONNECT_DELAYS_S) - 1)])
            attempt += 1
            backend = self._backend_factory()
            try:
                await backend.on_startup()
                in_use = [name for name, subscribers in self._channels.items() if subscribers]
                if in_use:
                    await backend.subscribe(in_use)
            except Exception as exc:
                self._mark_down(exc)
                with suppress(Exception):
                    await backend.on_shutdown()
                continue
            old, self._backend = self._backend, backend
            with suppress(Exception):
                await old.on_shutdown()
            self.restarts += 1
            self.generation += 1
            self._rebuilding = False
            self._mark_up()
            return

    async def check(self) -> dict[str, Any]:
        """The bus state for /health; with Redis, asks the server itself."""
        redis = getattr(self._backend, "_redis", None)
        if redis is not None:
            try:
                async with asyncio.timeout(1):
                    await redis.ping()
                if not self._rebuilding:
                    self._mark_up()
            except Exception as exc:
                self._mark_down(exc)
        return {
            "backend": "redis" if redis is not None else "memory",
            "state": "ok" if self.healthy else "down",
            "down_since": self.down_since,
            "last_error": self.last_error,
            "restarts": self.restarts,
        }


def make_channels_plugin(settings: Settings) -> SupervisedChannelsPlugin:
    return SupervisedChannelsPlugin(
        lambda: make_channels_backend(settings),
        channel_prefix=settings.channel_prefix,
        arbitrary_channels_allowed=True,
        # A subscriber that stops draining (a stuck centre relay, display/hub.py) must not
        # grow memory without bound: drop its oldest events; the gap in sequence numbers
        # makes screens ask for a snapshot. Screens themselves never subscribe here.
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


class EventBus:
    def __init__(self, channels: SupervisedChannelsPlugin) -> None:
        self._channels = channels

    def publish(self, centre_id: int, event: dict[str, Any]) -> None:
        """Queue an event for the centre's channel. Call only after the change committed.

        Never raises: the change is already committed and acknowledged, and screens that miss
        the event catch up from the database through the sequence number.
        """
        try:
            self._channels.publish(event, channels=[self._channels.centre_channel(centre_id)])
        except Exception:
            log.exception("could not publish %s for centre %s", event.get("type"), centre_id)
