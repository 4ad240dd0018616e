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
