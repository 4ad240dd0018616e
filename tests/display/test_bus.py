"""The supervised channels plugin: a failing backend is reported and replaced, never silent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable
from dataclasses import replace
from typing import Any

import pytest
from litestar.channels.backends.memory import MemoryChannelsBackend

from service.events import SupervisedChannelsPlugin, make_channels_plugin
from service.settings import Settings

pytestmark = pytest.mark.timeout(10)


class FlakyBackend(MemoryChannelsBackend):
    """A memory backend that fails on demand, like Redis going away."""

    def __init__(self, fail_publish: bool = False, fail_stream: bool = False) -> None:
        super().__init__()
        self.fail_publish = fail_publish
        self.fail_stream = fail_stream

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        if self.fail_publish:
            raise ConnectionError("publish refused")
        await super().publish(data, channels)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        if self.fail_stream:
            raise ConnectionError("connection closed by server")
        async for item in super().stream_events():
            yield item


async def test_a_failed_publish_is_reported_and_the_worker_survives() -> None:
    backend = FlakyBackend(fail_publish=True)
    plugin = SupervisedChannelsPlugin(lambda: backend, arbitrary_channels_allowed=True)
    async with plugin:
        subscriber = await plugin.subscribe(["centre:1"])
        plugin.publish({"seq": 1}, "centre:1")
        await asyncio.sleep(0.05)
        assert not plugin.healthy and "publish refused" in (plugin.last_error or "")
        backend.fail_publish = False
        plugin.publish({"seq": 2}, "centre:1")
        event = await asyncio.wait_for(anext(subscriber.iter_events()), 2)
        assert event == b'{"seq":2}'
        assert plugin.healthy


async def test_a_dead_subscription_is_rebuilt_on_a_fresh_backend() -> None:
    backends = [FlakyBackend(fail_stream=True), FlakyBackend()]
    made: list[FlakyBackend] = []

    def factory() -> FlakyBackend:
        made.append(backends[len(made)])
        return made[-1]

    plugin = SupervisedChannelsPlugin(factory, arbitrary_channels_allowed=True)
    async with plugin:
        subscriber = await plugin.subscribe(["centre:1"])
        for _ in range(100):
            if plugin.generation == 1:
                break
            await asyncio.sleep(0.05)
        assert plugin.generation == 1 and plugin.restarts == 1 and plugin.healthy
        assert made == backends
        plugin.publish({"seq": 1}, "centre:1")  # the new backend knows the channel in use
        event = await asyncio.wait_for(anext(subscriber.iter_events()), 2)
        assert event == b'{"seq":1}'
        status = await plugin.check()
        assert status["backend"] == "memory" and status["state"] == "ok"


@pytest.mark.postgres
async def test_two_deployments_sharing_a_redis_do_not_hear_each_other(
    settings: Settings,
) -> None:
    assert settings.redis_url is not None

    def plugin_for(prefix: str) -> SupervisedChannelsPlugin:
        return make_channels_plugin(replace(settings, channel_prefix=prefix))

    ours, theirs, ours_too = plugin_for("walkin-a"), plugin_for("walkin-b"), plugin_for("walkin-a")
    async with ours, theirs, ours_too:
        listening = await theirs.subscribe([theirs.centre_channel(1)])
        same_deployment = await ours_too.subscribe([ours_too.centre_channel(1)])
        await asyncio.sleep(0.2)  # let both SUBSCRIBEs reach Redis
        ours.publish({"seq": 1}, ours.centre_channel(1))
        event = await asyncio.wait_for(anext(same_deployment.iter_events()), 3)
        assert event == b'{"seq":1}'
        # The other deployment's centre 1 is another centre: nothing reaches it.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(listening.iter_events()), 0.5)
