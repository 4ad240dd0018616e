"""The poller's judgement of events in transit versus events lost (display.hub.LagWatch)."""

from __future__ import annotations

from display.hub import LagWatch


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
