"""The patient's phone in real browsers: reception checks a patient in, a phone (390×844)
follows the ticket's link, a doctor calls, and the phone shows the room within a second.
And the accessibility checks (axe-core, WCAG 2.1 AA) of the board, the ticket page and the
join flow: no serious or critical violation."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.axe import serious_violations

from .conftest import OpenPage
from .seed import PASSWORD, SeededCentre
from .server import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(90),
]

PHONE = {"width": 390, "height": 844}


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Browser, live_server: LiveServer) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(
        base_url=live_server.base_url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        bypass_csp=True,  # axe-core goes in as a script tag
    )
    yield context
    await context.close()


async def signed_in(browser: Browser, live_server: LiveServer, username: str) -> BrowserContext:
    context = await browser.new_context(base_url=live_server.base_url)
    answer = await context.request.post(
        "/api/auth/login", data={"username": username, "password": PASSWORD}
    )
    assert answer.ok, await answer.text()
    return context


async def link_of(page: Page, slug: str, number: str) -> str:
    queue = await (await page.request.get(f"/api/centres/{slug}/queue")).json()
    [ticket] = [t for t in queue["tickets"] if t["number"] == number]
    detail = await (await page.request.get(f"/api/centres/{slug}/tickets/{ticket['id']}")).json()
    return str(detail["link"])


async def test_the_phone_follows_its_ticket_and_shows_the_room_within_a_second(
    open_page: OpenPage,
    centre: SeededCentre,
    phone: BrowserContext,
    browser: Browser,
    live_server: LiveServer,
) -> None:
    desk = await open_page(f"/reception/{centre.slug}", centre.reception)
    await desk.get_by_label("Prénom ou initiales").fill("M.B.")
    await desk.get_by_label("Prénom ou initiales").press("Enter")
    await expect(desk.locator("#last-number")).to_have_text("A001")
    await expect(desk.locator("#last-qr img")).to_be_visible()
    await desk.get_by_role("button", name="Standard", exact=True).click()
    await expect(desk.locator("#last-number")).to_have_text("A002")

    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(await link_of(desk, centre.slug, "A002"))
    await expect(page.locator("#number")).to_have_text("A002")
    await expect(page.locator("#ahead")).to_have_text("1 personne devant vous")
    assert "M.B." not in await page.content()

    doctor = await signed_in(browser, live_server, centre.doctor)
    try:
        called = await doctor.request.post(
            f"/api/centres/{centre.slug}/call-next", data={"room": "1"}
        )
        assert called.ok
        await expect(page.locator("#ahead")).to_have_text("0 personne devant vous")
        started = time.monotonic()
        finish = await doctor.request.post(
            f"/api/centres/{centre.slug}/tickets/{(await called.json())['id']}/finish"
        )
        assert finish.ok
        second = await doctor.request.post(
            f"/api/centres/{centre.slug}/call-next", data={"room": "2"}
        )
        assert second.ok and (await second.json())["number"] == "A002"
        await expect(page.locator("#called")).to_be_visible(timeout=1000)
        await expect(page.locator("#called-text")).to_have_text("A002 — Cabinet 2")
        assert time.monotonic() - started < 2.0  # two requests and the push, on a busy machine
    finally:
        await doctor.close()
    assert not errors, errors


async def test_i_am_leaving_from_the_phone(
    open_page: OpenPage, centre: SeededCentre, phone: BrowserContext
) -> None:
    desk = await open_page(f"/reception/{centre.slug}", centre.reception)
    await desk.get_by_role("button", name="Standard", exact=True).click()
    await expect(desk.locator("#last-number")).to_have_text("A001")
    page = await phone.new_page()
    await page.goto(await link_of(desk, centre.slug, "A001"))
    await page.get_by_role("button", name="Je m'en vais").tap()
    await page.get_by_role("button", name="Oui, je quitte la file").tap()
    await expect(page.locator("#state")).to_have_text("Vous avez quitté la file")
    await expect(desk.locator("#queue-list [data-ticket=A001]")).to_have_count(0, timeout=8000)


async def test_no_serious_accessibility_violation_on_board_ticket_and_join(
    open_page: OpenPage,
    centre: SeededCentre,
    phone: BrowserContext,
    browser: Browser,
    live_server: LiveServer,
    manager: str,
) -> None:
    boss = await signed_in(browser, live_server, manager)
    try:
        answer = await boss.request.put(
            f"/api/centres/{centre.slug}/remote-join",
            data={"enabled": True, "max_share": 0.5, "grace_min": 10},
        )
        assert answer.ok, await answer.text()
    finally:
        await boss.close()
    page = await phone.new_page()
    for lang in ("fr", "en"):
        await page.goto(f"/attente?lang={lang}")
        await expect(page.locator("h1")).to_be_visible()
        assert await serious_violations(page) == [], f"board ({lang})"
    await page.goto(f"/attente/{centre.slug}/rejoindre?lang=fr")
    assert await serious_violations(page) == [], "join page"
    await page.get_by_role("button", name="Prendre un ticket").tap()
    await expect(page.locator("#number")).to_have_text("A001")
    await expect(page.locator("#state")).to_have_text("En attente de votre arrivée")
    assert await serious_violations(page) == [], "ticket page"
    # The called screen, full screen over the page.
    await page.evaluate("document.getElementById('called').hidden = false")
    assert await serious_violations(page) == [], "called overlay"
