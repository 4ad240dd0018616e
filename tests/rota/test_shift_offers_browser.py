"""Giving away a shift in headless Chromium: Alice offers her Monday from her own space,
Bruno takes it from his, a manager approves it on the rota page; the shift is Bruno's."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import uvicorn
from litestar import Litestar
from playwright.async_api import BrowserContext, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from service.accounts import Role
from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD, staff_account
from tests.rota.conftest import Rota

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
async def server(
    app: Litestar, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[tuple[str, int]]:
    """Alice (doctor-paris) works Monday 7 December 08:00–14:00; Bruno is doctor-bruno."""
    async with db() as session:
        bruno_account = staff_account("doctor-bruno", Role.DOCTOR, rota.world.centres["paris"])
        session.add(bruno_account)
        await session.flush()
        for who, account_id in (
            ("alice", rota.world.accounts["doctor-paris"].id),
            ("bruno", bruno_account.id),
        ):
            doctor = await session.get(models.Doctor, rota.doctors[who])
            assert doctor is not None
            doctor.account_id = account_id
        shift = models.Shift(
            doctor_id=rota.doctors["alice"],
            centre_id=rota.world.centres["paris"].id,
            starts_at=datetime(2026, 12, 7, 7, 0, tzinfo=UTC),
            ends_at=datetime(2026, 12, 7, 13, 0, tzinfo=UTC),
        )
        session.add(shift)
        await session.commit()
        shift_id = shift.id
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}", shift_id
    running.should_exit = True
    await task


async def signed_in(context: BrowserContext, server: str, username: str, errors: list[str]) -> Page:
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    signed = await page.request.post(
        f"{server}/api/auth/login", data={"username": username, "password": PASSWORD}
    )
    assert signed.ok
    return page


async def test_a_doctor_offers_a_colleague_takes_and_a_manager_approves(
    server: tuple[str, int], rota: Rota
) -> None:
    require_chromium()
    url, shift_id = server
    # One browser each: a persistent profile has one cookie jar, and each signs in as someone.
    async with (
        chromium_context(locale="fr-FR") as first,
        chromium_context(locale="fr-FR") as second,
        chromium_context(locale="fr-FR") as third,
    ):
        errors: list[str] = []
        alice = await signed_in(first, url, "doctor-paris", errors)
        await alice.goto(f"{url}/rota/me")
        form = alice.locator("#offer-form")
        await form.locator("select[name=shift_id]").select_option(str(shift_id))
        await form.locator("input[name=note]").fill("garde d'enfant")
        await form.locator("button[type=submit]").click()
        mine = alice.locator("#my-offer-list li.offer")
        await mine.filter(has_text="ouvert").wait_for()

        bruno = await signed_in(second, url, "doctor-bruno", errors)
        await bruno.goto(f"{url}/rota/me")
        offered = bruno.locator("#offers-for-me li.offer", has_text="Dr Alice Martin")
        assert "garde d'enfant" in await offered.inner_text()
        await offered.get_by_role("button", name="Je le prends").click()
        await bruno.locator(
            "#offers-for-me li.offer", has_text="en attente d'approbation"
        ).wait_for()

        manager = await signed_in(third, url, "manager", errors)
        await manager.goto(f"{url}/rota?view=month&start=2026-12-01")
        waiting = manager.locator("#leave-panel li.offer", has_text="Dr Bruno Petit")
        await waiting.get_by_role("button", name="Approuver").click()
        await manager.locator("#leave-panel", has_text="Aucun échange en attente.").wait_for()

        await bruno.reload()
        await bruno.locator(f'#my-shifts li[data-shift="{shift_id}"]').wait_for()
        assert "Échange approuvé" in await bruno.locator("#my-notices").inner_text()
        await alice.reload()
        assert await alice.locator(f'#my-shifts li[data-shift="{shift_id}"]').count() == 0
        await mine.filter(has_text="approuvé").wait_for()
        assert not errors, errors
