"""A doctor's own space: availability and wishes, leave requests, shifts, notices, calendar."""

from __future__ import annotations

import pytest

from tests.conftest import StaffClients
from tests.rota.conftest import Rota
from tests.rota.test_cycle_api import solved

pytestmark = pytest.mark.timeout(120)


async def test_a_doctor_shapes_the_month_and_sees_what_was_planned(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    doctor = await clients("doctor-paris")
    assert (await doctor.get("/api/rota/me")).status_code == 404  # linked to no doctor yet
    account_id = rota.world.accounts["doctor-paris"].id
    alice = rota.doctors["alice"]
    linked = await manager.patch(f"/api/rota/doctors/{alice}", json={"account_id": account_id})
    assert linked.status_code == 200
    assert (await doctor.get("/api/rota/me")).json()["doctor_id"] == alice
    assert (await manager.get("/api/rota/me")).status_code == 403  # a doctor's own space

    # Alice works the first ten days of December only, and would like the 5th.
    days = [{"day": f"2026-12-{d:02d}", "state": "available"} for d in range(1, 11)]
    days[4]["state"] = "preferred"
    plan = {"days": days, "wanted_shifts": 6, "max_weekends": 1}
    bad = {**plan, "days": [*days, {"day": "2027-01-02", "state": "available"}]}
    assert (await doctor.put("/api/rota/me/plan/2026-12", json=bad)).status_code == 400
    wrong = {"days": [{"day": "2026-12-01", "state": "maybe"}]}
    assert (await doctor.put("/api/rota/me/plan/2026-12", json=wrong)).status_code == 400
    saved = await doctor.put("/api/rota/me/plan/2026-12", json=plan)
    assert saved.status_code == 200, saved.text
    assert len(saved.json()["days"]) == 10 and saved.json()["wanted_shifts"] == 6
    assert (await doctor.get("/api/rota/me/plan/2026-12")).json() == saved.json()

    cycle = await solved(manager, "2026-12")
    alice_days = {s["day"] for s in cycle["solve"]["added"] if s["doctor_id"] == alice}
    assert alice_days and all(day <= "2026-12-10" for day in alice_days)
    assert (await manager.post("/api/rota/cycles/2026-12/apply")).status_code == 200
    assert (await manager.post("/api/rota/cycles/2026-12/publish")).status_code == 200

    mine = (await doctor.get("/api/rota/me/shifts?from=2026-12-01&to=2026-12-31")).json()
    assert {s["day"] for s in mine} == alice_days and {s["doctor_id"] for s in mine} == {alice}
    (notice,) = (await doctor.get("/api/rota/me/notices")).json()
    assert "Planning de décembre 2026 publié" in notice["message"]
    assert notice["message"].count("+ Paris 11e") == len(alice_days)
    closed = await doctor.put("/api/rota/me/plan/2026-12", json=plan)
    assert closed.status_code == 409  # published: a swap or leave now

    asked = await doctor.post(
        "/api/rota/me/leave", json={"first_day": "2027-01-04", "last_day": "2027-01-05"}
    )
    assert asked.status_code == 201 and asked.json()["leave"]["status"] == "pending"
    assert [leave["first_day"] for leave in (await doctor.get("/api/rota/me/leave")).json()] == [
        "2027-01-04"
    ]
    link = await doctor.post("/api/rota/me/calendar-token")
    assert link.status_code == 201 and link.json()["url"].endswith(".ics")
    path = "/" + link.json()["url"].split("://", 1)[1].split("/", 1)[1]
    feed = await doctor.get(path)
    assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text
