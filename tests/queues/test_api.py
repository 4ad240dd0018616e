"""The queue through its HTTP API: check-in, call-next, transitions, errors."""

from __future__ import annotations

import pytest

from tests.conftest import FakeClock, StaffClients

pytestmark = pytest.mark.timeout(30)


async def test_check_in_gives_sequential_numbers_and_urgent_prefix(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    first = await desk.post("/api/centres/paris/tickets", json={"priority": "standard"})
    second = await desk.post(
        "/api/centres/paris/tickets", json={"priority": "urgent", "label": "J.D."}
    )
    assert first.status_code == 201, first.text
    assert first.json()["number"] == "A001"
    assert second.json()["number"] == "U002"
    assert second.json()["label"] == "J.D."
    queue = (await desk.get("/api/centres/paris/queue")).json()
    # Urgent first, then by arrival.
    assert [t["number"] for t in queue["tickets"]] == ["U002", "A001"]
    assert [t["position"] for t in queue["tickets"]] == [1, 2]
    assert queue["seq"] == 2


async def test_same_client_key_gives_the_same_ticket(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    body = {"priority": "standard", "client_key": "tablet1-0001"}
    first = await desk.post("/api/centres/paris/tickets", json=body)
    again = await desk.post("/api/centres/paris/tickets", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert len(queue["tickets"]) == 1
    # The retry changed nothing: the centre's sequence is the first check-in's (screens
    # would otherwise wait for an event that never comes).
    assert queue["seq"] == 1
    after = await desk.post("/api/centres/paris/tickets", json={"client_key": "tablet1-0002"})
    assert after.json()["number"] == "A002"
    assert (await desk.get("/api/centres/paris/queue")).json()["seq"] == 2


async def test_numbers_are_per_centre_and_restart_each_service_day(
    clients: StaffClients, clock: FakeClock
) -> None:
    paris = await clients("reception-paris")
    lyon = await clients("reception-lyon")
    assert (await paris.post("/api/centres/paris/tickets", json={})).json()["number"] == "A001"
    assert (await lyon.post("/api/centres/lyon/tickets", json={})).json()["number"] == "A001"
    assert (await paris.post("/api/centres/paris/tickets", json={})).json()["number"] == "A002"
    clock.advance(24 * 60)
    ticket = (await paris.post("/api/centres/paris/tickets", json={})).json()
    assert ticket["number"] == "A001"
    assert ticket["service_day"] == "2026-11-25"


async def test_service_day_is_local_to_the_centre(clients: StaffClients, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    # 23:30 UTC on the 24th is already the 25th in Paris (UTC+1 in November).
    clock.now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    desk = await clients("reception-paris")
    assert (await desk.post("/api/centres/paris/tickets", json={})).json()[
        "service_day"
    ] == "2026-11-25"


async def test_call_next_follows_priority_then_arrival(
    clients: StaffClients, clock: FakeClock
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    for priority in ("standard", "standard", "urgent"):
        await desk.post("/api/centres/paris/tickets", json={"priority": priority})
        clock.advance(1)
    called = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    assert called.status_code == 200, called.text
    assert called.json()["number"] == "U003"
    assert called.json()["status"] == "called"
    assert called.json()["room"] == "1"
    # Calling again from the same room while the patient is only called is refused.
    again = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    assert again.status_code == 409
    await doctor.post(f"/api/centres/paris/tickets/{called.json()['id']}/start")
    nxt = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    assert nxt.json()["number"] == "A001"
    # The consultation under way in that room was finished by the call.
    first = (await doctor.get(f"/api/centres/paris/tickets/{called.json()['id']}")).json()
    assert first["status"] == "done"
    assert (await doctor.post("/api/centres/paris/call-next", json={"room": "2"})).json()[
        "number"
    ] == "A002"
    empty = await doctor.post("/api/centres/paris/call-next", json={"room": "3"})
    assert empty.status_code == 404
    assert "personne" in empty.json()["detail"]


async def test_transitions_and_illegal_ones(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    ticket = (await desk.post("/api/centres/paris/tickets", json={})).json()
    url = f"/api/centres/paris/tickets/{ticket['id']}"
    refused = await desk.post(f"{url}/finish")
    assert refused.status_code == 409
    assert "waiting" in refused.json()["detail"]
    called = await desk.post(f"{url}/call", json={"room": "2"})
    assert called.json()["status"] == "called"
    recalled = await desk.post(f"{url}/recall")
    assert recalled.json()["call_count"] == 2
    assert (await desk.post(f"{url}/no-show")).json()["status"] == "no_show"
    requeued = await desk.post(f"{url}/requeue")
    assert requeued.json()["status"] == "waiting"
    assert requeued.json()["room"] is None
    assert (await desk.post(f"{url}/cancel")).json()["status"] == "cancelled"
    assert (await desk.post(f"{url}/cancel")).status_code == 409
    unknown = await desk.post(f"{url}/teleport")
    assert unknown.status_code == 404


async def test_requeued_late_patient_goes_behind_those_present(
    clients: StaffClients, clock: FakeClock
) -> None:
    desk = await clients("reception-paris")
    late = (await desk.post("/api/centres/paris/tickets", json={})).json()
    clock.advance(1)
    await desk.post("/api/centres/paris/tickets", json={})
    await desk.post(f"/api/centres/paris/tickets/{late['id']}/call", json={"room": "1"})
    await desk.post(f"/api/centres/paris/tickets/{late['id']}/no-show")
    clock.advance(1)
    await desk.post(f"/api/centres/paris/tickets/{late['id']}/requeue")
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert [t["number"] for t in queue["tickets"]] == ["A002", "A001"]


async def test_move_to_head_and_priority_change(clients: StaffClients, clock: FakeClock) -> None:
    desk = await clients("reception-paris")
    ids = []
    for _ in range(3):
        ids.append((await desk.post("/api/centres/paris/tickets", json={})).json()["id"])
        clock.advance(1)
    no_reason = await desk.post(f"/api/centres/paris/tickets/{ids[2]}/move-to-head", json={})
    assert no_reason.status_code == 400
    moved = await desk.post(
        f"/api/centres/paris/tickets/{ids[2]}/move-to-head",
        json={"reason": "fièvre élevée, enfant"},
    )
    assert moved.status_code == 200, moved.text
    await desk.post(f"/api/centres/paris/tickets/{ids[1]}/priority", json={"priority": "urgent"})
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert [t["number"] for t in queue["tickets"]] == ["A002", "A003", "A001"]


async def test_close_and_reopen_checkin(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    closed = await desk.post("/api/centres/paris/checkin/close")
    assert closed.json()["checkin_open"] is False
    refused = await desk.post("/api/centres/paris/tickets", json={})
    assert refused.status_code == 409
    assert "fermé" in refused.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).json()["checkin_open"] is False
    await desk.post("/api/centres/paris/checkin/open")
    assert (await desk.post("/api/centres/paris/tickets", json={})).json()["number"] == "A001"


@pytest.mark.parametrize(
    "body",
    [
        {"priority": "vip"},
        {"client_key": "short"},
        {"client_key": "has spaces in it"},
        {"phone": "call me"},
        {"label": "x" * 41},
        {"label": "<script>"},
        {"unexpected": 1},
        [],
    ],
)
async def test_bad_check_in_is_a_400_and_changes_nothing(
    clients: StaffClients, body: object
) -> None:
    desk = await clients("reception-paris")
    response = await desk.post("/api/centres/paris/tickets", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).json()["seq"] == 0


async def test_malformed_json_is_a_400(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400


async def test_unknown_centre_room_and_ticket_are_404(clients: StaffClients) -> None:
    manager = await clients("manager")
    assert (await manager.post("/api/centres/nowhere/tickets", json={})).status_code == 404
    assert (
        await manager.post("/api/centres/paris/call-next", json={"room": "99"})
    ).status_code == 404
    assert (await manager.post("/api/centres/paris/tickets/12345/start")).status_code == 404


async def test_ticket_of_another_centre_is_not_reachable(clients: StaffClients) -> None:
    manager = await clients("manager")
    ticket = (await manager.post("/api/centres/lyon/tickets", json={})).json()
    response = await manager.post(f"/api/centres/paris/tickets/{ticket['id']}/cancel")
    assert response.status_code == 404


async def test_a_failing_estimate_does_not_turn_a_committed_check_in_into_an_error(
    clients: StaffClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    from queues.live import EstimateCache

    async def broken(*_: object, **__: object) -> None:
        raise ConnectionError("database went away after the commit")

    desk = await clients("reception-paris")
    monkeypatch.setattr(EstimateCache, "get", broken)
    answer = await desk.post("/api/centres/paris/tickets", json={"priority": "standard"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == "A001"
    assert answer.json()["estimate"] is None
    monkeypatch.undo()
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert [t["number"] for t in queue["tickets"]] == ["A001"]
