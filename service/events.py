"""The event bus: after a change commits, its event goes out on the centre's channel.

Litestar's channels plugin carries events: Redis pub/sub when a Redis URL is configured, so
that every replica relays every centre's events; an in-process backend otherwise.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend

from service.settings import Settings

log = logging.getLogger(__name__)


def centre_channel(centre_id: int) -> str:
    return f"centre:{centre_id}"


def make_channels_backend(settings: Settings) -> ChannelsBackend:
    if settings.redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        # A fresh backend per app: the pub/sub backend cannot be restarted once stopped.
        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    return MemoryChannelsBackend()


def make_channels_plugin(settings: Settings) -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=make_channels_backend(settings),
        arbitrary_channels_allowed=True,
        # A slow screen must not grow memory without bound: drop its oldest events; it
        # notices the gap in sequence numbers and asks for a snapshot.
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


class EventBus:
    def __init__(self, channels: ChannelsPlugin) -> None:
        self._channels = channels

    def publish(self, centre_id: int, event: dict[str, Any]) -> None:
        """Queue an event for the centre's channel. Call only after the change committed.

        Never raises: the change is already committed and acknowledged, and screens that miss
        the event catch up from the database through the sequence number.
        """
        try:
            self._channels.publish(event, channels=[centre_channel(centre_id)])
        except Exception:
            log.exception("could not publish %s for centre %s", event.get("type"), centre_id)
