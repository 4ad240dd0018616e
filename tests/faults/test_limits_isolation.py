"""Deployments (and test runs) sharing one Redis do not share limits or connection caps."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from service.limits import ConnectionLimiter, make_counters
from service.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(30)]


async def test_two_deployments_on_one_redis_count_their_own_feeds(
    settings: Settings, redis_url: str | None
) -> None:
    assert redis_url, "the PostgreSQL tier names a Redis"
    run = uuid.uuid4().hex[:8]
    first = make_counters(replace(settings, channel_prefix=f"first-{run}"))
    second = make_counters(replace(settings, channel_prefix=f"second-{run}"))
    try:
        # Both databases number their display tokens from 1.
        mine = await ConnectionLimiter(first, "display", 1).acquire("1")
        theirs = await ConnectionLimiter(second, "display", 1).acquire("1")
        assert mine is not None and theirs is not None
        assert await ConnectionLimiter(first, "display", 1).acquire("1") is None  # still capped
        await mine.release()
        await theirs.release()
    finally:
        await first.close()
        await second.close()
