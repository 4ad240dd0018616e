"""The hub's judgements without a server: events in transit versus lost, screens too slow."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import msgspec
import pytest

from display.hub import CentreRelay, DisplayHub, FeedTimings, LagWatch, Outgoing, Screen


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


class Socket:
    """Writes that complete at once, as a transport with room in its buffer does; or, once
    `full` is set, wait until the client reads (never, here)."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.full = False
        self.blocked: list[str] = []

    async def send(self, text: str) -> None:
        if self.full:
            self.blocked.append(text)
            await asyncio.Event().wait()
        self.written.append(text)


def hub_and_screen(send_timeout_s: float = 5.0) -> tuple[DisplayHub, Screen]:
    hub = DisplayHub(shell=None, timings=FeedTimings(send_timeout_s=send_timeout_s))  # type: ignore[arg-type]
    hub.relays[1] = None  # type: ignore[assignment]  # no snapshot is asked for below
    screen = Screen(centre_id=1, token_id=None, outbox_limit=8)
    screen.backlog.pop(0)  # the first snapshot
    screen.sent_seq = 10
    return hub, screen


def started(hub: DisplayHub, screen: Screen, socket: Socket) -> None:
    hub.serve(screen, socket.send)
    assert screen.sender is None  # nothing to catch up on: no task


@pytest.mark.timeout(10)
async def test_a_broadcast_writes_to_an_idle_screen_without_a_task_switch() -> None:
    hub, screen = hub_and_screen()
    socket = Socket()
    started(hub, screen, socket)
    screen.offer(Outgoing("event", 11, "e11"))
    screen.offer(Outgoing("event", 12, "e12"))
    screen.offer(Outgoing("event", 12, "e12"))  # a duplicate is not sent again
    screen.offer(Outgoing("message", -1, "waits"))
    # No await since the offers: they were written in this task, in order, and no sender
    # task was needed.
    assert socket.written == ["e11", "e12", "waits"]
    assert screen.sent_seq == 12 and not screen.backlog and screen.sender is None


@pytest.mark.timeout(10)
async def test_a_write_that_waits_is_finished_by_the_sender_and_the_rest_queues() -> None:
    hub, screen = hub_and_screen()
    socket = Socket()
    started(hub, screen, socket)
    socket.full = True
    screen.offer(Outgoing("event", 11, "e11"))
    screen.offer(Outgoing("event", 12, "e12"))
    assert socket.blocked == ["e11"] and [m.text for m in screen.backlog] == ["e12"]
    assert screen.blocked_since is not None
    sender = screen.sender
    assert sender is not None  # started to finish the write
    socket.full = False  # cannot unblock e11 (it waits forever): the hub must let it go
    await asyncio.sleep(0.05)
    assert socket.written == [] and screen.sent_seq == 10
    sender.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sender


@pytest.mark.timeout(10)
async def test_a_write_that_waits_then_completes_lets_the_backlog_go_in_order() -> None:
    hub, screen = hub_and_screen()
    room = asyncio.Event()
    written: list[str] = []

    async def send(text: str) -> None:
        if not room.is_set():
            await room.wait()  # the buffer is full until the client reads
        written.append(text)

    hub.serve(screen, send)
    screen.offer(Outgoing("event", 11, "e11"))
    screen.offer(Outgoing("event", 12, "e12"))
    screen.offer(Outgoing("event", 13, "e13"))
    room.set()
    for _ in range(50):
        if len(written) == 3:
            break
        await asyncio.sleep(0.01)
    assert written == ["e11", "e12", "e13"] and screen.sent_seq == 13
    assert screen.blocked_since is None
    await asyncio.sleep(0)
    assert screen.sender is None  # caught up: the sender ended
    screen.offer(Outgoing("event", 14, "e14"))  # idle again: written at once
    assert written[-1] == "e14"


