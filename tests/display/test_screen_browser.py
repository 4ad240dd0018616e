"""The screen page in headless Chromium shows a newly called ticket."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import chromium_context, require_chromium
from tests.conftest import World
from tests.display.conftest import Served, make_token

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]


async def test_screen_page_shows_a_newly_called_ticket(
    served: Served, db: Any, world: World
) -> None:
    require_chromium()
    _, token = await make_token(db, world, "paris")
    desk = await served.http("reception-paris")
    doctor = await served.http("doctor-paris")
    await desk.post("/api/centres/paris/tickets", json={"label": "Zoé"})
    async with chromium_context(
        viewport={"width": 1920, "height": 1080},
        # The page's CSP forbids eval; Playwright's wait_for_function needs it.
        bypass_csp=True,
    ) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        feeds: list[str] = []
        page.on("websocket", lambda socket: feeds.append(socket.url))
        await page.goto(f"{served.base}/display/paris?token={token}")
        # Connected: the snapshot shows one patient waiting and the token left the URL.
        await page.wait_for_function(
            "document.getElementById('waiting-total').textContent === '1'", timeout=10000
        )
        assert "token=" not in page.url
        assert await page.locator("#offline").is_hidden()
        called = await doctor.post("/api/centres/paris/call-next", json={"room": "3"})
        assert called.status_code == 200
        first = page.locator("#called li").first
        await first.wait_for(timeout=10000)
        assert "A001" in await first.inner_text()
        assert "Cabinet 3" in await first.inner_text()
        # The counts come with the waits message, read after the event went out: soon after.
        await page.wait_for_function(
            "document.getElementById('waiting-total').textContent === '0'", timeout=10000
        )
        assert "Zoé" not in await page.content()
        # The feed authenticated by the display cookie: no token in its URL (logs).
        assert feeds and not any(token in url or "token=" in url for url in feeds)
        # After a reload without the token, the cookie still opens page and feed.
        await page.goto(f"{served.base}/display/paris")
        await page.locator("#called li").first.wait_for(timeout=10000)
        assert await page.locator("#offline").is_hidden()


async def test_a_paired_tv_shows_its_centre_by_cookie_alone(served: Served) -> None:
    require_chromium()
    desk = await served.http("reception-paris")
    async with chromium_context(
        locale="fr-FR",
        bypass_csp=True,  # for wait_for_function (eval); the kit itself needs none
    ) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        errors: list[str] = []
        feeds: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("websocket", lambda socket: feeds.append(socket.url))
        await page.goto(f"{served.base}/display/pair")
        await page.wait_for_function(
            "/^[A-Z0-9]{3} [A-Z0-9]{3}$/.test(document.getElementById('pair-code').textContent)",
            timeout=10000,
        )
        code = (await page.locator("#pair-code").inner_text()).replace(" ", "")
        confirmed = await desk.post(
            "/api/centres/paris/displays/pair", json={"code": code, "label": "TV"}
        )
        assert confirmed.status_code == 200, confirmed.text
        # The TV collects its cookie on its next poll (every 3 s) and opens the screen.
        await page.wait_for_url("**/display/paris", timeout=15000)
        await page.locator("#waiting-total").wait_for()
        await page.wait_for_function(
            "document.getElementById('waiting-total').textContent === '0'", timeout=10000
        )
        assert await page.locator("#offline").is_hidden()
        assert "token" not in page.url
        assert feeds and not any("token" in url for url in feeds)
        assert await page.evaluate("localStorage.length") == 0
        assert not errors, errors
