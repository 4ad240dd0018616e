"""Every check through the shift and pattern endpoints: refusals, warnings, confirmations."""

from __future__ import annotations

import pytest

from tests.conftest import StaffClients
from tests.rota.conftest import MONDAY, TUESDAY, Rota
from tests.rota.helpers import add_leave, add_shift, kinds

pytestmark = pytest.mark.timeout(60)


async def test_a_shift_that_fills_the_need_is_written(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    added = await add_shift(manager, rota, "alice", MONDAY, "08:00", "20:00", room="1")
    assert added.status_code == 201, added.text
    shift = added.json()["shifts"][0]
    assert (shift["local_start"], shift["local_end"], shift["day"]) == ("08:00", "20:00", MONDAY)
    assert shift["start"] == "2026-12-07T07:00:00Z"  # Paris is UTC+1 in December
    listed = (await manager.get(f"/api/rota/shifts?from={MONDAY}&to={MONDAY}")).json()
    assert [s["id"] for s in listed] == [shift["id"]]


async def test_double_booking_is_refused_even_when_warnings_are_accepted(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    await add_shift(manager, rota, "bruno", MONDAY, "08:00", "20:00", accept_warnings=True)
    for accept in (False, True):
        clash = await add_shift(
            manager, rota, "bruno", MONDAY, "10:00", "16:00", centre="lyon", accept_warnings=accept
        )
        assert clash.status_code == 409, clash.text
        body = clash.json()
        assert body["can_accept"] is False
        assert "double_booking" in kinds(clash)
        conflict = next(c for c in body["conflicts"] if c["kind"] == "double_booking")
        assert conflict["severity"] == "error"
        # Who, where and when, in French and in English.
        assert "Dr Bruno Petit" in conflict["message"]
        assert (
            "Lyon Part-Dieu" in conflict["message"]
            and "07/12/2026 10:00–16:00" in conflict["message"]
        )
        assert "two places at once" in conflict["message_en"]
    listed = (await manager.get(f"/api/rota/shifts?from={MONDAY}&to={MONDAY}")).json()
    assert len(listed) == 1


@pytest.mark.parametrize(
    ("who", "centre", "start", "end", "kind"),
    [
        ("alice", "paris", "06:00", "12:00", "outside_opening"),
        ("chloe", "paris", "08:00", "12:00", "not_assigned_to_centre"),
    ],
)
async def test_errors_are_refused(
    clients: StaffClients, rota: Rota, who: str, centre: str, start: str, end: str, kind: str
) -> None:
    manager = await clients("manager")
    for accept in (False, True):
        refused = await add_shift(
            manager, rota, who, MONDAY, start, end, centre=centre, accept_warnings=accept
        )
        assert refused.status_code == 409, refused.text
        assert kind in kinds(refused)
        assert refused.json()["can_accept"] is False


async def test_room_given_twice_is_refused(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    first = await add_shift(manager, rota, "alice", MONDAY, "08:00", "20:00", room="2")
    assert first.status_code == 201, first.text
    second = await add_shift(
        manager, rota, "bruno", MONDAY, "12:00", "16:00", room="2", accept_warnings=True
    )
    assert second.status_code == 409
    assert kinds(second) == ["room_double_booking"]
    unknown = await add_shift(manager, rota, "bruno", MONDAY, "12:00", "16:00", room="9")
    assert unknown.status_code == 404


async def test_a_shift_on_approved_leave_is_refused(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    leave = await add_leave(manager, rota, "alice", MONDAY, MONDAY, approved=True)
    assert leave.status_code == 201, leave.text
    refused = await add_shift(
        manager, rota, "alice", MONDAY, "08:00", "20:00", accept_warnings=True
    )
    assert refused.status_code == 409
    assert kinds(refused) == ["on_leave"]
    assert "est en congé" in refused.json()["conflicts"][0]["message"]


async def test_warnings_need_confirmation(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    # Pending leave on Tuesday, a late Monday evening at Lyon, then Tuesday morning.
    await add_leave(manager, rota, "bruno", TUESDAY, TUESDAY)
    bruno = f"/api/rota/doctors/{rota.doctors['bruno']}"
    assert (await manager.patch(bruno, json={"min_rest_hours": 13})).status_code == 200
    evening = await add_shift(manager, rota, "bruno", MONDAY, "14:00", "20:00", centre="lyon")
    assert evening.status_code == 201, evening.text
    asked = await add_shift(manager, rota, "bruno", TUESDAY, "08:00", "20:00")
    assert asked.status_code == 409
    assert asked.json()["can_accept"] is True
    assert sorted(kinds(asked)) == ["leave_pending", "rest_too_short"]
    rest = next(c for c in asked.json()["conflicts"] if c["kind"] == "rest_too_short")
    assert "Repos de 12 h seulement pour Dr Bruno Petit" in rest["message"]
    assert "(minimum 13 h)" in rest["message"]
    confirmed = await add_shift(
        manager, rota, "bruno", TUESDAY, "08:00", "20:00", accept_warnings=True
    )
    assert confirmed.status_code == 201, confirmed.text
    assert sorted(c["kind"] for c in confirmed.json()["accepted_warnings"]) == [
        "leave_pending",
        "rest_too_short",
    ]


async def test_weekly_limit_is_a_warning(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")  # Chloé's limit is 20 h a week
    for day in ("2026-12-07", "2026-12-09"):
        ok = await add_shift(manager, rota, "chloe", day, "08:00", "16:00", centre="lyon")
        assert ok.status_code == 201, ok.text
    third = await add_shift(manager, rota, "chloe", "2026-12-11", "08:00", "16:00", centre="lyon")
    assert third.status_code == 409
    assert kinds(third) == ["weekly_limit"]
    assert "24 h" in third.json()["conflicts"][0]["message"]


async def test_removing_cover_asks_and_moving_checks(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    shift_id = (await add_shift(manager, rota, "alice", MONDAY, "08:00", "20:00")).json()["shifts"][
        0
    ]["id"]
    removal = await manager.delete(f"/api/rota/shifts/{shift_id}")
    assert removal.status_code == 409
    assert kinds(removal) == ["under_cover"]
    # A move into closing time is an error; a move to Bruno is fine (Paris stays covered).
    late = await manager.patch(
        f"/api/rota/shifts/{shift_id}", json={"start_time": "12:00", "end_time": "23:00"}
    )
    assert late.status_code == 409 and sorted(kinds(late)) == ["outside_opening", "under_cover"]
    assert late.json()["can_accept"] is False
    moved = await manager.patch(
        f"/api/rota/shifts/{shift_id}", json={"doctor_id": rota.doctors["bruno"], "room": "3"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["shifts"][0]["doctor"] == "Dr Bruno Petit"
    removed = await manager.delete(f"/api/rota/shifts/{shift_id}?accept_warnings=true")
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed"] == [shift_id]
    assert (await manager.delete(f"/api/rota/shifts/{shift_id}")).status_code == 404


async def test_a_pattern_writes_shifts_that_are_then_edited_one_by_one(
    clients: StaffClients, rota: Rota
) -> None:
    manager = await clients("manager")
    body = {
        "doctor_id": rota.doctors["chloe"],
        "centre": "lyon",
        "weekdays": [2, 4],  # Tuesdays and Thursdays
        "start_time": "08:00",
        "end_time": "14:00",
        "first_day": "2026-12-01",
        "last_day": "2026-12-31",
        "room": "1",
        "exception_days": ["2026-12-03"],
    }
    created = await manager.post("/api/rota/patterns", json=body)
    assert created.status_code == 201, created.text
    shifts = created.json()["shifts"]
    # 10 Tuesdays and Thursdays in December 2026, less the exception day.
    assert [s["day"] for s in shifts][:3] == ["2026-12-01", "2026-12-08", "2026-12-10"]
    assert len(shifts) == 9
    assert {s["pattern_id"] for s in shifts} == {created.json()["pattern"]["id"]}
    one = shifts[0]["id"]
    edited = await manager.patch(f"/api/rota/shifts/{one}", json={"end_time": "13:00"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["shifts"][0]["local_end"] == "13:00"
    # The same pattern again double-books every one of those days: refused, nothing written.
    again = await manager.post("/api/rota/patterns", json={**body, "room": "2"})
    assert again.status_code == 409
    assert set(kinds(again)) == {"double_booking", "weekly_limit"}
    assert again.json()["can_accept"] is False
    listed = await manager.get("/api/rota/shifts?from=2026-12-01&to=2026-12-31&centre=lyon")
    assert len(listed.json()) == 9
