"""Malformed headers, paths, cookies and bodies get a 4xx (a 44xx close on a WebSocket) with a
message, before any handler runs, on every route: never a 500."""

from __future__ import annotations

import json

import pytest
from litestar import Litestar

from tests.conftest import StaffClients
from tests.security.helpers import concrete_path, websocket_probe

pytestmark = pytest.mark.timeout(90)

BROKEN_ORIGIN = "http://[::1"


async def test_a_malformed_origin_on_an_unsafe_route_is_a_400(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets", json={}, headers={"Origin": BROKEN_ORIGIN}
    )
    assert response.status_code == 400, response.text
    assert "origin" in response.json()["detail"].lower()
    assert (await desk.get("/api/centres/paris/queue")).json()["tickets"] == []


async def test_a_malformed_host_is_a_400(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets",
        json={},
        headers={"Host": "[::1", "Origin": "http://testserver.local"},
    )
    assert response.status_code == 400, response.text
    assert "host" in response.json()["detail"].lower()


async def test_a_malformed_origin_on_the_screen_page_is_a_400(clients: StaffClients) -> None:
    visitor = await clients()
    response = await visitor.get("/display/paris", headers={"Origin": BROKEN_ORIGIN})
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/ws/centres/paris", [("origin", BROKEN_ORIGIN)]),
        ("/ws/centres/%00", []),
    ],
)
async def test_a_malformed_websocket_request_is_closed_with_4400(
    clients: StaffClients, app: Litestar, path: str, headers: list[tuple[str, str]]
) -> None:
    closes: list[int] = []
    await websocket_probe(app, path.replace("%00", "\x00"), headers, closes=closes)
    assert closes == [4400]


async def test_a_nul_byte_in_a_static_path_is_a_400(clients: StaffClients) -> None:
    visitor = await clients()
    response = await visitor.get("/static/service/x%00")
    assert response.status_code == 400, response.text
    assert response.json()["detail"]


async def test_a_non_ascii_session_cookie_is_ignored(clients: StaffClients) -> None:
    visitor = await clients()
    for path in ("/", "/login", "/api/auth/me"):
        response = await visitor.get(path, headers={"Cookie": "session=%E2%82%AC"})
        assert response.status_code in {200, 401}, (path, response.text)


async def test_a_date_beyond_the_calendar_is_a_400(clients: StaffClients) -> None:
    manager = await clients("manager")
    response = await manager.get("/rota?view=month&start=9999-12-01")
    assert 400 <= response.status_code < 500, response.text


def json_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "data" in handler.parsed_fn_signature.parameters:
                for method in sorted(handler.http_methods):
                    found.append((method, route.path))
    return found


async def test_json_nested_a_thousand_deep_is_a_400_on_every_json_route(
    clients: StaffClients, app: Litestar
) -> None:
    manager = await clients("manager")
    routes = json_routes(app)
    assert len(routes) > 20
    deep = ("[" * 1000 + "]" * 1000).encode()
    wrapped = b'{"a": ' + deep + b"}"
    for method, template in routes:
        url = concrete_path(template, "paris", 1)
        for body in (deep, wrapped):
            response = await manager.request(
                method, url, content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400, (method, url, response.text)
            assert "deep" in json.loads(response.text)["detail"]
