"""The rota's wrong answers, each pinned: leave days, a one-centre fill, supervision."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import StaffClients
from tests.rota.conftest import MONDAY, TUESDAY, Rota
from tests.rota.helpers import add_leave, add_shift, kinds

pytestmark = pytest.mark.timeout(60)


async def test_leave_reads_as_the_local_days_asked_for(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    asked = await add_leave(manager, rota, "chloe", MONDAY, TUESDAY, reason="formation")
    assert asked.status_code == 201, asked.text
    leave = asked.json()["leave"]
    # Stored as instants from local midnight (23:00 UTC the day before): shown as local days.
    assert (leave["first_day"], leave["last_day"]) == (MONDAY, TUESDAY)
    (listed,) = (await manager.get("/api/rota/leave?status=pending")).json()
    assert (listed["first_day"], listed["last_day"]) == (MONDAY, TUESDAY)
    page = await manager.get("/rota/leave?view=month&start=2026-12-01&lang=fr")
    assert "07/12/2026 → 08/12/2026" in page.text and "2026-12-06" not in page.text


async def test_the_pending_leave_list_follows_the_period_and_leaves_out_the_past(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")  # the shared clock says 24 November 2026
    assert (await add_leave(manager, rota, "chloe", MONDAY, MONDAY)).status_code == 201
    assert (await add_leave(manager, rota, "dirk", "2026-11-16", "2026-11-18")).status_code == 201
    assert (await add_leave(manager, rota, "bruno", "2026-11-23", "2026-11-26")).status_code == 201
    november = (await manager.get("/rota/leave?view=month&start=2026-11-01")).text
    assert "Dr Bruno Petit" in november  # under way: still to decide
    assert "Dr Dirk Peeters" not in november and "Dr Chloé Roux" not in november
    december = (await manager.get("/rota/leave?view=month&start=2026-12-01")).text
    assert "Dr Chloé Roux" in december and "Dr Bruno Petit" not in december
    page = (await manager.get("/rota?view=week&start=2026-12-07&lang=en")).text
    assert "Dr Chloé Roux" in page and "7 Dec 2026" in page


async def test_a_one_centre_fill_sees_the_doctors_shifts_elsewhere(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    lyon = await add_shift(manager, rota, "bruno", MONDAY, "08:00", "20:00", centre="lyon")
    assert lyon.status_code == 201, lyon.text
    await add_leave(manager, rota, "alice", MONDAY, MONDAY, approved=True)
    body = {"from": MONDAY, "to": MONDAY, "centre": "paris"}
    proposal = (await manager.post("/api/rota/fill", json=body)).json()
    # Bruno is at Lyon all day and Alice on leave: nobody to propose, not a double booking.
    assert proposal["proposed"] == []
    (gap,) = proposal["remaining_gaps"]
    assert (gap["centre"], gap["centre_name"], gap["day"]) == ("paris", "Paris 11e", MONDAY)
    tuesday = (
        await manager.post("/api/rota/fill", json={**body, "from": TUESDAY, "to": TUESDAY})
    ).json()
    assert len(tuesday["proposed"]) == 1
    applied = await manager.post(
        "/api/rota/fill", json={**body, "from": TUESDAY, "to": TUESDAY, "apply": True}
    )
    assert applied.status_code == 200 and applied.json()["applied"] is True


async def _intern(manager: httpx.AsyncClient, rota: Rota) -> int:
    made = await manager.post(
        "/api/rota/doctors",
        json={
            "display_name": "Dr Iris Stage",
            "seniority": "intern",
            "supervisor_id": rota.doctors["alice"],
            "centres": ["paris"],
        },
    )
    assert made.status_code == 201, made.text
    intern_id: int = made.json()["id"]
    rota.doctors["iris"] = intern_id
    return intern_id


async def test_an_intern_works_only_beside_their_maitre_de_stage(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    await _intern(manager, rota)
    alone = await add_shift(manager, rota, "iris", TUESDAY, "08:00", "14:00", room="2")
    assert alone.status_code == 409 and kinds(alone) == ["unsupervised"]
    assert alone.json()["can_accept"] is False
    assert "maître de stage Dr Alice Martin" in alone.json()["conflicts"][0]["message"]
    # Another senior is not enough for an intern.
    assert (await add_shift(manager, rota, "bruno", TUESDAY, "08:00", "20:00", room="1")).is_success
    beside_bruno = await add_shift(manager, rota, "iris", TUESDAY, "08:00", "14:00", room="2")
    assert kinds(beside_bruno) == ["unsupervised"]

    supervisor = await add_shift(manager, rota, "alice", MONDAY, "08:00", "12:00", room="1")
    assert supervisor.status_code == 201
    half = await add_shift(manager, rota, "iris", MONDAY, "08:00", "14:00", room="2")
    assert kinds(half) == ["unsupervised"]  # 12:00–14:00 alone
    beside = await add_shift(manager, rota, "iris", MONDAY, "08:00", "12:00", room="2")
    assert beside.status_code == 201, beside.text

    # Taking the supervisor away would leave the intern alone: refused the same way.
    gone = await manager.delete(f"/api/rota/shifts/{supervisor.json()['shifts'][0]['id']}")
    assert gone.status_code == 409 and "unsupervised" in kinds(gone)

    # The centre may lift the rule; the checker then lets the shift through.
    lifted = await manager.patch("/api/rota/centres/paris", json={"interns_need_supervisor": False})
    assert lifted.status_code == 200 and lifted.json()["interns_need_supervisor"] is False
    alone_now = await add_shift(manager, rota, "iris", TUESDAY, "14:00", "20:00", room="2")
    assert alone_now.status_code == 201, alone_now.text


async def test_the_conflict_view_and_the_fill_keep_supervision(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    junior = await manager.post(
        "/api/rota/doctors",
        json={"display_name": "Dr Jules Neuf", "seniority": "junior", "centres": ["paris"]},
    )
    junior_id = junior.json()["id"]
    # Alice and Bruno away: the fill may not send the junior alone.
    await add_leave(manager, rota, "alice", MONDAY, TUESDAY, approved=True)
    await add_leave(manager, rota, "bruno", MONDAY, TUESDAY, approved=True)
    body = {"from": MONDAY, "to": TUESDAY, "centre": "paris"}
    proposal = (await manager.post("/api/rota/fill", json=body)).json()
    assert [s for s in proposal["proposed"] if s["doctor_id"] == junior_id] == []
    assert {gap["day"] for gap in proposal["remaining_gaps"]} == {MONDAY, TUESDAY}


async def test_a_dry_run_move_lists_what_saving_would_bring_and_writes_nothing(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    added = await add_shift(manager, rota, "alice", MONDAY, "08:00", "20:00", room="1")
    shift_id = added.json()["shifts"][0]["id"]
    body = {"doctor_id": rota.doctors["bruno"], "start_time": "09:00", "dry_run": True}
    preview = await manager.patch(f"/api/rota/shifts/{shift_id}", json=body)
    assert preview.status_code == 200, preview.text
    assert [c["kind"] for c in preview.json()["would_bring"]] == ["under_cover"]
    (kept,) = (await manager.get(f"/api/rota/shifts?from={MONDAY}&to={MONDAY}")).json()
    assert (kept["doctor_id"], kept["local_start"]) == (rota.doctors["alice"], "08:00")
    elsewhere = {**body, "centre": "bruxelles", "room": None, "start_time": "08:00"}
    refused = await manager.patch(f"/api/rota/shifts/{shift_id}", json=elsewhere)
    assert "not_assigned_to_centre" in [c["kind"] for c in refused.json()["would_bring"]]
