"""Cross-site requests with the staff cookie are refused; every response carries its headers."""

from __future__ import annotations

import pytest

from tests.conftest import StaffClients

pytestmark = pytest.mark.timeout(60)

ORIGIN = "http://testserver.local"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},  # the browser's word is enough
        {"Origin": "https://evil.example"},  # an older browser: Origin only
        {"Origin": "https://testserver.local"},  # same host, other scheme
        {"Origin": "http://testserver.local:8080"},  # same host, other port
        {"Origin": "null"},  # a sandboxed frame
    ],
)
async def test_a_cross_site_post_with_the_cookie_is_refused(
    clients: StaffClients, headers: dict[str, str]
) -> None:
    desk = await clients("reception-paris")
    response = await desk.post("/api/centres/paris/tickets", json={}, headers=headers)
    assert response.status_code == 403, response.text
    assert "cross-site" in response.json()["detail"]
    assert (await desk.get("/api/centres/paris/queue")).json()["tickets"] == []


async def test_same_origin_and_non_browser_posts_are_accepted(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    same = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
    assert (await desk.post("/api/centres/paris/tickets", json={}, headers=same)).status_code == 201
    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201


async def test_sign_in_from_another_site_is_refused(clients: StaffClients) -> None:
    browser = await clients()
    response = await browser.post(
        "/api/auth/login",
        json={"username": "manager", "password": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


async def test_reads_from_another_site_are_not_refused(clients: StaffClients) -> None:
    # Safe methods change nothing; SameSite=Lax keeps the cookie off cross-site subrequests.
    desk = await clients("reception-paris")
    response = await desk.get("/api/centres/paris/queue", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200


async def test_security_headers_on_every_kind_of_response(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    anonymous = await clients()
    responses = [
        await desk.get("/api/centres/paris/queue"),  # 200 with data
        await anonymous.get("/api/centres/paris/queue"),  # 401 from the auth middleware
        await desk.get("/api/centres/lyon/queue"),  # 403 from a guard
        await anonymous.get("/no/such/page"),  # 404 from the router
        await anonymous.get("/health"),
        await anonymous.get("/static/service/app.css"),
    ]
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
        assert "connect-src 'self' ws://testserver.local wss://testserver.local" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert "strict-transport-security" not in headers  # plain http here
    for response in responses[:5]:
        assert response.headers["cache-control"] == "no-store", response.url


async def test_hsts_when_the_proxy_says_https(clients: StaffClients) -> None:
    anonymous = await clients()
    response = await anonymous.get("/health", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=" in response.headers["strict-transport-security"]


async def test_https_origin_is_ours_behind_a_tls_proxy(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    response = await desk.post(
        "/api/centres/paris/tickets",
        json={},
        headers={"Origin": "https://testserver.local", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 201


async def test_a_hostile_host_header_is_not_echoed_into_the_policy(clients: StaffClients) -> None:
    anonymous = await clients()
    response = await anonymous.get("/health", headers={"Host": "x; script-src *"})
    assert "script-src *" not in response.headers["content-security-policy"]
