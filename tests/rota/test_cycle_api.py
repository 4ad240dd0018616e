"""The month's planning cycle through the API: solve in the background, apply, publish."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from tests.conftest import StaffClients
from tests.rota.conftest import Rota
from tests.rota.helpers import add_shift

pytestmark = pytest.mark.timeout(120)


async def solved(manager: httpx.AsyncClient, month: str) -> dict[str, Any]:
    started = await manager.post(f"/api/rota/cycles/{month}/solve", json={"time_limit_seconds": 5})
    assert started.status_code == 202, started.text
    for _ in range(300):
        cycle = (await manager.get(f"/api/rota/cycles/{month}")).json()
        if not cycle["solve"]["running"]:
            return dict(cycle)
        await asyncio.sleep(0.1)
    raise AssertionError("the solve did not end")


async def test_a_month_is_solved_applied_and_published(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager = await clients("manager")
    assert (await manager.get("/api/rota/cycles/2026-13")).status_code == 400
    assert (await manager.post("/api/rota/cycles/2026-12/apply")).status_code == 409
    kept = await add_shift(manager, rota, "alice", "2026-12-01", "08:00", "20:00", room="1")
    assert kept.status_code == 201
    cycle = await solved(manager, "2026-12")
    solve = cycle["solve"]
    assert solve["error"] is None and solve["status"] in ("optimal", "feasible")
    # Alice and Bruno can share Paris's 31 days (48 h a week each: 4 shifts of 12 h).
    days = {s["day"] for s in solve["added"]} | {"2026-12-01"}
    assert len(solve["added"]) >= 20 and solve["refused"] == []
    assert {s["doctor_id"] for s in solve["added"]} <= {
        rota.doctors["alice"],
        rota.doctors["bruno"],
    }
    assert all(u["centre"] == "paris" for u in solve["uncovered"])
    assert len(days) + sum(u["missing"] for u in solve["uncovered"]) >= 31

    applied = await manager.post("/api/rota/cycles/2026-12/apply")
    assert applied.status_code == 200, applied.text
    assert applied.json()["written"] == len(solve["added"]) + len(solve["moved"])
    conflicts = (await manager.get("/api/rota/conflicts?from=2026-12-01&to=2026-12-31")).json()
    assert [c for c in conflicts if c["severity"] == "error"] == []
    assert (await manager.get("/api/rota/cycles/2026-12")).json()["status"] == "review"

    published = await manager.post("/api/rota/cycles/2026-12/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    async with db() as session:
        notices = (await session.execute(select(models.RotaNotice))).scalars().all()
    assert {n.doctor_id for n in notices} <= {rota.doctors["alice"], rota.doctors["bruno"]}
    assert notices and all("Planning de décembre 2026 publié" in n.message for n in notices)

    # An edit after publishing shows as a diff for the doctor concerned.
    late = await add_shift(manager, rota, "chloe", "2026-12-02", "08:00", "12:00", centre="lyon")
    assert late.status_code == 201, late.text
    since = (await manager.get("/api/rota/cycles/2026-12")).json()["since_published"]
    assert [(d["doctor_id"], len(d["added"])) for d in since] == [(rota.doctors["chloe"], 1)]
