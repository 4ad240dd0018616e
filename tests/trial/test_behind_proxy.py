"""Production shape: Debian's nginx with deploy/nginx.conf in front of two `walkin serve`
replicas on the machine's PostgreSQL and Redis. Screens and staff pages' feeds connect through
the proxy; one replica is killed with SIGKILL; everyone is back on the other, sign-in answers,
and every acknowledged check-in is in the database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from queues.models import Ticket
from tests.conftest import PASSWORD, World
from tests.display.conftest import make_token
from tests.display.replicas import Replica, TrackedScreen, converge, start_replica, stop_replica
from tests.trial.proxy import Nginx

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

RETRYABLE = {502, 503, 504}  # the proxy's answers while it finds out a replica died


@pytest.fixture
async def replicas(
    database_url: str, redis_url: str | None, world: World
) -> AsyncIterator[list[Replica]]:
    assert redis_url is not None  # marked postgres: the tier names both servers
    env = {
        "WALKIN_CHANNEL_PREFIX": f"walkin-proxy-{uuid.uuid4().hex[:12]}",
        "WALKIN_TRUSTED_PROXIES": "127.0.0.1",
    }
    started: list[Replica] = []
    try:
        for _ in range(2):
            started.append(await start_replica(database_url, redis_url, env, cli=True))
        yield started
    finally:
        for replica in started:
            stop_replica(replica)


@pytest.fixture
def proxy(replicas: list[Replica], tmp_path: Path) -> Iterator[Nginx]:
    nginx = Nginx(tmp_path / "nginx", [replica.port for replica in replicas])
    try:
        nginx.start()
        yield nginx
    finally:
        nginx.stop()


def origin(proxy: Nginx) -> dict[str, str]:
    return {"Origin": proxy.base}  # what a browser on the proxy's address sends


async def sign_in(proxy: Nginx, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=proxy.base, headers=origin(proxy), timeout=10)
    answer = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client


async def check_in(desk: httpx.AsyncClient) -> int:
    """One check-in, retried with the same client key until acknowledged (as the tablet does);
    returns the acknowledged ticket's id."""
    key = uuid.uuid4().hex
    for _ in range(50):
        try:
            answer = await desk.post("/api/centres/paris/tickets", json={"client_key": key})
        except httpx.TransportError:
            await asyncio.sleep(0.1)
            continue
        if answer.status_code in RETRYABLE:
            await asyncio.sleep(0.1)
            continue
        assert answer.status_code in (200, 201), answer.text
        ticket_id: int = answer.json()["id"]
        return ticket_id
    raise AssertionError("the check-in was never acknowledged")


async def connected(clients: list[TrackedScreen]) -> None:
    for _ in range(200):
        if all(client.seq is not None for client in clients):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("some feeds never got a snapshot through the proxy")


async def test_a_replica_killed_behind_the_proxy_loses_nothing(
    replicas: list[Replica], proxy: Nginx, db: Any, world: World
) -> None:
    # One token per TV, as pairing gives: a token holds at most a few feeds at once.
    tokens = [(await make_token(db, world, "paris"))[1] for _ in range(4)]
    desk = await sign_in(proxy, "reception-paris")
    doctor = await sign_in(proxy, "doctor-paris")
    feed = f"ws://127.0.0.1:{proxy.port}/ws/centres/paris"
    # Screens carry the display cookie the pairing sets; staff pages their session cookie.
    # The proxy spreads them over both replicas; each reconnects to the same address.
    cookies = [f"walkin_display={token}" for token in tokens] + [
        "; ".join(f"{k}={v}" for k, v in client.cookies.items()) for client in (desk, doctor)
    ]
    clients = [TrackedScreen([feed], {**origin(proxy), "Cookie": c}) for c in cookies]
    for client in clients:
        client.start()
    try:
        await connected(clients)
        acknowledged = [await check_in(desk) for _ in range(5)]
        centre_id = world.centres["paris"].id
        await converge(clients, db, centre_id, within=5)

        replicas[0].kill()
        acknowledged += [await check_in(desk) for _ in range(5)]
        # Every feed that was on the dead replica reconnected through the proxy to the other.
        await converge(clients, db, centre_id, within=10)
        assert sum(client.snapshots for client in clients) > len(clients)  # someone moved
        # The reconnect storm must not stall the survivor (issue 11, item 1).
        async with asyncio.timeout(1.0):
            late = await sign_in(proxy, "reception-paris")
        acknowledged.append(await check_in(late))
        assert (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).is_success
        await converge(clients, db, centre_id, within=5)
        await late.aclose()
    finally:
        for client in clients:
            await client.stop()
        await desk.aclose()
        await doctor.aclose()
    async with db() as session:
        stored = set((await session.execute(select(Ticket.id))).scalars())
    assert set(acknowledged) <= stored
    assert len(set(acknowledged)) == len(acknowledged) == 11
