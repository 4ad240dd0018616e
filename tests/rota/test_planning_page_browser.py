"""The planning page in headless Chromium: see a gap, fill it, approve leave, see the conflict."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD, add_centre_manager
from tests.rota.conftest import MONDAY, Rota

if TYPE_CHECKING:
    from playwright.async_api import Page

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


async def _open_the_week_signed_in(page: Page, server: str) -> None:
    login = await page.request.post(
        f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
    )
    assert login.ok
    await page.goto(f"{server}/rota?start={MONDAY}")


async def test_manager_fills_a_gap_and_sees_the_conflict_of_approved_leave(
    server: str, rota: Rota
) -> None:
    require_chromium()
    async with chromium_context(
        headless=True,
        locale="fr-FR",  # the page speaks the browser's language when none is chosen
    ) as browser:
        page = await browser.new_page()
        # A script error or a CSP refusal (htmx under script-src 'self') fails the test.
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        # Not signed in: sent to the login page, which brings the manager back.
        await page.goto(f"{server}/rota?start={MONDAY}")
        assert "/login?next=/rota" in page.url

        await _open_the_week_signed_in(page, server)
        cell = page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"]')
        await cell.wait_for()
        assert "gap" in (await cell.get_attribute("class") or "")
        assert "Manque 1" in await cell.inner_text()

        # Add Alice 08:00–20:00 from the day panel: the cell turns covered.
        await cell.locator("button").click()
        form = page.locator("#add-form")
        await form.locator("select[name=doctor_id]").select_option(str(rota.doctors["alice"]))
        await form.locator("select[name=room]").select_option("1")
        # The edit refreshes the grid and the day in place (htmx), without a reload.
        await page.evaluate("window.notReloaded = true")
        await form.locator("button[type=submit]").click()
        covered = f'td.cell.covered[data-centre="paris"][data-day="{MONDAY}"]'
        await page.locator(covered).wait_for()
        assert "Couvert" in await page.locator(covered).inner_text()
        await page.locator("#day-shifts li[data-shift]").wait_for()
        assert "Dr Alice Martin" in await page.locator("#day-shifts").inner_text()
        assert await page.evaluate("window.notReloaded === true")

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
        # A warning to confirm (the shift is to reassign), not a blocking "⛔ … est en congé".
        answer = await page.locator("#answer").inner_text()
        assert "à réattribuer" in answer and "⛔" not in answer
        await page.locator("#confirm-warnings").click()
        conflict = f'td.cell.conflict[data-centre="paris"][data-day="{MONDAY}"]'
        # The conflict is written in the cell, not only in a tooltip; the day is short again.
        await page.locator(conflict, has_text="en congé").wait_for()
        assert "1 conflit(s)" in await page.locator(conflict).inner_text()
        assert "0/1" in await page.locator(conflict).inner_text()
        await page.locator("#leave-panel li.leave").wait_for(state="detached")
        assert await page.locator("#conflict-total").inner_text() == "1"
        assert not errors, errors


async def test_an_ended_session_sends_the_planning_page_to_login_and_back(
    server: str, rota: Rota
) -> None:
    require_chromium()
    async with chromium_context(locale="fr-FR") as browser:
        page = await browser.new_page()
        await _open_the_week_signed_in(page, server)
        cell = page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"] button')
        await cell.click()
        await page.locator("#add-form").wait_for()
        # The session ends (signed out elsewhere, or expired) while the page is open.
        assert (await page.request.post(f"{server}/api/auth/logout")).ok
        # An htmx part answers with HX-Redirect: the whole page goes to login, not
        # the login form swapped into the panel.
        await cell.click()
        await page.wait_for_url(f"**/login?next=/rota%3Fstart%3D{MONDAY}")
        await page.get_by_label("Identifiant").fill("manager")
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.wait_for_url(f"**/rota?start={MONDAY}")
        # A JSON edit through the kit sends to login too (401 from the API).
        await cell.click()
        await page.locator("#add-form").wait_for()
        assert (await page.request.post(f"{server}/api/auth/logout")).ok
        await page.locator("#add-form button[type=submit]").click()
        await page.wait_for_url(f"**/login?next=%2Frota%3Fstart%3D{MONDAY}")


async def test_month_keeps_the_day_and_a_shift_moves_by_a_dialog_checked_first(
    server: str, rota: Rota
) -> None:
    require_chromium()
    added = None
    async with chromium_context(locale="fr-FR") as browser:
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login = await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        assert login.ok
        # The week of Tuesday 1 December starts on Monday 30 November: "Mois" opens December.
        await page.goto(f"{server}/rota?view=week&start=2026-12-01")
        await page.get_by_role("link", name="Mois").click()
        await page.wait_for_url("**view=month&start=2026-12-01")
        assert "01/12/2026 – 31/12/2026" in await page.locator(".period").inner_text()

        added = await page.request.post(
            f"{server}/api/rota/shifts",
            data={
                "doctor_id": rota.doctors["alice"],
                "centre": "paris",
                "room": "1",
                "day": MONDAY,
                "start_time": "08:00",
                "end_time": "20:00",
            },
        )
        assert added.status == 201
        await page.reload()
        await page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"] button').click()
        await page.locator("#day-shifts li[data-shift] button.move").click()
        dialog = page.locator("#move-dialog")
        await dialog.wait_for()
        await dialog.locator("select[name=doctor_id]").select_option(str(rota.doctors["bruno"]))
        await dialog.locator("input[name=start_time]").fill("09:00")
        await dialog.locator("#move-check").click()
        # 08:00–09:00 would be left without a doctor: shown before saving.
        await dialog.locator("#move-checks li").first.wait_for()
        assert "Paris 11e" in await dialog.locator("#move-checks").inner_text()
        await dialog.locator("input[name=start_time]").fill("08:00")
        await dialog.locator("#move-check").click()
        await page.get_by_text("Aucun conflit").wait_for()
        await dialog.locator("#move-save").click()
        await page.locator("#day-shifts", has_text="Dr Bruno Petit").wait_for()
        assert "Dr Alice Martin" not in await page.locator("#day-shifts").inner_text()
        assert not errors, errors


async def test_a_centre_manager_plans_their_centre_on_the_page(
    server: str, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    """Only Paris on the grid, no cycle panel, and a shift added there from the day panel."""
    await add_centre_manager(db, rota.world, "gestion-paris", ["paris"])
    require_chromium()
    async with chromium_context(locale="fr-FR") as browser:
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login = await page.request.post(
            f"{server}/api/auth/login", data={"username": "gestion-paris", "password": PASSWORD}
        )
        assert login.ok
        await page.goto(f"{server}/rota?view=week&start={MONDAY}")
        assert await page.locator("#staff-nav a[href='/rota']").count() == 1
        assert await page.locator("td.cell[data-centre='lyon']").count() == 0
        assert await page.locator("#cycle-panel").count() == 0
        await page.locator(f'td.cell[data-centre="paris"][data-day="{MONDAY}"] button').click()
        form = page.locator("#add-form")
        await form.locator("select[name=doctor_id]").select_option(str(rota.doctors["alice"]))
        await form.locator("button[type=submit]").click()
        covered = f'td.cell.covered[data-centre="paris"][data-day="{MONDAY}"]'
        await page.locator(covered).wait_for()
        assert "Dr Alice Martin" in await page.locator("#day-shifts").inner_text()
        assert not errors, errors
