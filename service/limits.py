"""Counters for rate limits and connection limits, shared by every replica through Redis.

Litestar's stores offer get/set only, and a read-then-write counter lets concurrent replicas
undercount; these counters are atomic (Lua scripts on Redis, plain dict operations in one
process). Without Redis they live in the process: right for the embedded single process only.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from service.settings import Settings

log = logging.getLogger("walkin.limits")


class Counters(Protocol):
    async def hit(self, key: str, window_s: int) -> tuple[int, int]:
        """Count one more event; (count in the window, seconds until the window ends)."""

    async def block(self, key: str, seconds: int) -> None:
        """Set a lock that lasts `seconds`."""

    async def blocked_for(self, key: str) -> int:
        """Seconds left on a lock (0: none)."""

    async def forget(self, key: str) -> None: ...

    async def join(self, key: str, member: str, limit: int, stale_after_s: float) -> bool:
        """Add a member to a bounded set, dropping members not refreshed for stale_after_s."""

    async def leave(self, key: str, member: str) -> None: ...

    async def close(self) -> None: ...


class MemoryCounters:
    def __init__(self, now: Any = time.monotonic) -> None:
        self._now = now
        self._counts: dict[str, tuple[int, float]] = {}
        self._locks: dict[str, float] = {}
        self._sets: dict[str, dict[str, float]] = {}

    async def hit(self, key: str, window_s: int) -> tuple[int, int]:
        now = self._now()
        count, ends = self._counts.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window_s
        self._counts[key] = (count + 1, ends)
        return count + 1, max(1, math.ceil(ends - now))

    async def block(self, key: str, seconds: int) -> None:
        self._locks[key] = self._now() + seconds

    async def blocked_for(self, key: str) -> int:
        left: float = self._locks.get(key, 0.0) - self._now()
        return max(0, math.ceil(left))

    async def forget(self, key: str) -> None:
        self._counts.pop(key, None)

    async def join(self, key: str, member: str, limit: int, stale_after_s: float) -> bool:
        now = self._now()
        members = {m: t for m, t in self._sets.get(key, {}).items() if now - t < stale_after_s}
        if member not in members and len(members) >= limit:
            self._sets[key] = members
            return False
        members[member] = now
        self._sets[key] = members
        return True

    async def leave(self, key: str, member: str) -> None:
        self._sets.get(key, {}).pop(member, None)

    async def close(self) -> None:
        return None


# INCR with the window's expiry set by the first hit; returns the count and the time left.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""
# Drop stale members, refuse when full, else add or refresh the member.
_JOIN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) and
   redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 60)
return 1
"""


class RedisCounters:
    def __init__(self, url: str, namespace: str = "walkin:limits") -> None:
        from redis.asyncio import Redis

        # Short timeouts: a vanished Redis must fail fast so the fallback takes over.
        self.redis = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        self.namespace = namespace
        self._hit = self.redis.register_script(_HIT)
        self._join = self.redis.register_script(_JOIN)

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def hit(self, key: str, window_s: int) -> tuple[int, int]:
        count, ttl = await self._hit(keys=[self._key(key)], args=[window_s])
        return int(count), max(1, int(ttl))

    async def block(self, key: str, seconds: int) -> None:
        await self.redis.set(self._key(f"lock:{key}"), b"1", ex=max(1, seconds))

    async def blocked_for(self, key: str) -> int:
        return max(0, int(await self.redis.ttl(self._key(f"lock:{key}"))))

    async def forget(self, key: str) -> None:
        await self.redis.delete(self._key(key))

    async def join(self, key: str, member: str, limit: int, stale_after_s: float) -> bool:
        joined = await self._join(
            keys=[self._key(key)], args=[time.time(), stale_after_s, limit, member]
        )
        return bool(joined)

    async def leave(self, key: str, member: str) -> None:
        await self.redis.zrem(self._key(key), member)

    async def close(self) -> None:
        await self.redis.aclose()


class ResilientCounters:
    """Redis counters that fall back to this replica's own while Redis is unreachable.

    Limits then hold per replica instead of across them: weaker, but a Redis outage must not
    stop reception from checking patients in or staff from signing in.
    """

    def __init__(self, primary: RedisCounters, fallback: MemoryCounters | None = None) -> None:
        self.primary = primary
        self.fallback = fallback or MemoryCounters()
        self._warned = False

    def _degraded(self, error: Exception) -> None:
        if not self._warned:
            log.warning("rate-limit counters fall back to this replica: %s", error)
            self._warned = True

    async def _either(self, method: str, *args: Any) -> Any:
        from redis.exceptions import RedisError

        try:
            result = await getattr(self.primary, method)(*args)
        except (RedisError, OSError) as error:
            self._degraded(error)
            return await getattr(self.fallback, method)(*args)
        self._warned = False
        return result

    async def hit(self, key: str, window_s: int) -> tuple[int, int]:
        result: tuple[int, int] = await self._either("hit", key, window_s)
        return result

    async def block(self, key: str, seconds: int) -> None:
        await self._either("block", key, seconds)

    async def blocked_for(self, key: str) -> int:
        result: int = await self._either("blocked_for", key)
        return result

    async def forget(self, key: str) -> None:
        await self._either("forget", key)

    async def join(self, key: str, member: str, limit: int, stale_after_s: float) -> bool:
        result: bool = await self._either("join", key, member, limit, stale_after_s)
        return result

    async def leave(self, key: str, member: str) -> None:
        await self._either("leave", key, member)

    async def close(self) -> None:
        await self.primary.close()


