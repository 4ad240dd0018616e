"""Refusals that must be the right ones: 415 for a body that is not JSON, the desk's actions
kept from doctors, an HTML page (not raw JSON) for a browser refused a page, single charsets."""

from __future__ import annotations

import re

import pytest

from tests.conftest import StaffClients
from tests.rota.conftest import MONDAY, Rota
from tests.rota.conftest import rota as rota  # the fixture
from tests.rota.helpers import add_shift

pytestmark = pytest.mark.timeout(60)


async def test_a_check_in_that_is_not_json_is_a_415(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = await desk.post(
            "/api/centres/paris/tickets", content=b'{"label": "A.B."}', headers=headers
        )
        assert response.status_code == 415, (content_type, response.text)
        assert "JSON" in response.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).json()["tickets"] == []
    ok = await desk.post(
        "/api/centres/paris/tickets",
        content=b'{"label": "A.B."}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201, ok.text


async def test_doctors_cannot_cancel_tickets_or_close_check_in(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    base = "/api/centres/paris"
    first = (await desk.post(f"{base}/tickets", json={})).json()
    second = (await desk.post(f"{base}/tickets", json={})).json()
    for path in (
        f"{base}/tickets/{first['id']}/cancel",
        f"{base}/tickets/{first['id']}/left-unseen",
        f"{base}/tickets/{first['id']}/priority",
        f"{base}/checkin/close",
    ):
        body = {"priority": "urgent"} if path.endswith("priority") else None
        response = await doctor.post(path, json=body)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["detail"]
    queue = (await desk.get(f"{base}/queue")).json()
    assert [t["status"] for t in queue["tickets"]] == ["waiting", "waiting"]
    assert queue["checkin_open"] is True
    # What a doctor does in the consulting room still works.
    called = await doctor.post(f"{base}/call-next", json={"room": "1"})
    assert called.status_code == 200, called.text
    no_show = await doctor.post(f"{base}/tickets/{called.json()['id']}/no-show")
    assert no_show.status_code == 200, no_show.text
    # And the desk keeps its own actions.
    assert (await desk.post(f"{base}/tickets/{second['id']}/cancel")).status_code == 200
    assert (await desk.post(f"{base}/checkin/close")).status_code == 200


async def test_calendar_and_csv_name_their_charset_once(clients: StaffClients, rota: Rota) -> None:
    manager = await clients("manager")
    await add_shift(manager, rota, "alice", MONDAY, "08:00", "14:00", room="1")
    created = await manager.post(f"/api/rota/doctors/{rota.doctors['alice']}/calendar-tokens")
    url = created.json()["url"]
    feed = await (await clients()).get(url[url.index("/cal/") :])
    csv = await manager.get("/api/rota/centres/paris/2026-12.csv")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"


async def test_a_page_refused_to_a_browser_is_an_html_page(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/rota", "/centres", "/room/lyon"):
        page = await desk.get(path, headers=browser)
        assert page.status_code == 403, (path, page.text)
        assert page.headers["content-type"].startswith("text/html"), path
        assert "Accès refusé" in page.text, path
    # The API keeps its JSON refusal, whatever the client accepts.
    api = await desk.get("/api/rota/doctors", headers=browser)
    assert api.status_code == 403
    assert api.json()["detail"]


async def test_the_api_documentation_needs_nothing_from_other_hosts(clients: StaffClients) -> None:
    visitor = await clients()
    page = await visitor.get("/schema")
    assert page.status_code == 200
    assert "https://" not in page.headers["content-security-policy"]
    sources = re.findall(r"""(?:src|href)=["']([^"']*)["']""", page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        asset = await visitor.get(source)
        assert asset.status_code == 200, source
        assert b"Redoc" in asset.content[:100_000], source


async def test_the_openapi_schema_documents_the_refusals(clients: StaffClients) -> None:
    schema = (await (await clients()).get("/schema/openapi.json")).json()
    check_in = schema["paths"]["/api/centres/{centre_slug}/tickets"]["post"]["responses"]
    assert {"200", "201", "401", "403", "404", "409", "413", "415", "429", "503"} <= set(check_in)
    assert {"401", "429"} <= set(schema["paths"]["/api/auth/login"]["post"]["responses"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "503" in operation["responses"], (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(operation["responses"]), (method, path)
