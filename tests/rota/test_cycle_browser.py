"""The month's cycle in headless Chromium: a doctor gives their availability, the manager
solves the month, reviews, applies and publishes; the doctor sees their new shifts; the intern
is never planned without their maître de stage."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from tests.browser import chromium_context, require_chromium
from tests.conftest import PASSWORD
from tests.rota.conftest import Rota

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
async def server(
    app: Litestar, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[str]:
    """Alice signs in as doctor-paris; Iris, an intern, has Alice as maître de stage."""
    async with db() as session:
        alice = await session.get(models.Doctor, rota.doctors["alice"])
        assert alice is not None
        alice.account_id = rota.world.accounts["doctor-paris"].id
        iris = models.Doctor(
            display_name="Dr Iris Stage",
            seniority="intern",
            supervisor_id=alice.id,
            weekly_limit_hours=48.0,
            min_rest_hours=11.0,
        )
        session.add(iris)
        await session.flush()
        session.add(
            models.DoctorCentre(doctor_id=iris.id, centre_id=rota.world.centres["paris"].id)
        )
        rota.doctors["iris"] = iris.id
        await session.commit()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve())
    while not running.started:  # noqa: ASYNC110  (uvicorn offers a flag, not an event)
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def test_availability_solve_review_publish_and_the_doctor_sees_it(
    server: str, rota: Rota
) -> None:
    require_chromium()
    # Two browsers: a persistent profile has one cookie jar, and each signs in as someone.
    async with (
        chromium_context(locale="fr-FR") as browser,
        chromium_context(locale="fr-FR") as manager,
    ):
        errors: list[str] = []
        doctor = await browser.new_page()
        doctor.on("pageerror", lambda error: errors.append(str(error)))
        signed = await doctor.request.post(
            f"{server}/api/auth/login", data={"username": "doctor-paris", "password": PASSWORD}
        )
        assert signed.ok
        await doctor.goto(f"{server}/rota/me")  # the clock says 24 November: December next
        plan = doctor.locator("#plan-form")
        for day in range(1, 11):
            await plan.locator(f'select[data-day="2026-12-{day:02d}"]').select_option("available")
        await plan.locator('select[data-day="2026-12-05"]').select_option("preferred")
        await plan.locator("input[name=wanted_shifts]").fill("5")
        await plan.locator("button[type=submit]").click()
        await doctor.locator("#plan-saved", has_text="Enregistré").wait_for()

        page = await manager.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        signed = await page.request.post(
            f"{server}/api/auth/login", data={"username": "manager", "password": PASSWORD}
        )
        assert signed.ok
        await page.goto(f"{server}/rota?view=month&start=2026-12-01")
        await page.locator("#cycle-seconds").fill("5")
        await page.locator("#cycle-solve").click()
        await page.locator("#cycle-preview").wait_for(timeout=60_000)
        assert "ajouté(s)" in await page.locator("#cycle-preview").inner_text()
        await page.locator("#cycle-apply").click()
        await page.locator("#answer", has_text="Plan appliqué").wait_for()
        await page.locator("#cycle-publish").click()
        await page.locator("#answer", has_text="Publié").wait_for()
        await page.locator("#cycle-status", has_text="publié").wait_for()

        await doctor.reload()
        shifts = doctor.locator("#my-shifts li[data-shift]")
        await shifts.first.wait_for()
        listed = await shifts.all_inner_texts()
        assert listed and all(any(f"{d:02d}/12/2026" in s for d in range(1, 11)) for s in listed)
        assert (
            "Planning de décembre 2026 publié" in await doctor.locator("#my-notices").inner_text()
        )

        planned = await page.request.get(f"{server}/api/rota/shifts?from=2026-12-01&to=2026-12-31")
        month = await planned.json()
        alice = [s for s in month if s["doctor_id"] == rota.doctors["alice"]]
        for shift in (s for s in month if s["doctor_id"] == rota.doctors["iris"]):
            assert any(a["start"] <= shift["start"] and shift["end"] <= a["end"] for a in alice)
        conflicts = await page.request.get(
            f"{server}/api/rota/conflicts?from=2026-12-01&to=2026-12-31"
        )
        assert [c for c in await conflicts.json() if c["kind"] == "unsupervised"] == []
        assert not errors, errors
