"""A centre manager plans their own centres: allowed there, 403 elsewhere with nothing changed."""

from __future__ import annotations

from datetime import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from tests.conftest import StaffClients, add_centre_manager
from tests.rota.conftest import MONDAY, TUESDAY, Rota
from tests.rota.helpers import add_leave, add_shift

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def paris_boss(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], rota: Rota
) -> httpx.AsyncClient:
    """The centre manager of Paris only (Alice works only there, Bruno at Paris and Lyon)."""
    await add_centre_manager(db, rota.world, "gestion-paris", ["paris"])
    return await clients("gestion-paris")


async def _count(db: async_sessionmaker[AsyncSession], table: Any) -> int:
    async with db() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


def _pattern(rota: Rota, who: str, centre: str) -> dict[str, Any]:
    return {
        "doctor_id": rota.doctors[who],
        "centre": centre,
        "weekdays": [1, 2],
        "start_time": "08:00",
        "end_time": "12:00",
        "first_day": MONDAY,
        "last_day": TUESDAY,
        "accept_warnings": True,
    }


async def test_leave_of_a_doctor_of_their_centres_only(
    clients: StaffClients,
    db: async_sessionmaker[AsyncSession],
    rota: Rota,
    paris_boss: httpx.AsyncClient,
) -> None:
    manager = await clients("manager")
    own = await add_leave(paris_boss, rota, "alice", TUESDAY, TUESDAY)
    assert own.status_code == 201, own.text
    approved = await paris_boss.post(f"/api/rota/leave/{own.json()['leave']['id']}/approve")
    assert approved.status_code == 200 and approved.json()["leave"]["status"] == "approved"

    # Bruno works at Lyon too: his leave takes him off Lyon's rota, not theirs to decide.
    before = await _count(db, models.Leave)
    for who in ("bruno", "chloe"):
        refused = await add_leave(paris_boss, rota, who, TUESDAY, TUESDAY)
        assert refused.status_code == 403, refused.text
        assert "réseau décide" in refused.json()["detail"]
    assert await _count(db, models.Leave) == before
    shared = await add_leave(manager, rota, "bruno", TUESDAY, TUESDAY)
    leave_id = shared.json()["leave"]["id"]
    for decision in ("approve", "reject", "cancel"):
        answer = await paris_boss.post(f"/api/rota/leave/{leave_id}/{decision}")
        assert answer.status_code == 403, (decision, answer.text)
    assert (await manager.get("/api/rota/leave?status=pending")).json()[0]["status"] == "pending"
    assert (await paris_boss.post("/api/rota/leave/99999/approve")).status_code == 404

    # They read the leave of every doctor who works at their centres, no one else's.
    await add_leave(manager, rota, "chloe", MONDAY, MONDAY)
    listed = {leave["doctor_id"] for leave in (await paris_boss.get("/api/rota/leave")).json()}
    assert listed == {rota.doctors["alice"], rota.doctors["bruno"]}
    everyone = {leave["doctor_id"] for leave in (await manager.get("/api/rota/leave")).json()}
    assert rota.doctors["chloe"] in everyone


async def test_patterns_at_their_centres_only(
    clients: StaffClients,
    db: async_sessionmaker[AsyncSession],
    rota: Rota,
    paris_boss: httpx.AsyncClient,
) -> None:
    created = await paris_boss.post("/api/rota/patterns", json=_pattern(rota, "alice", "paris"))
    assert created.status_code == 201, created.text
    assert len(created.json()["shifts"]) == 2

    before = (await _count(db, models.ShiftPattern), await _count(db, models.Shift))
    refused = await paris_boss.post("/api/rota/patterns", json=_pattern(rota, "chloe", "lyon"))
    assert refused.status_code == 403, refused.text
    assert (await _count(db, models.ShiftPattern), await _count(db, models.Shift)) == before

    manager = await clients("manager")
    lyon = await manager.post("/api/rota/patterns", json=_pattern(rota, "chloe", "lyon"))
    assert lyon.status_code == 201, lyon.text
    lyon_id = lyon.json()["pattern"]["id"]
    shifts = await _count(db, models.Shift)
    assert (
        await paris_boss.delete(f"/api/rota/patterns/{lyon_id}?accept_warnings=true")
    ).status_code == 403
    assert await _count(db, models.Shift) == shifts
    own_id = created.json()["pattern"]["id"]
    removed = await paris_boss.delete(f"/api/rota/patterns/{own_id}?accept_warnings=true")
    assert removed.status_code == 200 and len(removed.json()["removed"]) == 2
    assert await _count(db, models.Shift) == shifts - 2


