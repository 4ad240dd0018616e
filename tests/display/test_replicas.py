"""Several service processes: events cross replicas, and screens survive Redis and replica
failures by resynchronising from the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import World, sign_in
from tests.display.conftest import make_token
from tests.display.replicas import (
    RedisServer,
    Replica,
    TrackedScreen,
    commit_without_event,
    converge,
    start_replica,
    stop_replica,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]


@pytest.fixture
async def redis_server() -> AsyncIterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def two_replicas(
    database_url: str, redis_server: RedisServer, world: World
) -> AsyncIterator[list[Replica]]:
    replicas = list(
        await asyncio.gather(*(start_replica(database_url, redis_server.url) for _ in range(2)))
    )
    yield replicas
    for replica in replicas:
        stop_replica(replica)


async def staff(replica: Replica, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=replica.base, timeout=10)
    await sign_in(client, username)
    return client


def feed(replica: Replica, token: str) -> str:
    return f"ws://127.0.0.1:{replica.port}/ws/centres/paris?token={token}"


async def screens_on(urls_per_screen: list[list[str]]) -> list[TrackedScreen]:
    screens = [TrackedScreen(urls) for urls in urls_per_screen]
    for screen in screens:
        screen.start()
    for _ in range(100):
        if all(screen.seq is not None for screen in screens):
            return screens
        await asyncio.sleep(0.05)
    raise AssertionError("screens got no snapshot")


async def test_a_change_on_one_replica_reaches_screens_on_the_other(
    two_replicas: list[Replica], db: Any, world: World
) -> None:
    a, b = two_replicas
    _, token = await make_token(db, world, "paris")
    (screen,) = await screens_on([[feed(a, token)]])
    desk, doctor = await staff(b, "reception-paris"), await staff(b, "doctor-paris")
    for _ in range(2):
        assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    assert (
        await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    ).status_code == 200
    for _ in range(100):
        if len(screen.events) >= 3:
            break
        await asyncio.sleep(0.05)
    assert [(e["type"], e["seq"]) for e in screen.events] == [
        ("ticket.checked_in", 1),
        ("ticket.checked_in", 2),
        ("ticket.called", 3),
    ]
    assert screen.snapshots == 1  # no gap, so no resync was needed
    await converge([screen], db, world.centres["paris"].id, within=3)
    await screen.stop()
    await desk.aclose()
    await doctor.aclose()


async def test_screens_converge_through_a_redis_restart(
    two_replicas: list[Replica], redis_server: RedisServer, db: Any, world: World
) -> None:
    a, b = two_replicas
    _, token = await make_token(db, world, "paris")
    screens = await screens_on([[feed(a, token)], [feed(a, token)], [feed(b, token)]])
    desk_a, desk_b = await staff(a, "reception-paris"), await staff(b, "reception-paris")
    doctor = await staff(a, "doctor-paris")
    centre_id = world.centres["paris"].id
    await desk_a.post("/api/centres/paris/tickets", json={})
    await converge(screens, db, centre_id, within=3)

    redis_server.stop()
    # Changes committed while Redis is away (staff sessions live in Redis too, so these come
    # as replicas commit them): screens learn them from the database.
    paris = world.centres["paris"]
    await commit_without_event(db, paris)
    await commit_without_event(db, paris, "urgent")
    await converge(screens, db, centre_id, within=5)
    async with httpx.AsyncClient() as anonymous:
        health = (await anonymous.get(f"{a.base}/health")).json()
    assert health["status"] == "degraded" and health["events"]["state"] == "down"

    redis_server.start()  # same port, empty: the replicas find it again; sessions are gone
    desk_a, desk_b = await staff(a, "reception-paris"), await staff(b, "reception-paris")
    doctor = await staff(a, "doctor-paris")
    assert (
        await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    ).status_code == 200
    await desk_a.post("/api/centres/paris/tickets", json={})
    await converge(screens, db, centre_id, within=8)
    for replica in (a, b):
        for _ in range(50):
            async with httpx.AsyncClient() as client:
                if (await client.get(f"{replica.base}/health")).json()["status"] == "ok":
                    break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError(f"replica {replica.port} never reported the bus healthy")
    # Live again: a change now arrives as an event, not only through the poller.
    before = [len(screen.events) for screen in screens]
    await desk_b.post("/api/centres/paris/tickets", json={})
    await converge(screens, db, centre_id, within=3)
    assert all(len(s.events) > n for s, n in zip(screens, before, strict=True))
    for client in (desk_a, desk_b, doctor):
        await client.aclose()
    for screen in screens:
        await screen.stop()


async def test_screens_converge_when_a_replica_dies(
    two_replicas: list[Replica], db: Any, world: World
) -> None:
    a, b = two_replicas
    # One token per TV: a token holds only a few feeds, and those of a killed replica count
    # until their leases go stale.
    t1, t2, t3 = [(await make_token(db, world, "paris", f"TV {n}"))[1] for n in range(3)]
    # Screens on B reconnect to A when B goes, as they would through the proxy.
    screens = await screens_on(
        [[feed(a, t1)], [feed(b, t2), feed(a, t2)], [feed(b, t3), feed(a, t3)]]
    )
    centre = world.centres["paris"]
    desk_b = await staff(b, "reception-paris")
    await desk_b.post("/api/centres/paris/tickets", json={})
    await converge(screens, db, centre.id, within=3)

    # B commits a check-in and dies before publishing it: the database moved, the bus is silent.
    seq = await commit_without_event(db, centre)
    b.kill()
    await desk_b.aclose()
    await converge(screens, db, centre.id, within=5)
    assert all(screen.seq == seq for screen in screens)

    desk_a = await staff(a, "reception-paris")
    await desk_a.post("/api/centres/paris/tickets", json={})
    await converge(screens, db, centre.id, within=3)
    await desk_a.aclose()
    for screen in screens:
        await screen.stop()
