"""Behind a trusted https proxy every cookie is Secure (issue 11, item 12)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import PASSWORD, FakeClock, StaffClients, World

pytestmark = pytest.mark.timeout(30)
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
async def behind_proxy(
    settings: Settings, clock: FakeClock, world: World
) -> AsyncIterator[StaffClients]:
    # The test client's address is the proxy's.
    app = create_app(replace(settings, trusted_proxies=("127.0.0.1",)), clock=clock)
    clients = StaffClients(app)
    await clients.start()
    yield clients
    await clients.close()


def cookies_of(response: object) -> list[str]:
    return [v.lower() for v in response.headers.get_list("set-cookie")]  # type: ignore[attr-defined]


async def test_the_session_cookie_is_secure_behind_an_https_proxy(
    behind_proxy: StaffClients,
) -> None:
    browser = await behind_proxy()
    body = {"username": "reception-paris", "password": PASSWORD}
    signed_in = await browser.post("/api/auth/login", json=body, headers=HTTPS)
    assert signed_in.status_code == 200
    assert cookies_of(signed_in) and all("; secure" in c for c in cookies_of(signed_in))
    plain = await (await behind_proxy()).post("/api/auth/login", json=body)
    assert not any("secure" in c for c in cookies_of(plain))  # http: it would not come back


async def test_the_display_cookie_is_secure_behind_an_https_proxy(
    behind_proxy: StaffClients,
) -> None:
    tv = await behind_proxy()
    started = (await tv.post("/api/displays/pair", headers=HTTPS)).json()
    desk = await behind_proxy("reception-paris")
    body = {"code": started["code"], "label": "TV"}
    confirmed = await desk.post("/api/centres/paris/displays/pair", json=body, headers=HTTPS)
    assert confirmed.status_code == 200, confirmed.text
    paired = await tv.post(
        f"/api/displays/pair/{started['code']}", json={"claim": started["claim"]}, headers=HTTPS
    )
    assert paired.status_code == 200, paired.text
    display = [c for c in cookies_of(paired) if c.startswith("walkin_display=")]
    assert display and "; secure" in display[0]


async def test_a_spoofed_forwarded_scheme_from_elsewhere_changes_nothing(
    clients: StaffClients,
) -> None:
    browser = await clients()  # no trusted proxy configured
    body = {"username": "reception-paris", "password": PASSWORD}
    signed_in = await browser.post("/api/auth/login", json=body, headers=HTTPS)
    assert not any("secure" in c for c in cookies_of(signed_in))
