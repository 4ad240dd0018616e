"""The per-process relay from the event bus to the screens connected to this replica.

One long-lived bus subscription per centre in use, never dropped while the process lives:
Litestar's channels plugin can lose events when a channel's last subscriber leaves while
another joins (litestar#4894), and there are only a few dozen centres. Each centre has one
worker that forwards events in sequence order, then recomputes the centre's figures once for
the whole batch. Each message is encoded once per centre and the same text written to each of
its screens from the relay's task; a screen that does not read gets a bounded backlog drained
by its own sender, so a slow TV never holds up the others: when it falls behind it gets one
fresh snapshot instead, and when a write stays blocked it is closed (4008).

The database is the truth: a poller compares each centre's Centre.event_seq with what was
relayed and sends a snapshot when the database is ahead, which covers lost pub/sub messages,
a Redis outage and a replica that died between commit and publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
import types
from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import msgspec
from sqlalchemy import select, update

from display.access import Viewer, digest
from display.models import DisplayToken
from display.view import centre_identity, centre_state, load_centre, screen_event
from queues.reads import EstimateCache
from rota.models import Centre
from service.events import SupervisedChannelsPlugin
from service.limits import ConnectionLimiter, Lease
from service.state import Shell

log = logging.getLogger("walkin.display")

encode_json = msgspec.json.Encoder().encode


def to_text(message: dict[str, Any]) -> str:
    return encode_json(message).decode()


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class FeedTimings:
    ping_s: float = 20.0  # server → screen heartbeat
    dead_after_s: float = 65.0  # nothing heard for this long: the screen is gone
    poll_s: float = 2.0  # compare the database's event_seq with what was relayed
    lag_grace_s: float = 1.5  # the bus may be a moment behind the commit: wait before resync
    refresh_s: float = 30.0  # waits change while nothing happens
    send_timeout_s: float = 5.0  # a send blocked this long: the screen cannot keep up
    staff_check_s: float = 5.0  # how soon a signed-out or expired session's feeds close
    lease_refresh_s: float = 30.0  # connection-cap leases go stale after 90 s unrefreshed
    outbox_limit: int = 64
    snapshot_max_age_s: float = 1.0  # screens connecting together share one database read
    waits_min_gap_s: float = 1.0  # a burst of events brings one recount, not one per event
    last_seen_every_s: float = 60.0

    @classmethod
    def from_env(cls) -> FeedTimings:
        """Defaults, overridable for tests and load runs (WALKIN_DISPLAY_*_S)."""
        base = cls()
        return cls(
            ping_s=_env_float("WALKIN_DISPLAY_PING_S", base.ping_s),
            dead_after_s=_env_float("WALKIN_DISPLAY_DEAD_S", base.dead_after_s),
            poll_s=_env_float("WALKIN_DISPLAY_POLL_S", base.poll_s),
            refresh_s=_env_float("WALKIN_DISPLAY_REFRESH_S", base.refresh_s),
        )


class Outgoing(NamedTuple):
    kind: str  # "event" (ordered by seq), "snapshot", "resync" (send one), "message"
    seq: int
    text: str


def resync(min_seq: int = -1) -> Outgoing:
    """A snapshot at least as new as min_seq and as what was relayed; may be shared."""
    return Outgoing("resync", min_seq, "")


# The screen asked: it may know of a change this replica has not seen, so read the database.
FRESH_SNAPSHOT = Outgoing("fresh", -1, "")


Send = Callable[[str], Coroutine[Any, Any, None]]


@types.coroutine
def _carry_on(coro: Coroutine[Any, Any, None], waiting_on: Any) -> Generator[Any, Any, None]:
    """Finish, in the calling task, a coroutine that was started outside any task.

    What `yield from coro` does, for a coroutine that has already yielded `waiting_on` (the
    future it waits for) to its first caller: the task running this generator now waits for
    that future and resumes the coroutine, passing it cancellation too.
    """
    yielded = waiting_on
    while True:
        try:
            value = yield yielded
        except BaseException as exc:
            try:
                yielded = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                yielded = coro.send(value)
            except StopIteration:
                return


class Screen:
    """One connected screen: what it was last sent, and what is waiting to be sent to it.

    A relay's broadcast writes an event to a screen whose sender is idle straight away, from
    the relay's own task: the same text for every screen of the centre, no queue, no timer,
    no task switch per screen (these cost more than the write itself with thousands of
    screens). Only when the client is not reading does a write wait (the transport's buffer
    is full): a sender task is then started for the screen, it takes that write over, later
    messages queue in a bounded backlog, and the sender ends when the backlog is empty. The
    hub closes the screen when a write stays blocked too long. An idle screen has no task of
    its own but its receiver: thousands of screens, each with a sender and a lease task
    waiting, cost a few KiB apiece (bench/bench_display.py).

    Without a sender (``serve``), a consumer takes the backlog with ``next()`` instead.
    """

    __slots__ = (
        "_drain",
        "_idle",
        "account_id",
        "backlog",
        "backlog_limit",
        "blocked_since",
        "centre_id",
        "closing",
        "handed_over",
        "last_heard",
        "lease",
        "lease_due",
        "next_ping",
        "send",
        "sender",
        "sent_seq",
        "still_allowed",
        "token_id",
    )

    def __init__(self, centre_id: int, token_id: int | None, outbox_limit: int) -> None:
        self.centre_id = centre_id
        self.token_id = token_id
        # A list, not a deque: it is nearly always empty, and an empty deque is 0.6 KiB.
        self.backlog: list[Outgoing] = []
        self.backlog_limit = outbox_limit
        self.sent_seq = -1
        self.last_heard = time.monotonic()
        self.next_ping = 0.0  # set by the hub, spread over the interval
        self.closing: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()
        # For a staff member's feed: whether their session still lets them watch, and whose.
        self.still_allowed: Callable[[], Awaitable[bool]] | None = None
        self.account_id: int | None = None
        # The connection-cap lease the hub refreshes, and when next.
        self.lease: Lease | None = None
        self.lease_due = 0.0
        # Set by `DisplayHub.serve`: offers may then write directly while no sender runs.
        self.send: Send | None = None
        self._drain: Callable[[Screen], Coroutine[Any, Any, None]] | None = None
        self.sender: asyncio.Task[None] | None = None  # only while there is a backlog
        self.blocked_since: float | None = None  # a write is waiting for the client to read
        self.handed_over: tuple[Coroutine[Any, Any, None], Any, Outgoing] | None = None
        self._idle: asyncio.Future[None] | None = None  # `next()` waits on it
        self.offer(resync())  # the first thing a screen gets is a snapshot

    def offer(self, item: Outgoing) -> None:
        if self.sender is None and self.send is not None and self._write_now(item):
            return
        if len(self.backlog) >= self.backlog_limit:
            # Too slow to keep up: forget the backlog, send one snapshot when it can take it.
            self.backlog.clear()
            item = resync()
        self.backlog.append(item)
        self._wake()

    def step(self, item: Outgoing) -> Outgoing | None:
        """What sending `item` means now: itself, a resync for a gap, or nothing."""
        if item.kind == "event":
            if item.seq <= self.sent_seq:
                return None
            if item.seq != self.sent_seq + 1:
                return resync(item.seq)
        elif item.kind == "snapshot" and item.seq <= self.sent_seq:
            return None  # broadcast to all: this screen has it already
        return item

    def sent(self, item: Outgoing) -> None:
        if item.kind in ("event", "snapshot"):
            self.sent_seq = item.seq

    def _write_now(self, item: Outgoing) -> bool:
        """Write from the caller's task; False when the sender must do it (a snapshot read)."""
        assert self.send is not None
        step = self.step(item)
        if step is None:
            return True
        if step.kind in ("resync", "fresh"):
            return False
        write = self.send(step.text)
        try:
            waiting_on = write.send(None)
        except StopIteration:
            self.sent(step)  # the usual case: written to the transport without waiting
            return True
        except Exception as exc:  # the client went away
            log.debug("screen write failed: %r", exc)
            self.close(1000, "")
            return True
        # The transport's buffer is full: the sender finishes this write, the rest queues.
        self.handed_over = (write, waiting_on, step)
        self.blocked_since = time.monotonic()
        self._wake()
        return True

    def _wake(self) -> None:
        if self._idle is not None:
            if not self._idle.done():
                self._idle.set_result(None)
            self._idle = None
        elif self._drain is not None and self.sender is None and not self.closing.done():
            self.sender = asyncio.get_running_loop().create_task(self._drain(self))

    async def next(self) -> Outgoing:
        """The next message in the backlog, waiting (idle) for one (screens without sender)."""
        while not self.backlog:
            self._idle = asyncio.get_running_loop().create_future()
            await self._idle
        return self.backlog.pop(0)

    def close(self, code: int, reason: str) -> None:
        if not self.closing.done():
            self.closing.set_result((code, reason))


