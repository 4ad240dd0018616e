"""The comparison page in headless Chromium: both charts drawn beside their tables, nothing
wider than a phone, no script or CSP error, no serious accessibility violation."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.axe import serious_violations
from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD, World
from tests.stats.test_afterwards import _seed
from tests.stats.test_pages_browser import server  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


async def test_the_comparison_page_reads_on_a_desk_and_a_phone(
    server: str,  # noqa: F811
    db: async_sessionmaker[AsyncSession],
    world: World,
) -> None:
    require_chromium()
    await _seed(db, world)
    async with chromium_context(headless=True, locale="fr-FR") as browser:
        for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
            page = await browser.new_page()
            await page.set_viewport_size(viewport)  # type: ignore[arg-type]
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.on(
                "console",
                lambda message, errors=errors: (
                    errors.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            login = await page.request.post(
                f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
            )
            assert login.ok
            await page.goto(f"{server}/stats/network?from=2026-10-01&to=2026-10-31")
            await page.get_by_role("link", name="Prévisions et réalité").click()
            await page.locator("input[name=month]").fill("2026-10")
            await page.get_by_role("button", name="Afficher").click()
            await page.wait_for_url("**/stats/afterwards?month=2026-10")
            charts = page.locator("svg.chart")
            assert await charts.count() == 2
            for index in range(2):
                box = await charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 200, (viewport, box)
            assert await page.locator("#table-centre_weeks tbody tr").count() == 5
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, (viewport, width)
            assert errors == []
            await page.close()
    # axe goes in as an inline script: a context of its own lets it past our CSP.
    async with chromium_context(headless=True, locale="fr-FR", bypass_csp=True) as browser:
        page = await browser.new_page()
        await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        await page.goto(f"{server}/stats/afterwards?month=2026-10")
        assert await serious_violations(page) == []
