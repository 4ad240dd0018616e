"""Concurrent tablets and consulting rooms: nothing lost, nothing called twice, numbers gapless.

On PostgreSQL two app instances (two replicas) share the database, and the requests really
interleave in the database; on SQLite the same checks run at a smaller size.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Coroutine, Iterable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from queues.models import Ticket
from service.app import create_app
from service.settings import Settings
from tests.conftest import PG_URL, FakeClock, StaffClients, World

CENTRES = ("paris", "lyon", "bruxelles")


async def _all(coroutines: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run together; the first failure cancels the rest (plain gather leaves them running)."""
    async with asyncio.TaskGroup() as group:
        for coroutine in coroutines:
            group.create_task(coroutine)


async def _check_in_all(
    desks: list[httpx.AsyncClient], total: int, seed: int
) -> tuple[dict[str, set[int]], int]:
    """`total` check-ins spread over the desks and centres; some sent twice at once (a retry)."""
    rng = random.Random(seed)
    plan = [(i, CENTRES[i % len(CENTRES)], rng.random() < 0.1) for i in range(total)]
    per_desk: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for item in plan:
        per_desk[item[0] % len(desks)].append(item)
    given: dict[str, set[int]] = defaultdict(set)
    retries = 0

    async def run(desk: httpx.AsyncClient, items: list[tuple[int, str, bool]]) -> None:
        nonlocal retries
        for i, centre, twice in items:
            body = {
                "priority": "urgent" if i % 7 == 0 else "standard",
                "client_key": f"desk-{i:06d}",
            }
            url = f"/api/centres/{centre}/tickets"
            sends = 2 if twice else 1
            retries += sends - 1
            answers = await asyncio.gather(*(desk.post(url, json=body) for _ in range(sends)))
            ids = {a.json()["id"] for a in answers}
            assert all(a.status_code in (200, 201) for a in answers), [a.text for a in answers]
            assert len(ids) == 1, "a retried check-in gave two tickets"
            given[centre] |= ids

    await _all(run(desks[d], items) for d, items in per_desk.items())
    return given, retries


async def _empty_the_queue(doctors: list[tuple[httpx.AsyncClient, str, str]]) -> list[int]:
    """Each doctor calls the next patient to their room and finishes, until nobody waits."""
    called: list[int] = []

    async def run(client: httpx.AsyncClient, centre: str, room: str) -> None:
        while True:
            response = await client.post(f"/api/centres/{centre}/call-next", json={"room": room})
            if response.status_code == 404:
                return
            assert response.status_code == 200, response.text
            ticket = response.json()
            called.append(ticket["id"])
            finish = await client.post(f"/api/centres/{centre}/tickets/{ticket['id']}/finish")
            assert finish.status_code == 200, finish.text

    await _all(run(*doctor) for doctor in doctors)
    return called


async def _assert_numbers_gapless(world: World, db, expected: dict[str, set[int]]) -> None:  # type: ignore[no-untyped-def]
    async with db() as session:
        for slug, centre in world.centres.items():
            rows = (
                (await session.execute(select(Ticket).where(Ticket.centre_id == centre.id)))
                .scalars()
                .all()
            )
            assert {t.id for t in rows} == expected[slug], "a check-in was lost or invented"
            seq = sorted(t.seq_no for t in rows)
            assert seq == list(range(1, len(rows) + 1)), f"numbers not gapless at {slug}"
            assert len({t.number for t in rows}) == len(rows)
            assert all(t.status == "done" for t in rows)


async def _scenario(
    clients: StaffClients,
    world: World,
    db,
    second_app: Litestar | None,
    *,  # type: ignore[no-untyped-def]
    total: int,
    desks: int,
    callers: int,
) -> None:
    second = StaffClients(second_app) if second_app is not None else None
    if second is not None:
        await second.start()
    try:

        def pick(i: int) -> StaffClients:
            return second if (second is not None and i % 2) else clients

        desk_clients = [await pick(i)("manager") for i in range(desks)]
        given, retries = await _check_in_all(desk_clients, total, seed=7)
        assert retries > 0
        assert sum(len(ids) for ids in given.values()) == total
        doctors = []
        for i in range(callers):
            centre = CENTRES[i % len(CENTRES)]
            doctors.append((await pick(i)(f"doctor-{centre}"), centre, str(1 + (i // 3) % 3)))
        # Add a second caller wherever a centre would have just one, so every centre races.
        called = await _empty_the_queue(doctors)
        counts = Counter(called)
        assert not [t for t, n in counts.items() if n > 1], "a ticket was called twice"
        assert set(counts) == set().union(*given.values())
        await _assert_numbers_gapless(world, db, given)
    finally:
        if second is not None:
            await second.close()


@pytest.mark.postgres
@pytest.mark.timeout(180)
async def test_500_checkins_20_clients_8_callers_on_two_replicas(
    clients: StaffClients,
    world: World,
    db,
    settings: Settings,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    assert PG_URL is not None
    replica = create_app(settings, clock=clock)
    await _scenario(clients, world, db, replica, total=500, desks=20, callers=8)


@pytest.mark.timeout(120)
async def test_concurrent_checkins_and_calls_on_sqlite(
    clients: StaffClients,
    world: World,
    db,  # type: ignore[no-untyped-def]
) -> None:
    if PG_URL is not None:
        pytest.skip("the PostgreSQL tier runs the full-size version")
    await _scenario(clients, world, db, None, total=120, desks=6, callers=6)
