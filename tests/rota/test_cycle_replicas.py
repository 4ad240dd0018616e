"""The month's solve seen from two replicas of one database: behind a round-robin proxy the
manager's requests alternate, so progress, preview, apply and a second solve work from either;
a solve whose replica stopped shows as interrupted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from rota.api_cycle import no_solve
from rota.cycle import SolveJob, SolveJobs
from service.app import create_app
from service.settings import Settings
from service.state import shell
from tests.conftest import FakeClock, StaffClients, WallClock
from tests.rota.conftest import Rota
from tests.rota.test_cycle_api import solved

pytestmark = pytest.mark.timeout(120)

MONTH = "2026-12"


@pytest.fixture
async def other_replica(
    settings: Settings, clock: FakeClock, wall_clock: WallClock, clients: StaffClients
) -> AsyncIterator[StaffClients]:
    staff = StaffClients(create_app(settings, clock=clock, session_clock=wall_clock))
    await staff.start()
    yield staff
    await staff.close()


async def _finished(job: SolveJob) -> None:
    assert job.task is not None
    async with asyncio.timeout(60):
        await asyncio.shield(job.task)


async def test_a_solve_started_on_one_replica_is_followed_and_applied_on_the_other(
    clients: StaffClients, other_replica: StaffClients, rota: Rota
) -> None:
    here, there = await clients("manager"), await other_replica("manager")
    started = await here.post(f"/api/rota/cycles/{MONTH}/solve", json={"time_limit_seconds": 5})
    assert started.status_code == 202, started.text
    seen = await _poll_until_done(there)
    assert seen["solve"]["error"] is None and len(seen["solve"]["added"]) >= 20
    mine = (await here.get(f"/api/rota/cycles/{MONTH}")).json()["solve"]
    assert [s["day"] for s in mine["added"]] == [s["day"] for s in seen["solve"]["added"]]

    applied = await there.post(f"/api/rota/cycles/{MONTH}/apply")
    assert applied.status_code == 200, applied.text
    assert applied.json()["written"] == len(seen["solve"]["added"]) + len(seen["solve"]["moved"])
    # Applied on the other replica: this one forgets its preview and cannot apply it twice.
    assert (await here.get(f"/api/rota/cycles/{MONTH}")).json()["solve"] is None
    assert (await here.post(f"/api/rota/cycles/{MONTH}/apply")).status_code == 409
    assert (await there.get(f"/api/rota/cycles/{MONTH}")).json()["status"] == "review"


async def _poll_until_done(manager: httpx.AsyncClient) -> dict[str, object]:
    async with asyncio.timeout(60):
        while True:
            cycle = (await manager.get(f"/api/rota/cycles/{MONTH}")).json()
            if cycle["solve"] is not None and not cycle["solve"]["running"]:
                return dict(cycle)
            await asyncio.sleep(0.1)


async def test_a_new_solve_on_another_replica_replaces_the_running_one(
    clients: StaffClients,
    other_replica: StaffClients,
    rota: Rota,
    db: async_sessionmaker[AsyncSession],
) -> None:
    here, there = await clients("manager"), await other_replica("manager")
    first = await here.post(f"/api/rota/cycles/{MONTH}/solve", json={"time_limit_seconds": 30})
    assert first.status_code == 202
    job = shell(clients.app).part(SolveJobs).get(date(2026, 12, 1))
    assert job is not None
    cycle = await solved(there, MONTH)
    assert cycle["solve"]["error"] is None
    # The first run, running still or not, finds its key gone and never overwrites the row.
    await _finished(job)
    async with db() as session:
        [run] = (await session.execute(select(models.SolveRun))).scalars().all()
    assert run.run_key != job.run_key and run.running is False
    assert run.answer["added"] == cycle["solve"]["added"]
    assert (await here.get(f"/api/rota/cycles/{MONTH}")).json()["solve"] == cycle["solve"]


async def test_a_solve_whose_replica_stopped_shows_as_interrupted(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    manager = await clients("manager")
    async with db() as session:
        session.add(
            models.SolveRun(
                month=date(2026, 12, 1),
                run_key="gone-replica",
                running=True,
                heartbeat_at=clock.now - timedelta(minutes=5),
                cancel_requested=False,
                answer=dict(msgspec.to_builtins(no_solve(None))),
                changes=None,
            )
        )
        await session.commit()
    solve = (await manager.get(f"/api/rota/cycles/{MONTH}")).json()["solve"]
    assert solve["running"] is False and "interrupted" in solve["error"]
    assert (await manager.post(f"/api/rota/cycles/{MONTH}/apply")).status_code == 409
    # A row another version of the service wrote, unreadable here: said so, not a 500.
    async with db() as session:
        run = (await session.execute(select(models.SolveRun))).scalar_one()
        run.answer, run.running, run.changes = {"running": False}, False, {"added": 3}
        await session.commit()
    solve = (await manager.get(f"/api/rota/cycles/{MONTH}")).json()["solve"]
    assert solve["running"] is False and "unreadable" in solve["error"]
    assert (await manager.post(f"/api/rota/cycles/{MONTH}/apply")).status_code == 409
    # Solving again replaces it.
    assert (await solved(manager, MONTH))["solve"]["error"] is None
    async with db() as session:
        runs = (await session.execute(select(models.SolveRun))).scalars().all()
    assert [r.run_key != "gone-replica" and not r.running for r in runs] == [True]
