"""The TV page at 1920×1080: everything on one screen without scrolling, a legible check-in
notice, calls kept on top a while after the consultation starts, the sound prompt, and a
pairing code on one line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page

from rota import models
from service.accounts import Role
from tests.browser import chromium_context, require_chromium
from tests.conftest import FakeClock, World, staff_account
from tests.display.conftest import Served, make_token

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

TV = {"width": 1920, "height": 1080}
DOCTORS = [f"Dr Médecin {n}" for n in range(1, 11)]  # more than the list shows


async def _busy_morning(served: Served, db: Any, world: World, clock: FakeClock) -> None:
    """Ten doctors in their rooms, seven patients seen in turn, one called, two waiting."""
    async with db() as session:
        for n, name in enumerate(DOCTORS, start=4):
            session.add(models.Room(centre_id=world.centres["paris"].id, code=str(n), name=name))
            account = staff_account(f"medecin-{n}", Role.DOCTOR, world.centres["paris"])
            account.display_name = name
            session.add(account)
        await session.commit()
    desk = await served.http("reception-paris")
    doctor = await served.http("doctor-paris")
    for _ in range(10):
        assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    for _ in range(7):
        clock.advance(0.25)
        ticket = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
        started = await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/start")
        assert started.status_code == 200, started.text
    clock.advance(0.25)
    assert (await doctor.post("/api/centres/paris/call-next", json={"room": "2"})).is_success
    assert (await desk.post("/api/centres/paris/checkin/close")).is_success
    # Last: presence lapses after 90 s without a beat, and the clock moved two minutes.
    for n in range(4, 4 + len(DOCTORS)):
        present = await (await served.http(f"medecin-{n}")).post(
            "/api/centres/paris/presence", json={"room": str(n)}
        )
        assert present.is_success, present.text


async def _inside_viewport(page: Page, selector: str) -> bool:
    box = await page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= TV["height"]


async def test_the_tv_shows_everything_on_one_screen(
    served: Served, db: Any, world: World, clock: FakeClock
) -> None:
    require_chromium()
    await _busy_morning(served, db, world, clock)
    _, token = await make_token(db, world, "paris")
    async with chromium_context(viewport=TV, locale="fr-FR", bypass_csp=True) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        await page.goto(f"{served.base}/display/paris?token={token}")
        await page.wait_for_function(
            "document.getElementById('waiting-total').textContent === '2'", timeout=10000
        )
        sizes = await page.evaluate(
            "[document.documentElement.scrollHeight, document.documentElement.scrollWidth,"
            " innerHeight, innerWidth]"
        )
        assert sizes[0] <= sizes[2] and sizes[1] <= sizes[3], sizes
        # The doctors on duty and the recent calls are there, inside the screen.
        doctors = page.locator("#doctors li")
        assert await doctors.count() == 8  # seven names and "and n more"
        assert re.fullmatch(r"et \d+ autres", await doctors.last.inner_text())
        assert await page.locator("#recent li").count() >= 3
        for selector in ("#doctors li >> nth=-1", "#recent li >> nth=-1", "#waiting-total"):
            assert await _inside_viewport(page, selector), selector
        # Check-in closed: a banner readable across the room.
        notice = page.locator("#checkin-closed")
        assert await notice.is_visible()
        size = await notice.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 48, size
        # The call waiting for its patient is on top; the one just gone in stays below it
        # (the doctor's earlier patients are done: their next call ended those).
        called = page.locator("#called li")
        assert await called.count() == 2
        assert "Cabinet 2" in await called.first.inner_text()
        assert await called.first.get_attribute("class") != "started"
        assert "started" in (await called.nth(1).get_attribute("class") or "")


async def test_after_its_hold_a_started_call_leaves_the_top(
    served: Served, db: Any, world: World, clock: FakeClock
) -> None:
    require_chromium()
    desk = await served.http("reception-paris")
    doctor = await served.http("doctor-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    ticket = (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()
    _, token = await make_token(db, world, "paris")
    async with chromium_context(viewport=TV, bypass_csp=True) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        await page.goto(f"{served.base}/display/paris?token={token}")
        await page.locator("#called li").first.wait_for(timeout=10000)
        await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/start")
        await page.locator("#called li.started").wait_for(timeout=10000)
        assert await page.locator("#no-call").is_hidden()
        # Three minutes later by the service's clock (the page learns it from the feed).
        clock.advance(3)
        await page.evaluate("window.walkinScreen && true")
        await page.locator("#no-call").wait_for(state="visible", timeout=40000)
        assert await page.locator("#called li").count() == 0


async def test_the_screen_asks_once_for_a_tap_when_sound_is_blocked(
    served: Served, db: Any, world: World
) -> None:
    require_chromium()
    _, token = await make_token(db, world, "paris")
    # Chromium's own policy: an audio context made before any gesture starts suspended.
    async with chromium_context(viewport=TV, bypass_csp=True) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        await page.goto(f"{served.base}/display/paris?token={token}")
        prompt = page.locator("#sound-prompt")
        await prompt.wait_for(state="visible", timeout=10000)
        await page.mouse.click(900, 500)  # a tap anywhere on the screen
        await prompt.wait_for(state="hidden", timeout=5000)
        # resume() settles asynchronously after the tap: wait for it, not for one instant.
        await page.wait_for_function(
            "window.walkinScreen.audioState() === 'running'", timeout=10000
        )


async def test_the_pairing_code_fits_on_one_line(served: Served) -> None:
    require_chromium()
    async with chromium_context(viewport=TV, bypass_csp=True) as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        await page.goto(f"{served.base}/display/pair")
        await page.wait_for_function(
            "/^[A-Z0-9]{3} [A-Z0-9]{3}$/.test(document.getElementById('pair-code').textContent)",
            timeout=10000,
        )
        lines = await page.evaluate(
            "() => { const r = document.createRange();"
            " r.selectNodeContents(document.getElementById('pair-code'));"
            " return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size; }"
        )
        assert lines == 1
        sizes = await page.evaluate("[document.documentElement.scrollHeight, innerHeight]")
        assert sizes[0] <= sizes[1], sizes
