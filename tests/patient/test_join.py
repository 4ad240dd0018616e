"""Joining from home: off by default; a remote ticket waits as not arrived, is never called nor
shown before its arrival is confirmed, keeps its place for a grace period, then is released;
caps per device, per phone and per centre, and a rate limit, keep the queue from flooding."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from queues.patient_loop import patient_pass
from service.state import shell
from tests.conftest import FakeClock, StaffClients
from tests.patient.conftest import IpSource, Phones

pytestmark = pytest.mark.timeout(60)


JOIN = "/api/public/centres/paris/join"


async def allow(clients: StaffClients, share: float = 0.3, grace: int = 15) -> None:
    boss = await clients("manager")
    answer = await boss.put(
        "/api/centres/paris/remote-join",
        json={"enabled": True, "max_share": share, "grace_min": grace},
    )
    assert answer.status_code == 200, answer.text
    assert (await boss.get("/api/centres/paris/remote-join")).json()["enabled"] is True


async def join(device: httpx.AsyncClient, ip: str | None = None, **body: object) -> httpx.Response:
    headers = {"X-Forwarded-For": ip} if ip else {}
    return await device.post(JOIN, json=body, headers=headers)


async def test_joining_is_off_unless_the_centre_turns_it_on(
    clients: StaffClients, phones: Phones
) -> None:
    phone = await phones()
    refused = await join(phone)
    assert refused.status_code == 409
    page = await phone.get("/attente/paris/rejoindre")
    assert page.status_code == 200 and "join-form" not in page.text
    await allow(clients)
    page = await phone.get("/attente/paris/rejoindre")
    assert "join-form" in page.text


async def test_a_remote_ticket_is_called_only_after_arrival(
    clients: StaffClients, phones: Phones
) -> None:
    await allow(clients)
    phone = await phones()
    remote = await join(phone)
    assert remote.status_code == 201, remote.text
    token = remote.json()["link"].removeprefix("/t/")
    view = (await phone.get(f"/api/patient/tickets/{token}/")).json()
    assert view["status"] == "not_arrived" and view["remote"] is True
    desk = await clients("reception-paris")
    queue = (await desk.get("/api/centres/paris/queue")).json()
    [row] = queue["tickets"]
    assert row["remote"] is True and row["status"] == "not_arrived"
    doctor = await clients("doctor-paris")
    assert (
        await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    ).status_code == 404
    waits = (await phone.get("/api/public/waits")).json()
    assert [c["waiting"] for c in waits["centres"] if c["slug"] == "paris"] == [0]
    assert (await desk.post(f"/api/centres/paris/tickets/{row['id']}/arrive")).status_code == 200
    called = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    assert called.status_code == 200 and called.json()["number"] == remote.json()["number"]


async def test_a_remote_ticket_passed_by_is_held_then_released(
    clients: StaffClients, phones: Phones, clock: FakeClock, app: Litestar
) -> None:
    await allow(clients, grace=10)
    phone = await phones()
    token = (await join(phone)).json()["link"].removeprefix("/t/")
    desk = await clients("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    doctor = await clients("doctor-paris")
    await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    view = (await phone.get(f"/api/patient/tickets/{token}/")).json()
    assert view["held"] is True and view["status"] == "not_arrived"
    clock.advance(5)
    await patient_pass(shell(app))
    assert (await phone.get(f"/api/patient/tickets/{token}/")).json()["status"] == "not_arrived"
    clock.advance(6)
    await patient_pass(shell(app))
    assert (await phone.get(f"/api/patient/tickets/{token}/")).json()["status"] == "no_show"


async def test_one_ticket_per_device_and_per_phone(clients: StaffClients, phones: Phones) -> None:
    await allow(clients)
    phone = await phones()
    first = await join(phone, phone="06 12 34 56 78", sms_consent=True)
    assert first.status_code == 201
    assert (await join(phone)).status_code == 409  # same device (cookie)
    other_device = await phones()
    again = await join(other_device, phone="+33612345678", sms_consent=True)
    assert again.status_code == 409  # same number


async def test_remote_tickets_stay_within_the_centres_share(
    clients: StaffClients, phones: Phones
) -> None:
    await allow(clients, share=0.3)
    taken = []
    for _ in range(5):
        device = await phones()
        taken.append((await join(device)).status_code)
    # Three at most in a queue of remote tickets only (the floor), then 429.
    assert taken == [201, 201, 201, 429, 429]
    desk = await clients("reception-paris")
    for _ in range(7):
        await desk.post("/api/centres/paris/tickets", json={})
    device = await phones()
    # 4 of 11 in line would be remote: 36 % > 30 %. With 10 present it fits (4 of 14).
    assert (await join(device)).status_code == 429
    for _ in range(3):
        await desk.post("/api/centres/paris/tickets", json={})
    assert (await join(device)).status_code == 201


async def test_joining_is_rate_limited_per_address(
    clients: StaffClients, fresh_ip: IpSource
) -> None:
    await allow(clients)
    shared = fresh_ip()  # seven phones behind one address (a café's wifi, or a script)
    statuses = []
    for _ in range(7):
        device = await clients()
        statuses.append((await join(device, ip=shared)).status_code)
    assert statuses[-1] == 429 and statuses.count(429) >= 2


async def test_a_phone_without_consent_is_not_kept(clients: StaffClients, phones: Phones) -> None:
    await allow(clients)
    phone = await phones()
    joined = await join(phone, phone="06 12 34 56 78", sms_consent=False)
    token = joined.json()["link"].removeprefix("/t/")
    assert (await phone.get(f"/api/patient/tickets/{token}/")).json()["notify"]["sms"] is False
    bad = await join(await phones(), phone="01 02 03 04 05", sms_consent=True)
    assert bad.status_code == 400
