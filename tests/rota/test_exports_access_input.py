"""Calendar feed and CSV, who may read and plan, and bad input answered with a 4xx."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota.models import CalendarToken
from tests.conftest import StaffClients, World
from tests.rota.conftest import MONDAY, Rota
from tests.rota.helpers import add_shift, shift_body

pytestmark = pytest.mark.timeout(60)


async def test_calendar_feed_by_token_until_revoked(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager = await clients("manager")
    # One shift each side of the autumn DST change: both read 08:00 local in the feed.
    for day in ("2026-10-24", "2026-10-25"):
        await add_shift(manager, rota, "alice", day, "08:00", "14:00", accept_warnings=True)
    created = await manager.post(f"/api/rota/doctors/{rota.doctors['alice']}/calendar-tokens")
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    path = url[url.index("/cal/") :]
    token = path.removeprefix("/cal/").removesuffix(".ics")
    async with db() as session:
        stored = (await session.execute(select(CalendarToken.token_sha256))).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # never the token itself

    anonymous = await clients()
    feed = await anonymous.get(path)
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    text = feed.text
    assert "DTSTART;TZID=Europe/Paris:20261024T080000" in text
    assert "DTSTART;TZID=Europe/Paris:20261025T080000" in text
    assert "BEGIN:VTIMEZONE" in text and "Paris 11e" in text
    assert (await anonymous.get("/cal/not-a-token.ics")).status_code == 404

    revoked = await manager.delete(f"/api/rota/calendar-tokens/{created.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (await anonymous.get(path)).status_code == 404


async def test_csv_of_a_centre_month(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    await manager.patch(
        f"/api/rota/doctors/{rota.doctors['alice']}", json={"display_name": "=HYPERLINK(1)"}
    )
    await add_shift(manager, rota, "alice", MONDAY, "08:00", "14:00", room="1")
    answer = await manager.get("/api/rota/centres/paris/2026-12.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert "planning-paris-11e-2026-12.csv" in answer.headers["content-disposition"]
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "date;début;fin;médecin;salle;heures",
        "2026-12-07;08:00;14:00;'=HYPERLINK(1);1;6,00",
    ]
    assert (await manager.get("/api/rota/centres/paris/2026-13.csv")).status_code == 404
    assert (await manager.get("/api/rota/centres/nowhere/2026-12.csv")).status_code == 404


async def test_reception_and_doctors_cannot_plan(clients: StaffClients, rota: Rota) -> None:
    for username in ("reception-paris", "doctor-paris"):
        staff = await clients(username)
        body = shift_body(rota, "alice", MONDAY, "08:00", "14:00")
        assert (await staff.post("/api/rota/shifts", json=body)).status_code == 403
        assert (
            await staff.get("/api/rota/conflicts?from=2026-12-01&to=2026-12-07")
        ).status_code == 403
        assert (await staff.post("/api/rota/leave/1/approve")).status_code == 403
        assert (await staff.get("/api/rota/doctors")).status_code == 403


async def test_staff_read_only_their_own_centre(clients: StaffClients, rota: Rota) -> None:
    desk = await clients("reception-paris")
    own = await desk.get(f"/api/rota/coverage?from={MONDAY}&to={MONDAY}&centre=paris")
    assert own.status_code == 200 and {d["centre"] for d in own.json()} == {"paris"}
    assert (await desk.get(f"/api/rota/coverage?from={MONDAY}&to={MONDAY}")).status_code == 403
    other = await desk.get(f"/api/rota/coverage?from={MONDAY}&to={MONDAY}&centre=lyon")
    assert other.status_code == 403
    doctor = await clients("doctor-lyon")
    assert (await doctor.get("/api/centres/paris/on-duty")).status_code == 403
    assert (await doctor.get("/api/centres/lyon/on-duty")).status_code == 200
    anonymous = await clients()
    assert (await anonymous.get("/api/centres/paris/on-duty")).status_code == 401
    assert (
        await anonymous.get("/api/rota/shifts?from=2026-12-01&to=2026-12-02")
    ).status_code == 401


def _shift_body(**changes: object) -> dict[str, object]:
    """A valid shift body but for `changes`: each bad-input case differs by one field."""
    body: dict[str, object] = {
        "doctor_id": 1,
        "centre": "paris",
        "day": "2026-12-07",
        "start_time": "08:00",
        "end_time": "10:00",
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("GET", "/api/rota/coverage?from=2026-12-08&to=2026-12-01", None, 400),
        ("GET", "/api/rota/coverage?from=2026-12-01&to=2027-06-01", None, 400),
        ("GET", "/api/rota/coverage?from=2026-13-01&to=2026-12-01", None, 400),
        ("GET", "/api/rota/conflicts?from=2026-12-01", None, 400),
        ("GET", "/api/rota/coverage?from=2026-12-01&to=2026-12-02&centre=nowhere", None, 404),
        ("GET", "/api/rota/centres/paris/holidays?year=1200", None, 400),
        ("POST", "/api/rota/shifts", _shift_body(doctor_id=999), 404),
        ("POST", "/api/rota/shifts", _shift_body(centre="nowhere"), 404),
        ("POST", "/api/rota/shifts", _shift_body(start_time="8h"), 400),
        (
            "POST",
            "/api/rota/shifts",
            {
                "doctor_id": 1,
                "centre": "paris",
                "start": "2026-12-07T08:00:00",
                "end": "2026-12-07T10:00:00",
            },
            400,
        ),
        ("POST", "/api/rota/shifts", {"doctor_id": 1, "centre": "paris"}, 400),
        (
            "POST",
            "/api/rota/shifts",
            {
                "doctor_id": 1,
                "centre": "paris",
                "start": "2026-12-07T08:00:00Z",
                "end": "2026-12-09T08:00:00Z",
            },
            400,
        ),
        ("PATCH", "/api/rota/shifts/999", {"start_time": "09:00"}, 404),
        (
            "POST",
            "/api/rota/leave",
            {"doctor_id": 1, "first_day": "2026-12-09", "last_day": "2026-12-01"},
            400,
        ),
        ("POST", "/api/rota/leave/999/approve", None, 404),
        (
            "POST",
            "/api/rota/patterns",
            {
                "doctor_id": 1,
                "centre": "paris",
                "weekdays": [8],
                "start_time": "08:00",
                "end_time": "12:00",
                "first_day": "2026-12-01",
            },
            400,
        ),
        ("PATCH", "/api/rota/centres/paris", {"subdivision": "Atlantis"}, 400),
        ("PATCH", "/api/rota/centres/paris", {"timezone": "Europe/Atlantis"}, 400),
        ("PATCH", "/api/rota/centres/paris", {"opening_hours": {"1": [["20:00", "08:00"]]}}, 400),
        (
            "PUT",
            "/api/rota/centres/paris/cover-needs",
            [{"day_type": "weekday", "start": "12:00", "end": "08:00", "doctors": 1}],
            400,
        ),
        ("POST", "/api/rota/doctors", {"display_name": "Dr X", "rpps": "123"}, 400),
        ("POST", "/api/rota/doctors", {"display_name": "Dr X", "centres": ["nowhere"]}, 404),
        ("POST", "/api/rota/doctors", {"display_name": "Dr X", "account_id": 999_999}, 404),
        ("POST", "/api/rota/fill", {"from": "2026-12-08", "to": "2026-12-01"}, 400),
        ("POST", "/api/rota/doctors/999/calendar-tokens", None, 404),
    ],
)
async def test_bad_input_is_a_clear_4xx(
    clients: StaffClients,
    rota: Rota,
    method: str,
    url: str,
    body: object,
    status: int,
) -> None:
    manager = await clients("manager")
    answer = await manager.request(method, url, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]


async def test_rpps_is_unique_when_given(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    first = await manager.post(
        "/api/rota/doctors",
        json={"display_name": "Dr A", "rpps": "10001234565", "centres": ["paris"]},
    )
    assert first.status_code == 201, first.text
    assert first.json()["centres"] == ["paris"]
    second = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr B", "rpps": "10001234565"}
    )
    assert second.status_code == 409
    without = await manager.post("/api/rota/doctors", json={"display_name": "Dr C"})
    assert without.status_code == 201 and without.json()["rpps"] is None


async def test_a_doctor_links_only_to_a_doctor_account(
    clients: StaffClients, rota: Rota, world: World
) -> None:
    manager = await clients("manager")
    desk_account = world.accounts["reception-paris"].id
    linked = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr X", "account_id": desk_account}
    )
    assert linked.status_code == 409, linked.text
    assert "médecin" in linked.json()["detail"]