async def test_fill_covers_their_centres_only(
    clients: StaffClients,
    db: async_sessionmaker[AsyncSession],
    rota: Rota,
    paris_boss: httpx.AsyncClient,
) -> None:
    async with db() as session:  # Lyon needs a doctor too: a network fill would staff it
        session.add(
            models.CoverNeed(
                centre_id=rota.world.centres["lyon"].id,
                day_type="weekday",
                start_time=time(8),
                end_time=time(12),
                doctors=1,
            )
        )
        await session.commit()
    body = {"from": MONDAY, "to": MONDAY}
    manager = await clients("manager")
    network = (await manager.post("/api/rota/fill", json=body)).json()
    assert {s["centre"] for s in network["proposed"]} == {"paris", "lyon"}

    theirs = await paris_boss.post("/api/rota/fill", json={**body, "apply": True})
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["applied"] is True
    assert {s["centre"] for s in theirs.json()["proposed"]} == {"paris"}
    assert {g["centre"] for g in theirs.json()["remaining_gaps"]} <= {"paris"}

    shifts = await _count(db, models.Shift)
    refused = await paris_boss.post(
        "/api/rota/fill", json={**body, "centre": "lyon", "apply": True}
    )
    assert refused.status_code == 403, refused.text
    assert await _count(db, models.Shift) == shifts


async def test_the_monthly_cycle_stays_the_network_offices(
    paris_boss: httpx.AsyncClient,
) -> None:
    """One cycle solves the whole network at once: not split by centre manager."""
    assert (await paris_boss.get("/api/rota/cycles/2026-12")).status_code == 403
    solve = await paris_boss.post("/api/rota/cycles/2026-12/solve", json={})
    assert solve.status_code == 403


async def test_the_planning_page_shows_their_centres_only(
    clients: StaffClients, rota: Rota, paris_boss: httpx.AsyncClient
) -> None:
    manager = await clients("manager")
    assert (
        await add_shift(manager, rota, "chloe", MONDAY, "08:00", "20:00", centre="lyon")
    ).status_code == 201
    # Chloé past her 20 h a week at Lyon: a conflict the Paris manager does not see.
    beyond = await add_shift(
        manager, rota, "chloe", TUESDAY, "08:00", "20:00", centre="lyon", accept_warnings=True
    )
    assert beyond.status_code == 201, beyond.text
    network_total = (await manager.get(f"/rota?view=week&start={MONDAY}")).text
    assert '<strong id="conflict-total">0</strong>' not in network_total
    for who in ("alice", "bruno", "chloe"):
        await add_leave(manager, rota, who, TUESDAY, TUESDAY)

    page = await paris_boss.get(f"/rota?view=week&start={MONDAY}")
    assert page.status_code == 200, page.text
    html = page.text
    assert 'data-centre="paris"' in html
    assert 'data-centre="lyon"' not in html and 'data-centre="bruxelles"' not in html
    assert 'id="cycle-panel"' not in html
    assert '<strong id="conflict-total">0</strong>' in html
    fairness = html.split('id="fairness"', 1)[1]
    assert "Dr Alice Martin" in fairness and "Dr Bruno Petit" in fairness
    assert "Dr Chloé Roux" not in fairness and "Dr Dirk Peeters" not in fairness
    # Pending leave: only the one they may decide (Alice works only at Paris).
    leave = html.split('id="leave-panel"', 1)[1].split("</section>", 1)[0]
    assert "Dr Alice Martin" in leave
    assert "Dr Bruno Petit" not in leave and "Dr Chloé Roux" not in leave
    panel = (await paris_boss.get(f"/rota/leave?view=week&start={MONDAY}")).text
    assert "Dr Alice Martin" in panel and "Dr Bruno Petit" not in panel

    board = await paris_boss.get(
        f"/rota/board?view=week&start={MONDAY}", headers={"HX-Request": "true"}
    )
    assert board.status_code == 200
    assert 'data-centre="paris"' in board.text and 'data-centre="lyon"' not in board.text
    network_page = (await manager.get(f"/rota?view=week&start={MONDAY}")).text
    assert 'data-centre="lyon"' in network_page and 'id="cycle-panel"' in network_page

    day = await paris_boss.get(f"/rota/day?centre=paris&day={MONDAY}")
    assert day.status_code == 200
    move_to = day.text.split('name="centre"', 1)[1].split("</select>", 1)[0]
    assert 'value="paris"' in move_to and 'value="lyon"' not in move_to
    doctors = day.text.split('id="move-form"', 1)[1].split("</select>", 1)[0]
    assert "Dr Bruno Petit" in doctors and "Dr Chloé Roux" not in doctors
    refused = await paris_boss.get(f"/rota/day?centre=lyon&day={MONDAY}")
    assert refused.status_code == 403
