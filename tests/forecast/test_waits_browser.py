"""The planning page in headless Chromium: a manager asks for the predicted waits of a centre's
draft month, sees the Monday mornings past target, and changes the target."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from tests.axe import serious_violations
from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD, World
from tests.forecast.seeded import MONDAY, add_shift, paris_doctors, seed_history

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server(
    app: Litestar, world: World, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[str]:
    """History at Paris, a draft with two doctors on Monday 7 December, the app on a port."""
    await seed_history(db, world)
    for doctor in await paris_doctors(db, world, 2):
        await add_shift(db, world, doctor, MONDAY, 8, 20)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def test_manager_sees_predicted_waits_past_target_and_sets_the_target(
    server: str, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    require_chromium()
    async with chromium_context(headless=True, locale="fr-FR") as browser:
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        login = await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        assert login.ok
        await page.goto(f"{server}/rota?view=month&start={MONDAY}")
        await page.select_option("#waits-centre", "paris")
        await page.get_by_role("button", name="Voir les attentes prévues").click()
        row = page.locator(f'#waits-result tr[data-day="{MONDAY}"]')
        await row.wait_for(timeout=60_000)
        # Past target: in colour, and in words next to it.
        assert "past" in (await row.get_attribute("class") or "")
        hours = await row.locator(".hour.past").all_inner_texts()
        assert any(text.startswith("9h") for text in hours), hours
        assert "jour(s) avec des heures au-delà de la cible" in await page.inner_text(
            "#waits-summary"
        )

        # A looser target: half the patients within four hours; the waits are shown again.
        await page.fill('#target-form input[name="share"]', "50")
        await page.fill('#target-form input[name="minutes"]', "240")
        await page.get_by_role("button", name="Enregistrer la cible").click()
        await page.locator("#waits-target", has_text="50 %").wait_for(timeout=60_000)
        assert "240 min" in await page.inner_text("#waits-target")
        assert await page.locator(f'#waits-result tr[data-day="{MONDAY}"].past').count() == 0

        # The target becomes the centre's cover needs; the waits are shown again after it.
        await page.get_by_role("button", name="Utiliser comme besoins de couverture").click()
        await page.wait_for_function(
            "() => { const b = document.querySelector('#use-as-needs'); return b && !b.disabled; }",
            timeout=90_000,
        )
        async with db() as session:
            needs = (
                await session.execute(
                    select(models.CoverNeed.day_type).where(
                        models.CoverNeed.centre_id == world.centres["paris"].id
                    )
                )
            ).scalars()
            assert {"weekday", "weekend", "public_holiday"} <= set(needs)
        assert await page.locator("#answer").is_hidden()
        assert errors == []

    # The panel with its table, checked by axe (whose script needs the CSP bypassed).
    async with chromium_context(headless=True, locale="fr-FR", bypass_csp=True) as browser:
        page = await browser.new_page()
        login = await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        assert login.ok
        await page.goto(f"{server}/rota?view=month&start={MONDAY}")
        await page.get_by_role("button", name="Voir les attentes prévues").click()
        await page.locator(f'#waits-result tr[data-day="{MONDAY}"]').wait_for(timeout=60_000)
        # The panel's own: the top bar's language link has a finding of its own elsewhere.
        assert await serious_violations(page, "#waits-panel") == []