@pytest.mark.timeout(10)
async def test_a_screen_whose_sends_stay_blocked_is_closed_as_too_slow() -> None:
    hub, screen = hub_and_screen(send_timeout_s=0.2)
    socket = Socket()
    started(hub, screen, socket)
    socket.full = True
    screen.offer(Outgoing("message", -1, '{"type": "waits"}'))
    sender = screen.sender
    assert sender is not None
    hub.relays[1] = type("Relay", (), {"screens": {screen}})()  # type: ignore[assignment]
    hub.close_blocked(time.monotonic())
    assert not screen.closing.done()  # blocked, but not for long yet
    await asyncio.sleep(0.3)
    hub.close_blocked(time.monotonic())
    assert screen.closing.result()[0] == 4008
    sender.cancel()


@pytest.mark.timeout(10)
async def test_a_backlog_beyond_its_limit_becomes_one_snapshot() -> None:
    hub, screen = hub_and_screen()
    socket = Socket()
    started(hub, screen, socket)
    socket.full = True
    for seq in range(11, 11 + 12):
        screen.offer(Outgoing("event", seq, f"e{seq}"))
    kinds = [m.kind for m in screen.backlog]
    assert len(kinds) <= 8 and "resync" in kinds
    assert screen.sender is not None
    screen.sender.cancel()


@pytest.mark.timeout(10)
async def test_a_failed_write_from_the_sender_closes_the_screen() -> None:
    hub, screen = hub_and_screen()
    room = asyncio.Event()

    async def send(text: str) -> None:
        await room.wait()
        raise ConnectionResetError("gone")

    hub.serve(screen, send)
    screen.offer(Outgoing("event", 11, "e11"))  # waits: handed over to a sender
    assert screen.sender is not None
    room.set()
    assert await asyncio.wait_for(screen.closing, 1) == (1000, "")
    await asyncio.sleep(0)
    assert screen.sender is None


class Lease:
    def __init__(self) -> None:
        self.refreshed = 0

    async def refresh(self) -> bool:
        self.refreshed += 1
        return True


@pytest.mark.timeout(10)
async def test_the_hub_refreshes_each_screens_lease_once_per_period() -> None:
    hub, screen = hub_and_screen()
    hub.timings = FeedTimings(lease_refresh_s=0.2)
    hub.relays[1] = type("Relay", (), {"screens": {screen}})()  # type: ignore[assignment]
    lease = Lease()
    hub.hold_lease(screen, lease)  # type: ignore[arg-type]
    await hub._refresh_leases()
    assert lease.refreshed == 0  # just acquired
    await asyncio.sleep(0.25)
    await hub._refresh_leases()
    await hub._refresh_leases()
    assert lease.refreshed == 1


@pytest.mark.timeout(10)
async def test_the_waits_message_is_read_once_per_sequence_number_of_the_centre() -> None:
    hub = DisplayHub(shell=None, timings=FeedTimings())  # type: ignore[arg-type]
    relay = CentreRelay(hub, 1)
    reads: list[int] = []
    db_seq = 5

    async def read() -> tuple[int, dict[str, str], dict[str, Any]]:
        reads.append(db_seq)
        return db_seq, {"name": "Paris 11e"}, {"waiting": len(reads)}

    relay._read = read  # type: ignore[method-assign]
    relay.last_seq = 5
    first = await relay._waits_message(refresh=False)
    assert await relay._waits_message(refresh=False) == first  # same number: shared
    assert len(reads) == 1
    db_seq = relay.last_seq = 6  # an event was relayed: the counts changed
    assert await relay._waits_message(refresh=False) != first
    assert len(reads) == 2
    await relay._waits_message(refresh=True)  # the estimates move with the clock
    assert len(reads) == 3
    db_seq = 7
    await relay._build()  # a snapshot's read serves the waits at its number too
    relay.last_seq = 7
    assert msgspec.json.decode(await relay._waits_message(refresh=False))["waiting"] == 4
    assert len(reads) == 4
