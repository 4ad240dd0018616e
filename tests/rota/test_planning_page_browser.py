"""The planning page in headless Chromium: see a gap, fill it, approve leave, see the conflict."""

from __future__ import annotations

import asyncio
import socket
import tempfile
from collections.abc import AsyncIterator

import pytest
import uvicorn
from litestar import Litestar

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import PASSWORD
from tests.rota.conftest import MONDAY, Rota

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server(app: Litestar, rota: Rota) -> AsyncIterator[str]:
    """The app on a real port, in this test's event loop (its lifespan owns the database)."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def test_manager_fills_a_gap_and_sees_the_conflict_of_approved_leave(
    server: str, rota: Rota
) -> None:
    require_chromium()
    from playwright.async_api import async_playwright

    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                page = await browser.new_page()
                # Not signed in: sent to the login page, which brings the manager back.
                await page.goto(f"{server}/rota?start={MONDAY}")
                assert "/login?next=%2Frota" in page.url

                login = await page.request.post(
                    f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
                )
                assert login.ok
                await page.goto(f"{server}/rota?start={MONDAY}")
                cell = page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"]')
                await cell.wait_for()
                assert "gap" in (await cell.get_attribute("class") or "")
                assert "Manque 1" in await cell.inner_text()

                # Add Alice 08:00–20:00 from the day panel: the cell turns covered.
                await cell.locator("button").click()
                form = page.locator("#add-form")
                await form.locator("select[name=doctor_id]").select_option(
                    str(rota.doctors["alice"])
                )
                await form.locator("select[name=room]").select_option("1")
                async with page.expect_navigation():
                    await form.locator("button[type=submit]").click()
                cell = page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"]')
                assert "covered" in (await cell.get_attribute("class") or "")
                assert "Couvert" in await cell.inner_text()

                # Alice asks for that day off; approving it needs a confirmation, then the
                # shift stays and shows as a conflict.
                asked = await page.request.post(
                    f"{server}/api/rota/leave",
                    data={
                        "doctor_id": rota.doctors["alice"],
                        "first_day": MONDAY,
                        "last_day": MONDAY,
                        "accept_warnings": True,
                    },
                )
                assert asked.status == 201
                await page.reload()
                leave = page.locator("#leave-panel li.leave")
                assert "Dr Alice Martin" in await leave.inner_text()
                await leave.locator("button.approve").click()
                await page.locator("#confirm-warnings").wait_for()
                assert "est en congé" in await page.locator("#answer").inner_text()
                async with page.expect_navigation():
                    await page.locator("#confirm-warnings").click()
                cell = page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"]')
                assert "conflict" in (await cell.get_attribute("class") or "")
                assert "1 conflit(s)" in await cell.inner_text()
                assert await page.locator("#leave-panel li.leave").count() == 0
            finally:
                await browser.close()
