"""The statistics pages in headless Chromium: charts drawn, tables beside, no script or CSP
error, the CSV behind a chart downloads, the statement prints, on a tablet and a phone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD, World
from tests.pages.server import free_port
from tests.stats.test_pages import _seed

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
async def server(app: Litestar) -> AsyncIterator[str]:
    """The app on a real port, in this test's event loop (its lifespan owns the database)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def test_each_statistics_page_draws_its_charts_beside_their_tables(
    server: str, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    require_chromium()
    first, _ = await _seed(db, world)
    pages = (
        ("manager", "/stats/network?from=2026-10-01&to=2026-10-31", 4),
        ("manager", "/stats/centres/paris?day=2026-10-11", 2),
        ("manager", "/stats/centres/paris?month=2026-10", 3),
        ("manager", "/stats/estimates?from=2026-10-01&to=2026-10-31", 1),
        ("dr-0", f"/stats/doctors/{first}?month=2026-10", 1),
    )
    async with chromium_context(headless=True, locale="fr-FR", accept_downloads=True) as browser:
        for username, path, charts in pages:
            for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
                page = await browser.new_page()
                await page.set_viewport_size(viewport)  # type: ignore[arg-type]
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.on(
                    "console",
                    lambda message, errors=errors: (
                        # (a 404 for /favicon.ico, which Chromium asks for, is not ours)
                        errors.append(message.text)
                        if "Content Security Policy" in message.text
                        else None
                    ),
                )
                page.on(
                    "response",
                    lambda response, errors=errors: (
                        errors.append(f"{response.status} {response.url}")
                        if response.status >= 400
                        else None
                    ),
                )
                login = await page.request.post(
                    f"{server}/api/auth/login", data={"username": username, "password": PASSWORD}
                )
                assert login.ok
                await page.goto(f"{server}{path}")
                assert await page.locator("html").get_attribute("lang") == "fr"
                svg = page.locator("svg.chart")
                assert await svg.count() == charts, path
                for index in range(charts):
                    chart = svg.nth(index)
                    assert await chart.get_attribute("role") == "img"
                    box = await chart.bounding_box()
                    assert box is not None and box["width"] > 200, (path, viewport, box)
                    assert await chart.locator("title").first.text_content()
                assert await page.locator("table.stats-table").count() >= charts
                # Nothing wider than the screen but the tables' own scrolling boxes.
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"] + 1, (path, viewport, width)
                assert errors == [], (path, errors)
                await page.close()

        page = await browser.new_page()
        await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        await page.goto(f"{server}/stats/centres/paris?day=2026-10-11")
        async with page.expect_download() as download_info:
            await page.locator("a[href*='table=hours']").first.click()
        download = await download_info.value
        assert download.suggested_filename == "paris-2026-10-11-hours.csv"
        # The statement's print button opens the print dialog (stubbed: headless cannot).
        await page.goto(f"{server}/stats/doctors/{first}?month=2026-10")
        await page.evaluate("window.print = () => { window.printed = true; }")
        await page.get_by_role("button", name="Imprimer le relevé").click()
        assert await page.evaluate("window.printed === true")
        await page.emulate_media(media="print")
        assert not await page.locator("form.stats-period").is_visible()