@dataclass
class LagWatch:
    """Tells events still in transit from events that will never come.

    Under steady load the database is nearly always a little ahead of what was relayed, each
    time by other events: counting how long it has been ahead brought a full snapshot every
    grace period to every screen. What counts is whether the sequence number seen in the
    database reached the relay within the grace period.
    """

    grace_s: float
    awaited: int | None = None  # a sequence number committed but not relayed when polled
    since: float = 0.0

    def missed(self, db_seq: int, relayed_seq: int, now: float) -> bool:
        """True when `awaited` has not arrived within the grace period: resync."""
        if db_seq <= relayed_seq:
            self.awaited = None
            return False
        if self.awaited is None or relayed_seq >= self.awaited:
            self.awaited, self.since = db_seq, now  # what was awaited came: watch the newest
            return False
        if now - self.since < self.grace_s:
            return False
        self.awaited = None
        return True

    def forget(self) -> None:
        self.awaited = None


class Built(NamedTuple):
    seq: int
    text: str
    at: float


REFRESH = "refresh"
SNAPSHOT = "snapshot"


class CentreRelay:
    def __init__(self, hub: DisplayHub, centre_id: int) -> None:
        self.hub = hub
        self.centre_id = centre_id
        self.screens: set[Screen] = set()
        self.last_seq = -1  # highest sequence number relayed to screens
        self.lag = LagWatch(hub.timings.lag_grace_s)
        # Timers are spread over their period, so that thousands of screens are not all
        # pinged, nor dozens of centres all recounted, in the same instant.
        self.next_refresh = time.monotonic() + random.uniform(0, hub.timings.refresh_s)
        self._last_waits = 0.0
        self._waits_due: asyncio.TimerHandle | None = None
        self._inbox: asyncio.Queue[bytes | str] = asyncio.Queue(1000)
        self._snapshot: Built | None = None
        self._waits: Built | None = None  # the waits message, for the sequence number read
        self._building: asyncio.Task[Built] | None = None
        self._waits_reading: asyncio.Task[None] | None = None
        self._waits_again = False
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._work(), name=f"relay-{self.centre_id}"))
        try:
            subscriber = await self.hub.channels.subscribe(
                [self.hub.channels.centre_channel(self.centre_id)]
            )
        except Exception:  # the bus is down: the plugin re-subscribes when it is back
            log.exception("subscribing to centre %s failed; relying on the poller", self.centre_id)
            return
        self._tasks.append(asyncio.create_task(self._pump(subscriber.iter_events())))

    async def stop(self) -> None:
        if self._waits_due is not None:
            self._waits_due.cancel()
        if self._waits_reading is not None:
            self._tasks.append(self._waits_reading)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def trigger(self, what: str | bytes) -> None:
        try:
            self._inbox.put_nowait(what)
        except asyncio.QueueFull:
            # Cannot keep up with the bus: drop the backlog, the snapshot covers it.
            while not self._inbox.empty():
                self._inbox.get_nowait()
            self._inbox.put_nowait(SNAPSHOT)

    async def _pump(self, events: Any) -> None:
        async for payload in events:
            self.trigger(payload)

    async def _work(self) -> None:
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            forwarded = any([self._forward(item) for item in batch if isinstance(item, bytes)])
            if not self.screens:
                continue
            try:
                if SNAPSHOT in batch:
                    built = await self.snapshot(self.last_seq, fresh=True)
                    self.broadcast(Outgoing("snapshot", built.seq, built.text))
                elif REFRESH in batch or (forwarded and self._waits_may_go_now()):
                    self._send_waits(refresh=REFRESH in batch)
            except Exception:  # the database may be away for a moment; the next tick retries
                log.exception("refreshing centre %s failed", self.centre_id)

    def _send_waits(self, *, refresh: bool) -> None:
        """Read and send the waits message beside the relay's work, not in it: awaited here,
        each read (a few database round trips and the estimate) held back the events behind
        it, and at 20 events/s over 50 centres screens got them ~0.7 s late at the median
        (bench/bench_display.py). A read asked for while one runs follows it, once."""
        if self._waits_reading is not None and not self._waits_reading.done():
            self._waits_again = True
            return
        self._last_waits = time.monotonic()
        self._waits_reading = asyncio.create_task(self._read_and_send_waits(refresh))

    async def _read_and_send_waits(self, refresh: bool) -> None:
        while True:
            self._waits_again = False
            try:
                text = await self._waits_message(refresh=refresh)
                self.broadcast(Outgoing("message", -1, text))
            except Exception:  # the database may be away for a moment; the next tick retries
                log.exception("refreshing centre %s failed", self.centre_id)
            if not self._waits_again:
                return
            self._last_waits = time.monotonic()

    def _waits_may_go_now(self) -> bool:
        wait = self._last_waits + self.hub.timings.waits_min_gap_s - time.monotonic()
        if wait <= 0:
            return True
        if self._waits_due is None or self._waits_due.cancelled():
            self._waits_due = asyncio.get_running_loop().call_later(wait, self._waits_timer)
        return False

    def _waits_timer(self) -> None:
        self._waits_due = None
        self.trigger(REFRESH)

    def _forward(self, payload: bytes) -> bool:
        try:
            event = msgspec.json.decode(payload)
            seq = event["seq"]
        except (msgspec.DecodeError, KeyError, TypeError):
            log.warning("ignoring a malformed event on centre %s", self.centre_id)
            return False
        if not isinstance(seq, int) or seq <= self.last_seq:
            return False  # already covered by a snapshot, or a duplicate
        self.last_seq = seq
        self.broadcast(Outgoing("event", seq, to_text(screen_event(event))))
        return True

    def broadcast(self, item: Outgoing) -> None:
        for screen in self.screens:
            screen.offer(item)

    async def snapshot(self, min_seq: int, *, fresh: bool = False) -> Built:
        """A snapshot at least as new as min_seq and as what was relayed; reads shared."""
        cached = self._snapshot
        if (
            not fresh
            and cached is not None
            and cached.seq >= max(min_seq, self.last_seq)
            and time.monotonic() - cached.at < self.hub.timings.snapshot_max_age_s
        ):
            return cached
        if fresh and self._building is not None and not self._building.done():
            await asyncio.shield(self._building)  # started before the request: not fresh
        for _ in range(2):
            if self._building is None or self._building.done():
                self._building = asyncio.create_task(self._build())
            built = await asyncio.shield(self._building)
            if built.seq >= min_seq:
                return built
            self._building = None  # read before that change committed: read again
        return built

    async def _build(self) -> Built:
        seq, identity, view = await self._read()
        self._keep_waits(seq, view)
        built = Built(
            seq,
            to_text({"type": "snapshot", "seq": seq, "centre": identity, **view}),
            time.monotonic(),
        )
        self._snapshot = built
        if seq > self.last_seq:
            # Changes no event brought (lost, or not yet arrived): every screen needs them,
            # not only the one that asked, or the poller would think them all up to date.
            self.last_seq = seq
            self.broadcast(Outgoing("snapshot", seq, built.text))
        return built

    async def _waits_message(self, *, refresh: bool) -> str:
        """The waits message: read and estimated once per sequence number of the centre.

        Events relayed since the last read change the counts: read again. Otherwise (a
        snapshot read at the same number, duplicate events) every screen gets the text
        already built; only the periodic refresh reads again at the same number, since the
        estimates move with the clock.
        """
        cached = self._waits
        if not refresh and cached is not None and cached.seq >= self.last_seq:
            return cached.text
        seq, _, view = await self._read()
        return self._keep_waits(seq, view).text

    def _keep_waits(self, seq: int, view: dict[str, Any]) -> Built:
        built = Built(seq, to_text({"type": "waits", **view}), time.monotonic())
        if self._waits is None or seq >= self._waits.seq:
            self._waits = built
        return built

    async def _read(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """The centre's sequence number, identity and what its screens show, from the database."""
        # Not bounded by a semaphore: a relay forwards its next events only after this read,
        # and waiting for a read slot tripled the screens' latency tail (bench_display).
        async with self.hub.db_session() as session:
            now = self.hub.clock()
            centre = await load_centre(session, self.centre_id)
            if centre is None:
                raise LookupError(f"centre {self.centre_id} is gone")
            # The sequence number is read before the tickets: the state is then at least as
            # new as the number, and any later event is applied on top of it by screens.
            seq = centre.event_seq
            state = await centre_state(session, centre, now, self.hub.estimates)
        view = {**state, "server_time": now.isoformat(), "live": self.hub.channels.healthy}
        return seq, centre_identity(centre), view


@dataclass
class DisplayHub:
    shell: Shell
    timings: FeedTimings
    relays: dict[int, CentreRelay] = field(default_factory=dict)
    # Feed handshakes reading the database at once; the pool has 15 connections by default.
    handshakes: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    _loops: list[asyncio.Task[None]] = field(default_factory=list)
    _bus_generation: int = 0
    _bus_live: bool = True
    _last_seen_written: float = 0.0
    _staff_checked: float = 0.0
    _caps: tuple[ConnectionLimiter, ConnectionLimiter] | None = None

    @property
    def channels(self) -> SupervisedChannelsPlugin:
        return self.shell.channels

    def clock(self) -> datetime:
        return self.shell.clock()

    def db_session(self) -> Any:
        return self.shell.db.get_session()

    @property
    def estimates(self) -> EstimateCache:
        """The app's wait estimates, shared with reception and the public board."""
        return self.shell.part(EstimateCache)

    def start(self) -> None:
        for loop, period in (
            (self._poll, self.timings.poll_s),
            (self._heartbeat, min(1.0, self.timings.ping_s)),
            (self._refresh, min(1.0, self.timings.refresh_s)),
            (self._refresh_leases, 1.0),
        ):
            self._loops.append(asyncio.create_task(self._every(period, loop)))

    async def stop(self) -> None:
        for relay in self.relays.values():
            for screen in relay.screens:
                screen.close(1012, "service restarting")
        tasks = [*self._loops]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for relay in self.relays.values():
            await relay.stop()

    async def _every(self, period: float, work: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(period)
            try:
                await work()
            except Exception:  # a loop that dies would leave screens stale for weeks
                log.exception("display loop %s failed", work.__name__)

    # --- screens --------------------------------------------------------------------------

    async def attach(self, screen: Screen) -> CentreRelay:
        relay = self.relays.get(screen.centre_id)
        if relay is None:
            relay = self.relays[screen.centre_id] = CentreRelay(self, screen.centre_id)
            await relay.start()
        screen.next_ping = time.monotonic() + random.uniform(0, self.timings.ping_s)
        relay.screens.add(screen)
        return relay

    def detach(self, screen: Screen) -> None:
        relay = self.relays.get(screen.centre_id)
        if relay is not None:
            relay.screens.discard(screen)

    def screens(self) -> list[Screen]:
        return [screen for relay in self.relays.values() for screen in relay.screens]

    def feed_count(self) -> float:
        """Screens and staff pages connected to this replica (for /metrics)."""
        return float(sum(len(relay.screens) for relay in self.relays.values()))

    def relay_lag(self) -> float:
        """Seconds the oldest awaited event has been committed but not relayed (/metrics)."""
        now = time.monotonic()
        waiting = [now - r.lag.since for r in self.relays.values() if r.lag.awaited is not None]
        return max(waiting, default=0.0)

    def _limiters(self) -> tuple[ConnectionLimiter, ConnectionLimiter]:
        if self._caps is None:
            settings, counters = self.shell.settings, self.shell.counters
            self._caps = (
                ConnectionLimiter(counters, "display", settings.feeds_per_display_token),
                ConnectionLimiter(counters, "staff", settings.feeds_per_staff_session),
            )
        return self._caps

    async def admit(self, viewer: Viewer, session_id: str | None) -> Lease | None:
        """A lease under the viewer's cap (shared by replicas through Redis), or None."""
        per_token, per_session = self._limiters()
        if viewer.token_id is not None:
            return await per_token.acquire(str(viewer.token_id))
        # The session id is a credential: the counters (in Redis) see only its digest.
        return await per_session.acquire(digest(session_id or "")[:32])

    def hold_lease(self, screen: Screen, lease: Lease) -> None:
        """Refresh the screen's lease from the hub's timer (one loop, not a task per screen)."""
        screen.lease = lease
        screen.lease_due = time.monotonic() + self.timings.lease_refresh_s

    async def _refresh_leases(self) -> None:
        now = time.monotonic()
        for screen in self.screens():
            if screen.lease is not None and now >= screen.lease_due:
                screen.lease_due = now + self.timings.lease_refresh_s
                with contextlib.suppress(Exception):  # Redis away: the fallback counts
                    await screen.lease.refresh()

    def close_account(self, account_id: int) -> None:
        """The account's sessions ended (disabled, new password): its feeds close now."""
        for screen in self.screens():
            if screen.account_id == account_id:
                screen.close(4401, "session ended / session terminée")

    def close_token(self, token_id: int, reason: str = "display token revoked") -> None:
        for screen in self.screens():
            if screen.token_id == token_id:
                screen.close(4403, reason)

    def serve(self, screen: Screen, send: Send) -> None:
        """Write to the screen through `send` from now on: directly while it keeps up, through
        a sender task while it has a backlog (the first snapshot, a resync, a slow client)."""
        screen.send = send
        screen._drain = self._drain
        if screen.backlog or screen.handed_over is not None:
            screen._wake()

    async def _drain(self, screen: Screen) -> None:
        """Send what the screen's writes left over, in sequence order (a gap becomes one
        fresh snapshot), then end. A failed write closes the screen."""
        try:
            relay = self.relays[screen.centre_id]
            send = screen.send
            assert send is not None
            while True:
                if screen.handed_over is not None:
                    write, waiting_on, done = screen.handed_over
                    await _carry_on(write, waiting_on)
                    screen.handed_over = None
                    screen.blocked_since = None
                    screen.sent(done)
                if not screen.backlog:
                    return
                step = screen.step(screen.backlog.pop(0))
                if step is None:
                    continue
                if step.kind in ("resync", "fresh"):
                    # Asked for: sent even at the same seq, never older than the screen has.
                    built = await relay.snapshot(step.seq, fresh=step.kind == "fresh")
                    if built.seq < screen.sent_seq:
                        continue
                    step = Outgoing("snapshot", built.seq, built.text)
                screen.blocked_since = time.monotonic()
                await send(step.text)
                screen.blocked_since = None
                screen.sent(step)
        except Exception as exc:  # the client went away, or the database (it reconnects)
            log.debug("screen feed ended: %r", exc)
            screen.close(1000, "")
        finally:
            screen.sender = None

    def close_blocked(self, now: float) -> None:
        """Screens whose write has waited too long for them to read: let them go.

        Their backlog fills the kernel's and the server's buffers; they reconnect and start
        again from a snapshot. One check a second instead of a timer around every write.
        """
        for screen in self.screens():
            since = screen.blocked_since
            if since is not None and now - since > self.timings.send_timeout_s:
                screen.close(4008, "too slow to keep up / écran trop lent")

    # --- timers ---------------------------------------------------------------------------

    async def _heartbeat(self) -> None:
        now = time.monotonic()
        self.close_blocked(now)
        ping = Outgoing("message", -1, to_text({"type": "ping", "t": self.clock().isoformat()}))
        for screen in self.screens():
            if now - screen.last_heard > self.timings.dead_after_s:
                screen.close(4408, "no pong / heartbeat timeout")
            elif now >= screen.next_ping:
                screen.next_ping = now + self.timings.ping_s
                screen.offer(ping)

    async def _refresh(self) -> None:
        now = time.monotonic()
        for relay in self.relays.values():
            if relay.screens and now >= relay.next_refresh:
                relay.next_refresh = now + self.timings.refresh_s
                relay.trigger(REFRESH)

    async def _poll(self) -> None:
        """Resync centres whose database sequence is ahead; close revoked screens."""
        watched = {cid: relay for cid, relay in self.relays.items() if relay.screens}
        if not watched:
            return
        bus = self.channels
        bus_changed = bus.generation != self._bus_generation or bus.healthy != self._bus_live
        self._bus_generation, self._bus_live = bus.generation, bus.healthy
        async with self.db_session() as session:
            rows = await session.execute(
                select(Centre.id, Centre.event_seq).where(Centre.id.in_(watched))
            )
            now = time.monotonic()
            for centre_id, db_seq in rows.all():
                relay = watched[centre_id]
                relay.lag.grace_s = self.timings.lag_grace_s
                if db_seq <= relay.last_seq:
                    relay.lag.forget()
                    if bus_changed:
                        relay.trigger(REFRESH)  # tells screens whether updates are live
                    continue
                if not bus.healthy or bus_changed:
                    relay.lag.forget()  # no event will come, or some were lost in a switch
                    relay.trigger(SNAPSHOT)
                elif relay.lag.missed(db_seq, relay.last_seq, now):
                    relay.trigger(SNAPSHOT)
            await self._check_tokens(session)
        # Outside the block above: each check reads the database on its own.
        await self._check_staff()

    async def _check_staff(self) -> None:
        """Close the feeds of staff signed out, expired or disabled (as revoked tokens)."""
        if time.monotonic() - self._staff_checked < self.timings.staff_check_s:
            return
        self._staff_checked = time.monotonic()
        for screen in self.screens():
            if screen.still_allowed is not None and not await screen.still_allowed():
                screen.close(4401, "session ended / session terminée")

    async def _check_tokens(self, session: Any) -> None:
        token_ids = {s.token_id for s in self.screens() if s.token_id is not None}
        if not token_ids:
            return
        valid = set(
            (
                await session.execute(
                    select(DisplayToken.id).where(
                        DisplayToken.id.in_(token_ids), DisplayToken.revoked_at.is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
        for token_id in token_ids - valid:
            self.close_token(token_id)
        if valid and time.monotonic() - self._last_seen_written >= self.timings.last_seen_every_s:
            self._last_seen_written = time.monotonic()
            async with self.shell.gate.hold():
                await session.execute(
                    update(DisplayToken)
                    .where(DisplayToken.id.in_(valid))
                    .values(last_seen_at=self.clock())
                )
                await session.commit()
