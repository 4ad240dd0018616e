"""Brute force, floods, oversized bodies and too many sockets are cut short."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.limits import (
    ConnectionLimiter,
    LoginThrottle,
    MemoryCounters,
    TooManyConnections,
    make_counters,
)
from service.proxy import TrustedProxies
from service.settings import Settings
from tests.conftest import PASSWORD, FakeClock, StaffClients

pytestmark = pytest.mark.timeout(60)


async def _login(client: httpx.AsyncClient, ip: str, username: str, password: str) -> Any:
    return await client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": ip},
    )


async def test_guessing_one_password_is_slowed_then_refused(
    clients: StaffClients, client_ip: str
) -> None:
    browser = await clients()
    statuses = [
        (await _login(browser, client_ip, "doctor-lyon", f"guess-{n}")).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 6
    blocked = await _login(browser, client_ip, "doctor-lyon", PASSWORD)
    assert blocked.status_code == 429  # even the right password waits: no oracle
    assert int(blocked.headers["retry-after"]) >= 1
    assert "try again" in blocked.json()["detail"]
    # The same account from another address is not locked out by the attacker.
    other_ip = client_ip.rsplit(".", 1)[0] + ".1" if not client_ip.endswith(".1") else "10.9.9.9"
    assert (await _login(browser, other_ip, "doctor-lyon", PASSWORD)).status_code == 200


async def test_one_address_trying_many_usernames_is_refused(
    clients: StaffClients, client_ip: str
) -> None:
    browser = await clients()
    for n in range(31):  # 30 free failures, and the one that starts the delay
        response = await _login(browser, client_ip, f"nobody-{n}", "x")
        assert response.status_code == 401, n
    refused = await _login(browser, client_ip, "nobody-else", "x")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


async def test_delays_double_after_the_free_attempts() -> None:
    now = [0.0]
    throttle = LoginThrottle(MemoryCounters(now=lambda: now[0]), free_per_user=2, base_s=2)
    delays = [await throttle.failed("alice", "1.2.3.4") for _ in range(6)]
    assert delays == [0, 0, 2, 4, 8, 16]
    assert await throttle.retry_after("alice", "1.2.3.4") == 16
    now[0] += 16
    assert await throttle.retry_after("alice", "1.2.3.4") == 0
    await throttle.succeeded("alice", "1.2.3.4")
    assert await throttle.failed("alice", "1.2.3.4") == 0  # a success starts the count again


@pytest.mark.postgres
async def test_the_login_limit_is_shared_by_two_replicas(
    clients: StaffClients, settings: Settings, clock: FakeClock, client_ip: str
) -> None:
    assert settings.redis_url
    second = StaffClients(create_app(settings, clock=clock))
    await second.start()
    try:
        first_replica, second_replica = await clients(), await second()
        for n in range(6):
            replica = first_replica if n % 2 else second_replica
            assert (
                await _login(replica, client_ip, "reception-lyon", f"no-{n}")
            ).status_code == 401
        for replica in (first_replica, second_replica):
            response = await _login(replica, client_ip, "reception-lyon", PASSWORD)
            assert response.status_code == 429
    finally:
        await second.close()


async def test_a_flood_of_check_ins_from_one_tablet_is_refused(
    settings: Settings, clock: FakeClock, world: object
) -> None:
    from dataclasses import replace

    staff = StaffClients(create_app(replace(settings, checkin_per_minute=5), clock=clock))
    await staff.start()
    try:
        desk, other_desk = await staff("reception-paris"), await staff("reception-paris")
        statuses = [
            (await desk.post("/api/centres/paris/tickets", json={})).status_code for _ in range(6)
        ]
        assert statuses == [201] * 5 + [429]
        # Keyed on the session: the other tablet at the same address still works.
        assert (await other_desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    finally:
        await staff.close()


async def test_the_public_board_is_rate_limited_per_client(
    settings: Settings, clock: FakeClock, world: object
) -> None:
    from dataclasses import replace

    app = create_app(replace(settings, public_per_minute=3), clock=clock)
    staff = StaffClients(app)
    await staff.start()
    try:
        phone = await staff()
        ip = f"198.19.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        codes = [
            (await phone.get("/api/public/waits", headers={"X-Forwarded-For": ip})).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        # Another client (its own address: the bare proxy address is shared with other tests
        # through Redis, which keeps counters across tests and runs).
        other = f"198.19.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        assert (
            await phone.get("/api/public/waits", headers={"X-Forwarded-For": other})
        ).status_code == 200
    finally:
        await staff.close()


async def test_a_large_body_is_refused_with_413(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets",
        content=b'{"label": "' + b"x" * (70 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert queue["tickets"] == []


async def test_connection_limiter_in_process() -> None:
    now = [0.0]
    limiter = ConnectionLimiter(MemoryCounters(now=lambda: now[0]), "screen", 2, stale_after_s=90)
    first, second = await limiter.acquire("token-1"), await limiter.acquire("token-1")
    assert first and second
    assert await limiter.acquire("token-1") is None
    assert await limiter.acquire("token-2") is not None  # per key
    await first.release()
    third = await limiter.acquire("token-1")
    assert third is not None
    now[0] += 60
    assert await third.refresh()
    now[0] += 60  # `second` was not refreshed for 120 s: a dead replica's socket
    assert await limiter.acquire("token-1") is not None
    with pytest.raises(TooManyConnections):
        async with limiter.hold("token-1"):
            pass


@pytest.mark.postgres
async def test_connection_limiter_is_shared_through_redis(settings: Settings) -> None:
    assert settings.redis_url
    replicas = [make_counters(settings), make_counters(settings)]
    try:
        key = uuid.uuid4().hex
        limiters = [ConnectionLimiter(c, "screen", 2) for c in replicas]
        leases = [await limiters[0].acquire(key), await limiters[1].acquire(key)]
        assert all(leases)
        assert await limiters[1].acquire(key) is None
        assert await limiters[0].acquire(key) is None
        async with limiters[1].hold(uuid.uuid4().hex) as lease:
            assert await lease.refresh()
        await leases[0].release()  # type: ignore[union-attr]
        assert await limiters[1].acquire(key) is not None
    finally:
        for counters in replicas:
            await counters.close()


def test_forwarded_headers_are_believed_only_from_trusted_proxies() -> None:
    def scope(peer: str, forwarded: str, proto: str = "https") -> dict[str, Any]:
        return {
            "client": (peer, 1234),
            "scheme": "http",
            "headers": [
                (b"x-forwarded-for", forwarded.encode()),
                (b"x-forwarded-proto", proto.encode()),
            ],
        }

    proxies = TrustedProxies(["10.0.0.0/8"])
    assert proxies.client_address(scope("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # A client writing its own X-Forwarded-For: the proxy appends the real address.
    assert proxies.client_address(scope("10.0.0.5", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert proxies.client_address(scope("198.51.100.7", "1.1.1.1")) == "198.51.100.7"
    assert proxies.scheme(scope("10.0.0.5", "x")) == "https"
    assert proxies.scheme(scope("198.51.100.7", "x")) == "http"
    assert TrustedProxies().client_address(scope("10.0.0.5", "1.1.1.1")) == "10.0.0.5"


async def test_anonymous_pairing_is_rate_limited_per_client(clients: StaffClients) -> None:
    tv = await clients()
    ip = f"198.19.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    codes = [
        (
            await tv.post("/api/displays/pair/ZZZZZZ", json={}, headers={"X-Forwarded-For": ip})
        ).status_code
        for _ in range(61)
    ]
    assert 429 not in codes[:60], codes
    assert codes[60] == 429


async def test_one_account_guessed_from_many_addresses_is_slowed_for_a_minute_at_most() -> None:
    now = [0.0]
    throttle = LoginThrottle(MemoryCounters(now=lambda: now[0]))
    await throttle.succeeded("alice", "10.0.0.1")  # the centre's own network
    for n in range(throttle.free_per_account):
        assert await throttle.failed("alice", f"203.0.113.{n}") == 0
    delays = [await throttle.failed("alice", f"198.51.100.{n}") for n in range(10)]
    assert delays[0] > 0 and max(delays) == throttle.account_cap_s == 60
    # A fresh address must wait (no guessing from the next machine of the botnet)...
    assert 0 < await throttle.retry_after("alice", "192.0.2.7") <= 60
    # ...but the address alice signs in from is not locked out, and the lock is short.
    assert await throttle.retry_after("alice", "10.0.0.1") == 0
    now[0] += 60
    assert await throttle.retry_after("alice", "192.0.2.7") == 0


async def test_guessing_one_account_from_many_addresses_is_refused(
    clients: StaffClients, client_ip: str
) -> None:
    browser = await clients()
    prefix = client_ip.rsplit(".", 1)[0]
    for n in range(21):  # 20 free failures across addresses, and the one that starts the delay
        response = await _login(browser, f"{prefix}.{n + 1}", "doctor-paris", "guess")
        assert response.status_code == 401, n
    refused = await _login(browser, f"{prefix}.200", "doctor-paris", PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
