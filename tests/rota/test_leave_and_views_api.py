"""Leave, the managers' views, holidays and DST through the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FakeClock, StaffClients
from tests.rota.conftest import MONDAY, TUESDAY, Rota
from tests.rota.helpers import add_leave, add_shift, kinds

pytestmark = pytest.mark.timeout(60)


async def test_approved_leave_keeps_the_shifts_and_shows_them_as_conflicts(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    shift = await add_shift(manager, rota, "alice", TUESDAY, "08:00", "20:00", room="1")
    assert shift.status_code == 201
    body = {"doctor_id": rota.doctors["alice"], "first_day": TUESDAY, "last_day": TUESDAY}
    asked = await manager.post("/api/rota/leave", json=body)
    assert asked.status_code == 409 and kinds(asked) == ["leave_pending"]
    created = await manager.post("/api/rota/leave", json={**body, "accept_warnings": True})
    assert created.status_code == 201, created.text
    leave_id = created.json()["leave"]["id"]
    pending = (await manager.get("/api/rota/leave?status=pending")).json()
    assert [leave["id"] for leave in pending] == [leave_id]

    approve = await manager.post(f"/api/rota/leave/{leave_id}/approve")
    # A warning to confirm (the shift is to reassign), not a blocking "⛔ … est en congé".
    assert approve.status_code == 409
    assert kinds(approve) == ["shift_under_leave"] and approve.json()["can_accept"] is True
    assert [c["severity"] for c in approve.json()["conflicts"]] == ["warning"]
    assert "à réattribuer" in approve.json()["conflicts"][0]["message"]
    approved = await manager.post(
        f"/api/rota/leave/{leave_id}/approve", json={"accept_warnings": True}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["leave"]["status"] == "approved"
    assert [c["kind"] for c in approved.json()["conflicts"]] == ["shift_under_leave"]
    # Approved leave is no cover: the day has a gap and nobody is listed as covering it.
    cover_url = f"/api/rota/coverage?from={TUESDAY}&to={TUESDAY}&centre=paris"
    (day,) = (await manager.get(cover_url)).json()
    assert day["covered"] is False and day["gaps"][0]["missing"] == 1
    assert day["segments"][0]["doctor_ids"] == [] and day["segments"][0]["planned_max"] == 0
    # The shift stays, and the conflict view lists it until the manager resolves it.
    shifts = (await manager.get(f"/api/rota/shifts?from={TUESDAY}&to={TUESDAY}")).json()
    assert [s["id"] for s in shifts] == [shift.json()["shifts"][0]["id"]]
    conflicts = (await manager.get(f"/api/rota/conflicts?from={MONDAY}&to={TUESDAY}")).json()
    assert [c["kind"] for c in conflicts] == ["on_leave"]
    assert "Dr Alice Martin est en congé" in conflicts[0]["message"]

    again = await manager.post(f"/api/rota/leave/{leave_id}/approve")
    assert again.status_code == 409  # already approved
    cancelled = await manager.post(f"/api/rota/leave/{leave_id}/cancel")
    assert cancelled.json()["leave"]["status"] == "cancelled"
    assert (await manager.get(f"/api/rota/conflicts?from={MONDAY}&to={TUESDAY}")).json() == []
    assert (await manager.post(f"/api/rota/leave/{leave_id}/reject")).status_code == 409
    assert (await manager.post(f"/api/rota/leave/{leave_id}/pause")).status_code == 404


async def test_coverage_shows_the_gap_until_a_shift_fills_it(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    url = f"/api/rota/coverage?from={MONDAY}&to={MONDAY}&centre=paris"
    (day,) = (await manager.get(url)).json()
    assert day["covered"] is False
    assert day["gaps"] == [
        {
            "start": "2026-12-07T07:00:00Z",
            "end": "2026-12-07T19:00:00Z",
            "needed": 1,
            "planned": 0,
            "missing": 1,
            "centre": "paris",
            "centre_name": "Paris 11e",
            "day": MONDAY,
            "local": "08:00–20:00",
        }
    ]
    await add_shift(manager, rota, "alice", MONDAY, "08:00", "20:00")
    (day,) = (await manager.get(url)).json()
    assert day["covered"] is True and day["segments"][0]["doctor_ids"] == [rota.doctors["alice"]]


async def test_on_duty_now_leaves_out_a_doctor_on_leave(
    clients: StaffClients, rota: Rota, clock: FakeClock
) -> None:
    manager = await clients("manager")
    await add_shift(manager, rota, "alice", MONDAY, "08:00", "14:00", room="1")
    await add_shift(manager, rota, "bruno", MONDAY, "08:00", "20:00", room="2")
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    desk = await clients("reception-paris")
    duty = (await desk.get("/api/centres/paris/on-duty")).json()
    assert [(d["doctor"], d["room"]) for d in duty] == [
        ("Dr Alice Martin", "1"),
        ("Dr Bruno Petit", "2"),
    ]
    await add_leave(manager, rota, "alice", MONDAY, MONDAY, approved=True, accept_warnings=True)
    duty = (await desk.get("/api/centres/paris/on-duty")).json()
    assert [d["doctor"] for d in duty] == ["Dr Bruno Petit"]


async def test_fairness_counts_weekends_and_public_holidays(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    # Friday 25 December (Christmas) and Saturday 26 December 2026.
    for day in ("2026-12-25", "2026-12-26"):
        assert (await add_shift(manager, rota, "alice", day, "08:00", "20:00")).status_code == 201
    report = (await manager.get("/api/rota/fairness?from=2026-12-21&to=2026-12-27")).json()
    alice = next(d for d in report["doctors"] if d["doctor_id"] == rota.doctors["alice"])
    assert (alice["hours"], alice["weekend_days"], alice["holiday_days"]) == (24.0, 1, 1)
    assert report["hours"]["maximum"] == 24.0


async def test_fill_proposes_then_applies(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    body = {"from": MONDAY, "to": TUESDAY, "centre": "paris"}
    proposal = (await manager.post("/api/rota/fill", json=body)).json()
    assert proposal["applied"] is False and len(proposal["proposed"]) == 2
    assert proposal["remaining_gaps"] == []
    assert (await manager.get(f"/api/rota/shifts?from={MONDAY}&to={TUESDAY}")).json() == []
    applied = (await manager.post("/api/rota/fill", json={**body, "apply": True})).json()
    assert applied["applied"] is True and all(s["id"] > 0 for s in applied["proposed"])
    coverage = (await manager.get(f"/api/rota/coverage?from={MONDAY}&to={TUESDAY}")).json()
    # Listing Paris's days first: all() of no days at all would pass too.
    assert [day["covered"] for day in coverage if day["centre"] == "paris"] == [True, True]


async def test_public_holidays_of_france_alsace_moselle_and_belgium(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")

    async def holidays(slug: str) -> dict[str, str]:
        answer = await manager.get(f"/api/rota/centres/{slug}/holidays?year=2026")
        assert answer.status_code == 200, answer.text
        return {h["day"]: h["name"] for h in answer.json()}

    paris = await holidays("paris")
    assert "2026-07-14" in paris and "2026-12-26" not in paris and "2026-04-03" not in paris
    assert "2026-05-25" in paris  # Whit Monday, until the network says otherwise
    # Lyon becomes a Bas-Rhin centre: Good Friday and St Stephen's Day are holidays there.
    answer = await manager.patch("/api/rota/centres/lyon", json={"subdivision": "67"})
    assert answer.status_code == 200, answer.text
    lyon = await holidays("lyon")
    assert {"2026-04-03", "2026-12-26"} <= set(lyon)
    bruxelles = await holidays("bruxelles")
    assert "2026-07-21" in bruxelles and "2026-07-14" not in bruxelles
    await manager.patch("/api/rota/centres/paris", json={"whit_monday_is_holiday": False})
    assert "2026-05-25" not in await holidays("paris")
    # Cover follows: Saint Stephen's Day is a holiday in Lyon now, a weekend day in Paris.
    await manager.put(
        "/api/rota/centres/lyon/cover-needs",
        json=[{"day_type": "public_holiday", "start": "10:00", "end": "16:00", "doctors": 1}],
    )
    days = (await manager.get("/api/rota/coverage?from=2026-12-26&to=2026-12-26")).json()
    kinds_by_centre = {d["centre"]: (d["day_type"], d["holiday"]) for d in days}
    assert kinds_by_centre["lyon"] == ("public_holiday", "Saint-Étienne")
    assert kinds_by_centre["paris"] == ("weekend", None)


async def test_local_hours_hold_across_the_autumn_dst_change(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    # Sunday 25 October 2026: clocks go back at 03:00, so 08:00–20:00 lasts 12 real hours,
    # 00:00–08:00 at Brussels lasts 9 (opening hours widened for the test).
    for day, start, end in (("2026-10-24", "08:00", "20:00"), ("2026-10-25", "08:00", "20:00")):
        added = await add_shift(manager, rota, "alice", day, start, end, accept_warnings=True)
        assert added.status_code == 201, added.text
    shifts = (await manager.get("/api/rota/shifts?from=2026-10-24&to=2026-10-25")).json()
    assert [(s["start"], s["local_start"]) for s in shifts] == [
        ("2026-10-24T06:00:00Z", "08:00"),  # summer time, UTC+2
        ("2026-10-25T07:00:00Z", "08:00"),  # winter time, UTC+1
    ]
    await manager.patch(
        "/api/rota/centres/bruxelles", json={"opening_hours": {"7": [["00:00", "20:00"]]}}
    )
    night = await add_shift(
        manager, rota, "dirk", "2026-10-25", "00:00", "08:00", centre="bruxelles"
    )
    assert night.status_code == 201, night.text
    (shift,) = night.json()["shifts"]
    assert (shift["start"], shift["end"]) == ("2026-10-24T22:00:00Z", "2026-10-25T07:00:00Z")
