"""A password check (argon2id, 64 MiB, ~50-100 ms of CPU) must not stall the event loop: during
a burst of sign-ins after a replica dies, feeds and check-ins share that loop."""

from __future__ import annotations

import asyncio

import pytest

from service.accounts import hash_password, password_matches

pytestmark = pytest.mark.timeout(30)


async def test_the_event_loop_keeps_running_during_a_password_check() -> None:
    stored = hash_password("correct horse")
    ticks = 0
    checking = True

    async def ticker() -> None:
        nonlocal ticks
        while checking:
            ticks += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = ticks
    assert await password_matches(stored, "correct horse")
    during_one_check = ticks - before
    assert not await password_matches(stored, "wrong")
    assert not await password_matches(None, "anything")  # an unknown user: same cost, False
    checking = False
    await running
    # Run in the loop, a check would leave the ticker no turn at all until it returned.
    assert during_one_check > 1