def make_counters(settings: Settings) -> Counters:
    if settings.redis_url:
        # Under the deployment's prefix ("walkin:limits" by default): deployments and test runs
        # sharing a Redis would otherwise share limits, and token ids, which every database
        # numbers from 1, would share connection caps.
        namespace = f"{settings.channel_prefix}:limits"
        return ResilientCounters(RedisCounters(settings.redis_url, namespace=namespace))
    return MemoryCounters()


# --- login attempts -------------------------------------------------------------------------


class LoginThrottle:
    """Progressive delays after failed sign-ins: per username and client, per client, and per
    account across every client.

    A few mistakes cost nothing; after that each failure doubles the wait, up to a cap. The
    per-client count stops one address trying many usernames; the per-username count (joined
    with the client, so an attacker cannot lock a colleague out from elsewhere) stops guessing
    from one address. The per-account count stops guessing one account from many addresses (a
    botnet), and is shaped so that it cannot lock a real user out for long: it allows more free
    failures (a whole centre's tablets mistyping), its delay is capped at `account_cap_s` (a
    minute, not a quarter of an hour), and it does not apply at all to an address this account
    has signed in from in the last `known_for_s` (the centre's own network keeps working while
    someone elsewhere hammers the account). A lock is checked before the password hash is
    computed, so blocked guesses cost no CPU.
    """

    def __init__(
        self,
        counters: Counters,
        *,
        free_per_user: int = 5,
        free_per_client: int = 30,
        free_per_account: int = 20,
        base_s: int = 2,
        cap_s: int = 15 * 60,
        account_cap_s: int = 60,
        window_s: int = 15 * 60,
        known_for_s: int = 30 * 86400,
    ) -> None:
        self.counters = counters
        self.free_per_user = free_per_user
        self.free_per_client = free_per_client
        self.free_per_account = free_per_account
        self.base_s = base_s
        self.cap_s = cap_s
        self.account_cap_s = account_cap_s
        self.window_s = window_s
        self.known_for_s = known_for_s

    def _keys(self, username: str, client: str) -> tuple[str, str]:
        return f"login:user:{self._name(username)}|{client}", f"login:client:{client}"

    @staticmethod
    def _name(username: str) -> str:
        return username.strip().lower()

    def _account_key(self, username: str) -> str:
        return f"login:account:{self._name(username)}"

    def _known_key(self, username: str, client: str) -> str:
        return f"login:known:{self._name(username)}|{client}"

    async def _is_known(self, username: str, client: str) -> bool:
        # A lock key used as a flag with an expiry: "signed in from here lately".
        return await self.counters.blocked_for(self._known_key(username, client)) > 0

    async def retry_after(self, username: str, client: str) -> int:
        """Seconds the caller must wait before trying again (0: may try now)."""
        user_key, client_key = self._keys(username, client)
        wait = max(
            await self.counters.blocked_for(user_key),
            await self.counters.blocked_for(client_key),
        )
        if not await self._is_known(username, client):
            wait = max(wait, await self.counters.blocked_for(self._account_key(username)))
        return wait

    def _delay(self, failures: int, free: int, cap_s: int | None = None) -> int:
        if failures <= free:
            return 0
        return int(min(cap_s or self.cap_s, self.base_s * 2 ** min(failures - free - 1, 20)))

    async def failed(self, username: str, client: str) -> int:
        delay = 0
        user_key, client_key = self._keys(username, client)
        for key, free, cap_s in (
            (user_key, self.free_per_user, self.cap_s),
            (client_key, self.free_per_client, self.cap_s),
            (self._account_key(username), self.free_per_account, self.account_cap_s),
        ):
            failures, _ = await self.counters.hit(key, self.window_s)
            key_delay = self._delay(failures, free, cap_s)
            if key_delay:
                await self.counters.block(key, key_delay)
                delay = max(delay, key_delay)
        return delay

    async def succeeded(self, username: str, client: str) -> None:
        # The account-wide count is left as it is: a success here says nothing about the
        # guesses from elsewhere.
        await self.counters.forget(self._keys(username, client)[0])
        await self.counters.block(self._known_key(username, client), self.known_for_s)


# --- concurrent connections -----------------------------------------------------------------


class TooManyConnections(Exception):
    pass


class ConnectionLimiter:
    """At most `max_per_key` live connections per key (a display token, a session).

    Each connection holds a lease; a lease not refreshed within `stale_after_s` (a replica that
    died without closing its sockets) stops counting, so refresh it on the feed's heartbeat.
    """

    def __init__(
        self, counters: Counters, name: str, max_per_key: int, stale_after_s: float = 90.0
    ) -> None:
        self.counters = counters
        self.name = name
        self.max_per_key = max_per_key
        self.stale_after_s = stale_after_s

    def _key(self, key: str) -> str:
        return f"conn:{self.name}:{key}"

    async def acquire(self, key: str) -> Lease | None:
        lease = Lease(self, key, uuid.uuid4().hex)
        return lease if await lease.refresh() else None

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        """A lease for the life of the block; raises TooManyConnections when the key is full."""
        lease = await self.acquire(key)
        if lease is None:
            raise TooManyConnections(f"too many connections for {self.name} / trop de connexions")
        try:
            yield lease
        finally:
            await lease.release()


class Lease:
    def __init__(self, limiter: ConnectionLimiter, key: str, member: str) -> None:
        self.limiter = limiter
        self.key = key
        self.member = member

    async def refresh(self) -> bool:
        limiter = self.limiter
        return await limiter.counters.join(
            limiter._key(self.key), self.member, limiter.max_per_key, limiter.stale_after_s
        )

    async def release(self) -> None:
        await self.limiter.counters.leave(self.limiter._key(self.key), self.member)
