"""Who may do what: roles and centres."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, StaffClients

pytestmark = pytest.mark.timeout(30)


async def test_no_credentials_is_401(clients: StaffClients) -> None:
    anonymous = await clients()
    for method, url in (
        ("GET", "/api/centres"),
        ("GET", "/api/centres/paris/queue"),
        ("POST", "/api/centres/paris/tickets"),
        ("POST", "/api/centres/paris/call-next"),
    ):
        response = await anonymous.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.text)


async def test_health_and_schema_are_public(clients: StaffClients) -> None:
    anonymous = await clients()
    assert (await anonymous.get("/health")).status_code == 200
    schema = await anonymous.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/centres/{centre_slug}/tickets" in schema.json()["paths"]


async def test_wrong_password_is_401(clients: StaffClients) -> None:
    anonymous = await clients()
    response = await anonymous.post(
        "/api/auth/login", json={"username": "manager", "password": "nope"}
    )
    assert response.status_code == 401
    assert (await anonymous.get("/api/auth/me")).status_code == 401


async def test_reception_acts_only_at_its_centre(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    other = await desk.post("/api/centres/lyon/tickets", json={})
    assert other.status_code == 403
    assert (await desk.get("/api/centres/lyon/queue")).status_code == 403


async def test_manager_acts_everywhere_and_logout_ends_the_session(clients: StaffClients) -> None:
    manager = await clients("manager")
    assert (await manager.post("/api/centres/lyon/tickets", json={})).status_code == 201
    me = (await manager.get("/api/auth/me")).json()
    assert me["role"] == "manager"
    await manager.post("/api/auth/logout")
    assert (await manager.get("/api/centres/lyon/queue")).status_code == 401


async def test_deactivated_account_is_refused_at_once(clients: StaffClients, db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from service.accounts import StaffAccount

    desk = await clients("reception-paris")
    async with db() as session:
        await session.execute(
            update(StaffAccount)
            .where(StaffAccount.username == "reception-paris")
            .values(active=False)
        )
        await session.commit()
    assert (await desk.get("/api/centres/paris/queue")).status_code == 401
    again = await (await clients()).post(
        "/api/auth/login", json={"username": "reception-paris", "password": PASSWORD}
    )
    assert again.status_code == 401


async def test_a_centre_manager_plans_the_rota_of_their_centres_only(
    clients: StaffClients,
    db,
    world,  # type: ignore[no-untyped-def]
) -> None:
    """Shifts, patterns, fill and leave: at their centre allowed, elsewhere 403 (and nothing
    written); the month's cycle and the network's shift list stay the network office's."""
    from sqlalchemy import func, select

    from rota import models
    from tests.conftest import add_centre_manager

    async with db() as session:
        doctor = models.Doctor(display_name="Dr Both", weekly_limit_hours=48.0, active=True)
        session.add(doctor)
        await session.flush()
        for slug in ("paris", "lyon"):
            session.add(models.DoctorCentre(doctor_id=doctor.id, centre_id=world.centres[slug].id))
        await session.commit()
    await add_centre_manager(db, world, "gestion-paris", ["paris"])
    boss = await clients("gestion-paris")

    def shift(centre: str, day: str) -> dict[str, object]:
        return {
            "doctor_id": doctor.id,
            "centre": centre,
            "day": day,
            "start_time": "08:00",
            "end_time": "12:00",
            "accept_warnings": True,
        }

    own = await boss.post("/api/rota/shifts", json=shift("paris", "2026-12-07"))
    assert own.status_code == 201, own.text
    own_id = own.json()["shifts"][0]["id"]
    lyon = await (await clients("manager")).post(
        "/api/rota/shifts", json=shift("lyon", "2026-12-08")
    )
    lyon_id = lyon.json()["shifts"][0]["id"]

    async def shifts() -> list[tuple[int, int]]:
        async with db() as session:
            rows = await session.execute(select(models.Shift.id, models.Shift.centre_id))
            return sorted((int(i), int(c)) for i, c in rows.all())

    before = await shifts()
    refused = [
        ("POST", "/api/rota/shifts", shift("lyon", "2026-12-09")),
        ("PATCH", f"/api/rota/shifts/{own_id}", {"centre": "lyon", "accept_warnings": True}),
        ("PATCH", f"/api/rota/shifts/{lyon_id}", {"start_time": "09:00"}),
        ("DELETE", f"/api/rota/shifts/{lyon_id}?accept_warnings=true", None),
        (
            "POST",
            "/api/rota/patterns",
            {
                "doctor_id": doctor.id,
                "centre": "lyon",
                "weekdays": [3],
                "start_time": "08:00",
                "end_time": "12:00",
                "first_day": "2026-12-09",
                "last_day": "2026-12-09",
            },
        ),
        ("POST", "/api/rota/fill", {"from": "2026-12-07", "to": "2026-12-07", "centre": "lyon"}),
        (
            "POST",
            "/api/rota/leave",
            {
                "doctor_id": doctor.id,
                "first_day": "2026-12-10",
                "last_day": "2026-12-10",
                "approved": True,
            },
        ),
        ("GET", "/api/rota/shifts?from=2026-12-07&to=2026-12-13", None),
        ("GET", "/api/rota/cycles/2026-12", None),
    ]
    for method, url, body in refused:
        answer = await boss.request(method, url, json=body)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
    assert await shifts() == before
    async with db() as session:
        assert (await session.execute(select(func.count(models.Leave.id)))).scalar_one() == 0
    listed = await boss.get("/api/rota/shifts?from=2026-12-07&to=2026-12-13&centre=paris")
    assert [s["id"] for s in listed.json()] == [own_id]
    assert (await boss.get("/rota")).status_code == 200
