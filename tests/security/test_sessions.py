"""Sign-in: a new session id every time, server-side sign-out, memory-hard password hashes."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from service.accounts import hash_password
from tests.conftest import PASSWORD, StaffClients

pytestmark = pytest.mark.timeout(60)


async def test_sign_in_replaces_a_planted_session_id(clients: StaffClients) -> None:
    browser = await clients()
    planted = "a" * 64  # an id an attacker set in the victim's browser beforehand
    browser.cookies.set("session", planted, domain="testserver.local")
    response = await browser.post(
        "/api/auth/login", json={"username": "reception-paris", "password": PASSWORD}
    )
    assert response.status_code == 200
    issued = browser.cookies.get("session")
    assert issued and issued != planted
    attacker = await clients()
    attacker.cookies.set("session", planted, domain="testserver.local")
    assert (await attacker.get("/api/auth/me")).status_code == 401
    assert (await browser.get("/api/auth/me")).status_code == 200


async def test_signing_in_again_rotates_the_id_and_drops_the_old_one(
    clients: StaffClients,
) -> None:
    desk = await clients("reception-paris")
    first = desk.cookies.get("session")
    again = await desk.post(
        "/api/auth/login", json={"username": "reception-paris", "password": PASSWORD}
    )
    assert again.status_code == 200
    assert desk.cookies.get("session") != first
    replay = await clients()
    replay.cookies.set("session", str(first), domain="testserver.local")
    assert (await replay.get("/api/auth/me")).status_code == 401


async def test_sign_out_deletes_the_session_from_the_store(clients: StaffClients) -> None:
    manager = await clients("manager")
    session_id = str(manager.cookies.get("session"))
    store = clients.app.stores.get("sessions")
    assert await store.exists(session_id)
    assert (await manager.post("/api/auth/logout")).status_code == 204
    assert not await store.exists(session_id)


async def test_session_cookie_flags(clients: StaffClients) -> None:
    browser = await clients()
    response = await browser.post(
        "/api/auth/login", json={"username": "manager", "password": PASSWORD}
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_password_hashes_are_argon2id_with_sane_costs() -> None:
    parameters = extract_parameters(hash_password("x" * 12))
    assert parameters.type.name == "ID"
    # OWASP's floor for argon2id: 19 MiB and 2 passes; we keep RFC 9106's 64 MiB and 3.
    assert parameters.memory_cost >= 64 * 1024
    assert parameters.time_cost >= 3
    assert parameters.salt_len >= 16
