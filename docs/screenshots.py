"""Screenshots of the reception tablet and the consulting-room page at tablet size (1280×800),
the accounts page and the staff top bar.

Starts the service on a temporary database with the demo network, plays a little of a morning
(check-ins, calls, consultations), and writes docs/reception.png and docs/room.png; then the
centre manager creates an account (docs/accounts.png, with its one-time set-up link) and the
top bar is shown on a tablet and, folded, on a phone (docs/nav.png, docs/nav-phone.png).

    python docs/screenshots.py        # from the repository root; WALKIN_CHROMIUM overrides
                                      # the browser (default /usr/bin/chromium)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import APIRequestContext, Browser, async_playwright, expect  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine  # noqa: E402

from rota.models import Centre  # noqa: E402
from service.db import install_sqlite_pragmas  # noqa: E402
from service.demo import seed_demo  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from tests.pages.server import LiveServer  # noqa: E402

CHROMIUM = os.environ.get("WALKIN_CHROMIUM", "/usr/bin/chromium")
CENTRE = "paris-bastille"
API = f"/api/centres/{CENTRE}"


async def seed(database_url: str) -> str:
    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            password = await seed_demo(session, datetime.now(UTC))
            # Open around the clock, so that the pictures do not depend on the hour they are
            # taken at (after closing, every estimate would carry the warning).
            await session.execute(
                update(Centre)
                .where(Centre.slug == CENTRE)
                .values(opening_hours={str(day): [["00:00", "23:59"]] for day in range(1, 8)})
            )
            await session.commit()
    finally:
        await engine.dispose()
    assert password is not None
    return password


async def signed_in(browser: Browser, base_url: str, username: str, password: str) -> Any:
    context = await browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 800}, locale="fr-FR"
    )
    answer = await context.request.post(
        "/api/auth/login", data={"username": username, "password": password}
    )
    assert answer.ok, await answer.text()
    return context


async def post(request: APIRequestContext, path: str, body: dict[str, str] | None = None) -> Any:
    answer = await request.post(f"{API}{path}", data=body or {})
    assert answer.ok, await answer.text()
    return await answer.json()


async def morning(desk: APIRequestContext, doctor: APIRequestContext) -> None:
    """A few patients seen by the demo doctor in room 1, one called to room 2, new arrivals."""
    for _ in range(2):
        ticket = await post(doctor, "/call-next", {"room": "1"})
        await post(doctor, f"/tickets/{ticket['id']}/start")
    ticket = await post(doctor, "/call-next", {"room": "1"})
    await post(doctor, f"/tickets/{ticket['id']}/no-show")
    ticket = await post(doctor, "/call-next", {"room": "1"})
    await post(doctor, f"/tickets/{ticket['id']}/start")
    await post(desk, "/call-next", {"room": "2"})
    await post(desk, "/tickets", {"priority": "standard", "label": "Marie"})
    await post(
        desk, "/tickets", {"priority": "standard", "label": "L.M.", "phone": "06 12 34 56 78"}
    )


async def capture(base_url: str, password: str, out: Path) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        desk = await signed_in(browser, base_url, "accueil", password)
        doctor = await signed_in(browser, base_url, "docteur", password)
        await morning(desk.request, doctor.request)

        reception = await desk.new_page()
        await reception.goto(f"/reception/{CENTRE}")
        await reception.get_by_label("Prénom ou initiales").fill("Sami")
        await reception.get_by_role("button", name="Urgent", exact=True).click()
        await expect(reception.locator("#last-detail")).to_contain_text("Position dans la file")
        await expect(reception.locator("#flash")).to_be_hidden(timeout=6000)
        await reception.screenshot(path=out / "reception.png")

        room = await doctor.new_page()
        await room.goto(f"/room/{CENTRE}")
        await room.get_by_role("button", name="Cabinet 1").click()
        await expect(room.locator("#current-number")).to_be_visible()
        await expect(room.locator("#my-day li")).to_have_count(4)
        await room.screenshot(path=out / "room.png")
        await administration(browser, base_url, password, out)
        await browser.close()


async def administration(browser: Browser, base_url: str, password: str, out: Path) -> None:
    boss = await signed_in(browser, base_url, "gestion", password)
    accounts = await boss.new_page()
    await accounts.goto("/accounts")
    form = accounts.locator("#account-form")
    await form.get_by_label("Nom affiché").fill("Léa Bernard")
    await form.get_by_label("Identifiant").fill("lea.bernard")
    await form.get_by_label("Rôle").select_option("reception")
    await form.get_by_label("Centres").select_option(CENTRE)
    await form.get_by_role("button", name="Créer le compte").click()
    await expect(accounts.locator("#secret-panel")).to_be_visible()
    await accounts.evaluate("window.scrollTo(0, 0)")
    await accounts.screenshot(path=out / "accounts.png", full_page=True)

    await accounts.goto("/centres")
    await accounts.locator(".topbar").screenshot(path=out / "nav.png")
    phone = await browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, locale="fr-FR"
    )
    answer = await phone.request.post(
        "/api/auth/login", data={"username": "gestion", "password": password}
    )
    assert answer.ok, await answer.text()
    small = await phone.new_page()
    await small.goto("/audit")
    await small.get_by_role("button", name="Menu").click()
    await small.screenshot(path=out / "nav-phone.png")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite+aiosqlite:///{folder}/walkin.sqlite3"
        upgrade(database_url)
        password = asyncio.run(seed(database_url))
        server = LiveServer(database_url).start()
        try:
            asyncio.run(capture(server.base_url, password, ROOT / "docs"))
        finally:
            server.stop()
    print("wrote docs/reception.png, room.png, accounts.png, nav.png and nav-phone.png")


if __name__ == "__main__":
    main()
