"""Every route, enumerated from the app, tried as an attacker would.

New routes are covered as soon as they are registered: each must be classified (see
service/access.py), and each is tried without credentials, from another centre's reception,
by roles its guards exclude, and with a signed-out or expired session.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.access import ANONYMOUS, Access, route_rules
from service.settings import Settings
from tests.conftest import StaffClients, WallClock, World, add_centre_manager
from tests.security.helpers import (
    PLANTED_LABEL,
    PLANTED_PHONE,
    assert_no_personal_data,
    concrete_path,
    describe,
    has_centre_param,
    websocket_probe,
)

pytestmark = pytest.mark.timeout(60)

# Signing out ends the session the test is using: it is tried on its own.
ENDS_SESSION = {"/api/auth/logout"}


def _refused_without_session(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    # Pages answer a missing session with a redirect to the sign-in page.
    return response.status_code in {302, 303, 307} and response.headers.get(
        "location", ""
    ).startswith("/login")


async def _plant_ticket(clients: StaffClients) -> int:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets", json={"label": PLANTED_LABEL, "phone": PLANTED_PHONE}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _send(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
    return await client.request(method, url, json=body)


def test_every_route_declares_its_access(settings: Settings) -> None:
    from service.app import create_app

    app = create_app(settings)
    unclassified = [describe(rule) for rule in route_rules(app) if rule.access is None]
    assert not unclassified, (
        "routes with neither a guard nor opt={'access': ...} nor an anonymous path rule: "
        f"{unclassified}"
    )


async def test_without_credentials_only_anonymous_routes_answer(
    clients: StaffClients, app: Litestar
) -> None:
    ticket_id = await _plant_ticket(clients)
    anonymous = await clients()
    for rule in route_rules(app):
        url = concrete_path(rule.path, "paris", ticket_id)
        if rule.websocket:
            state, messages = await websocket_probe(app, url)
            if rule.access not in ANONYMOUS:
                assert state == "refused", describe(rule)
            assert_no_personal_data(messages)
            continue
        for method in rule.methods:
            response = await _send(anonymous, method, url)
            assert response.status_code < 500, (describe(rule), response.text)
            if rule.access in ANONYMOUS:
                assert_no_personal_data(response.content)
            else:
                assert _refused_without_session(response), (
                    describe(rule),
                    response.status_code,
                    response.text,
                )


async def test_reception_is_refused_at_another_centre(clients: StaffClients, app: Litestar) -> None:
    ticket_id = await _plant_ticket(clients)
    lyon_desk = await clients("reception-lyon")
    checked = 0
    for rule in route_rules(app):
        if rule.websocket or rule.access is not Access.STAFF or not has_centre_param(rule.path):
            continue
        for method in rule.methods:
            response = await _send(lyon_desk, method, concrete_path(rule.path, "paris", ticket_id))
            assert response.status_code == 403, (describe(rule), response.text)
            assert_no_personal_data(response.content)
            checked += 1
    assert checked >= 10


async def test_a_centre_manager_is_refused_outside_their_centres(
    clients: StaffClients, app: Litestar, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    ticket_id = await _plant_ticket(clients)
    await add_centre_manager(db, world, "gestion-lyon", ["lyon", "bruxelles"])
    boss = await clients("gestion-lyon")
    checked = 0
    for rule in route_rules(app):
        if rule.websocket or rule.access is not Access.STAFF or not has_centre_param(rule.path):
            continue
        for method in rule.methods:
            response = await _send(boss, method, concrete_path(rule.path, "paris", ticket_id))
            assert response.status_code == 403, (describe(rule), response.text)
            assert_no_personal_data(response.content)
            checked += 1
    assert checked >= 20


def _checks_named_centres(handler: Any) -> bool:
    from service.access import guards_of

    return any(getattr(guard, "__name__", "") == "shift_scope" for guard in guards_of(handler))


async def test_roles_outside_a_routes_guards_are_refused(
    clients: StaffClients, app: Litestar, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    from service.access import allowed_roles

    ticket_id = await _plant_ticket(clients)
    await add_centre_manager(db, world, "gestion-paris", ["paris"])
    staff = {
        "doctor": await clients("doctor-paris"),
        "reception": await clients("reception-paris"),
        "centre_manager": await clients("gestion-paris"),
        "manager": await clients("manager"),
    }
    refusals = 0
    for rule in route_rules(app):
        if rule.websocket or rule.access is not Access.STAFF or rule.path in ENDS_SESSION:
            continue
        roles = allowed_roles(rule.handler)
        url = concrete_path(rule.path, "paris", ticket_id)
        for role, client in staff.items():
            for method in rule.methods:
                response = await _send(client, method, url)
                assert response.status_code < 500, (describe(rule), role, response.text)
                if roles is not None and role not in roles:
                    assert response.status_code == 403, (describe(rule), role, response.text)
                    refusals += 1
                elif role == "centre_manager" and _checks_named_centres(rule.handler):
                    # Let through by role, then refused unless the request names their centre
                    # (the list of shifts without ?centre=): never a 401, never a 500.
                    assert response.status_code != 401, (describe(rule), role)
                else:
                    assert response.status_code not in {401, 403}, (describe(rule), role)
    # At least the audit log is for managers only.
    assert refusals >= 2


async def _staff_routes_refuse(client: httpx.AsyncClient, app: Litestar, ticket_id: int) -> None:
    for rule in route_rules(app):
        if rule.websocket or rule.access is not Access.STAFF:
            continue
        for method in rule.methods:
            response = await _send(client, method, concrete_path(rule.path, "paris", ticket_id))
            assert _refused_without_session(response), (describe(rule), response.status_code)


async def test_a_signed_out_session_cookie_is_worthless(
    clients: StaffClients, app: Litestar
) -> None:
    ticket_id = await _plant_ticket(clients)
    manager = await clients("manager")
    stolen = manager.cookies.get("session")
    assert stolen
    assert (await manager.post("/api/auth/logout")).status_code == 204
    replay = await clients()
    replay.cookies.set("session", stolen)
    await _staff_routes_refuse(replay, app, ticket_id)


async def test_an_idle_session_expires(
    clients: StaffClients, app: Litestar, wall_clock: WallClock
) -> None:
    wall_clock.pinned = 1_900_000_000.0
    ticket_id = await _plant_ticket(clients)
    desk = await clients("reception-paris")
    wall_clock.offset += 2 * 3600 - 60
    assert (await desk.get("/api/centres/paris/queue")).status_code == 200  # still active
    wall_clock.offset += 2 * 3600 - 60  # used a moment ago: the idle clock restarted
    assert (await desk.get("/api/centres/paris/queue")).status_code == 200
    wall_clock.offset += 2 * 3600 + 1
    await _staff_routes_refuse(desk, app, ticket_id)


async def test_a_session_ends_at_its_maximum_age_even_when_busy(
    clients: StaffClients, app: Litestar, wall_clock: WallClock
) -> None:
    wall_clock.pinned = 1_900_000_000.0
    desk = await clients("reception-paris")
    for _ in range(7):  # busy every 1h50 for 12h50: never idle, but past the 12 h lifetime
        wall_clock.offset += 110 * 60
        response = await desk.get("/api/centres/paris/queue")
    assert response.status_code == 401


async def test_the_websocket_probe_tells_refusals_from_leaks(settings: Settings) -> None:
    """The probe used above on feeds: it must see a refused socket, and a label sent."""
    from litestar import WebSocket, websocket

    from service.app import create_app

    async def send_label(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        await socket.send_json({"label": PLANTED_LABEL})
        await socket.close()

    app = create_app(settings)
    app.register(websocket("/ws/leaky", opt={"exclude_from_auth": True})(send_label))
    app.register(websocket("/ws/staff-feed")(send_label))
    assert (await websocket_probe(app, "/ws/staff-feed"))[0] == "refused"
    state, messages = await websocket_probe(app, "/ws/leaky")
    assert state == "accepted"
    with pytest.raises(AssertionError, match="leaked"):
        assert_no_personal_data(messages)


def test_centre_managers_reach_the_rota_of_their_centres_but_not_the_cycle(
    settings: Settings,
) -> None:
    """The planning a centre manager's role lets through (each then checks the centres the
    request touches, see tests/test_access.py); the month's cycle is the network office's."""
    from service.access import allowed_roles
    from service.app import create_app

    opened, closed = set(), set()
    for rule in route_rules(create_app(settings)):
        if rule.path.startswith(("/api/rota/", "/rota")) and rule.access is Access.STAFF:
            roles = allowed_roles(rule.handler)
            (opened if roles and "centre_manager" in roles else closed).add(rule.path)
    for path in (
        "/rota",
        "/rota/board",
        "/rota/day",
        "/rota/leave",
        "/api/rota/shifts",
        "/api/rota/patterns",
        "/api/rota/leave",
        "/api/rota/leave/{leave_id:int}/{decision:str}",
        "/api/rota/fill",
    ):
        assert path in opened, path
    assert {p for p in closed if p.startswith("/api/rota/cycles")} != set()
    assert not {p for p in opened if p.startswith("/api/rota/cycles")}
