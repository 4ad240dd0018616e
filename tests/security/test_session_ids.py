"""Session ids are made by the server only: an id a client invents is ignored, never stored."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD, StaffClients

pytestmark = pytest.mark.timeout(60)

PLANTED = "attacker-chosen-id-123"
ANONYMOUS_PAGES = ["/", "/login", "/attente", "/api/public/waits", "/display/paris"]


def session_cookies(set_cookie: list[str]) -> list[str]:
    return [value for value in set_cookie if value.lower().startswith("session=")]


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
async def test_an_invented_session_id_is_neither_stored_nor_sent_back(
    clients: StaffClients, path: str
) -> None:
    visitor = await clients()
    response = await visitor.get(path, headers={"Cookie": f"session={PLANTED}"})
    assert response.status_code < 500, response.text
    assert session_cookies(response.headers.get_list("set-cookie")) == []
    assert not await clients.app.stores.get("sessions").exists(PLANTED)


async def test_a_failed_sign_in_stores_no_session_under_an_invented_id(
    clients: StaffClients,
) -> None:
    visitor = await clients()
    response = await visitor.post(
        "/api/auth/login",
        json={"username": "manager", "password": "wrong password"},
        headers={"Cookie": f"session={PLANTED}"},
    )
    assert response.status_code == 401
    assert session_cookies(response.headers.get_list("set-cookie")) == []
    assert not await clients.app.stores.get("sessions").exists(PLANTED)


async def test_sign_in_under_an_invented_id_gets_a_server_made_one(clients: StaffClients) -> None:
    visitor = await clients()
    response = await visitor.post(
        "/api/auth/login",
        json={"username": "manager", "password": PASSWORD},
        headers={"Cookie": f"session={PLANTED}"},
    )
    assert response.status_code == 200
    (cookie,) = session_cookies(response.headers.get_list("set-cookie"))
    issued = cookie.split(";")[0].removeprefix("session=")
    assert re.fullmatch(r"[0-9a-f]{64}", issued)
    store = clients.app.stores.get("sessions")
    assert await store.exists(issued)
    assert not await store.exists(PLANTED)


async def test_a_signed_in_session_keeps_its_id_across_requests(clients: StaffClients) -> None:
    manager = await clients("manager")
    issued = manager.cookies.get("session")
    assert (await manager.get("/api/auth/me")).status_code == 200
    assert manager.cookies.get("session") == issued
