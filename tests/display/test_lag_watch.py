"""The hub's judgements without a server: events in transit versus lost, screens too slow."""

from __future__ import annotations

import asyncio

import pytest

from display.hub import DisplayHub, FeedTimings, LagWatch, Outgoing, Screen


def test_a_relay_always_a_little_behind_is_not_resynced() -> None:
    watch = LagWatch(grace_s=1.5)
    # Polled every 0.5 s for a minute; each time two newer events are in transit, and what
    # was in transit at the previous poll has arrived since.
    for tick in range(120):
        relayed = 2 * tick
        assert not watch.missed(relayed + 2, relayed, now=tick * 0.5)


def test_an_event_that_never_arrives_is_missed_after_the_grace_period() -> None:
    watch = LagWatch(grace_s=1.5)
    assert not watch.missed(5, 4, now=0.0)
    assert not watch.missed(7, 4, now=1.0)  # newer ones committed, 5 still not here
    assert watch.missed(8, 4, now=1.6)
    assert not watch.missed(8, 8, now=2.0)  # the snapshot caught the relay up


@pytest.mark.timeout(10)
async def test_a_screen_whose_sends_stay_blocked_is_closed_as_too_slow() -> None:
    hub = DisplayHub(shell=None, timings=FeedTimings(send_timeout_s=0.2))  # type: ignore[arg-type]
    screen = Screen(centre_id=1, token_id=None, outbox_limit=8)
    hub.relays[1] = None  # type: ignore[assignment]  # no snapshot is asked for below
    screen.outbox.get_nowait()  # the first snapshot
    screen.offer(Outgoing("message", -1, '{"type": "waits"}'))

    async def never_drains(_: str) -> None:
        await asyncio.Event().wait()  # the client reads nothing: the send never completes

    await asyncio.wait_for(hub.run_sender(screen, never_drains), 5)
    assert screen.closing.result()[0] == 4008
