"""Screenshots of the managers' home, a centre's settings, its screens and the TV page.

Starts the service on a temporary database with the demo network, plays a little of a morning
(calls, a consultation, a paired TV), and writes docs/home.png, docs/centre-settings.png,
docs/screens.png and docs/tv.png.

    python docs/screenshots_network.py   # from the repository root; WALKIN_CHROMIUM overrides
                                         # the browser (default /usr/bin/chromium)
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import Browser, async_playwright, expect  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine  # noqa: E402

from rota.models import Centre  # noqa: E402
from service.db import install_sqlite_pragmas  # noqa: E402
from service.demo import seed_demo  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from tests.pages.server import LiveServer  # noqa: E402

CHROMIUM = os.environ.get("WALKIN_CHROMIUM", "/usr/bin/chromium")
CENTRE = "paris-bastille"
ALL_DAY = {str(day): [["00:00", "23:59"]] for day in range(1, 8)}


async def seed(database_url: str) -> str:
    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            password = await seed_demo(session, datetime.now(UTC))
            # Open around the clock, so that the pictures do not depend on the hour.
            await session.execute(update(Centre).values(opening_hours=ALL_DAY))
            await session.commit()
    finally:
        await engine.dispose()
    assert password is not None
    return password


async def signed_in(
    browser: Browser, base_url: str, username: str, password: str, size: tuple[int, int]
) -> Any:
    context = await browser.new_context(
        base_url=base_url, viewport={"width": size[0], "height": size[1]}, locale="fr-FR"
    )
    answer = await context.request.post(
        "/api/auth/login", data={"username": username, "password": password}
    )
    assert answer.ok, await answer.text()
    return context


async def capture(base_url: str, password: str, out: Path) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        manager = await signed_in(browser, base_url, "manager", password, (1440, 900))
        doctor = await signed_in(browser, base_url, "docteur", password, (1280, 800))

        # A TV paired from the screens page, by the code it shows.
        tv = await browser.new_context(
            base_url=base_url, viewport={"width": 1920, "height": 1080}, locale="fr-FR"
        )
        tv_page = await tv.new_page()
        await tv_page.goto("/display/pair")
        await expect(tv_page.locator("#pair-code")).to_have_text(re.compile(r"^\w{3} \w{3}$"))
        code = (await tv_page.locator("#pair-code").inner_text()).replace(" ", "")
        screens = await manager.new_page()
        await screens.goto(f"/admin/centres/{CENTRE}/screens")
        await screens.get_by_label("Code affiché sur l'écran").fill(code)
        await (
            screens.locator("#pair-form")
            .get_by_label("Nom de l'écran")
            .fill("Salle d'attente, rez-de-chaussée")
        )
        await screens.get_by_role("button", name="Appairer l'écran").click()
        await tv_page.wait_for_url(f"**/display/{CENTRE}", timeout=20000)

        # The demo doctor in room 1: one patient seen, the next one called.
        presence = await doctor.request.post(f"/api/centres/{CENTRE}/presence", data={"room": "1"})
        assert presence.ok, await presence.text()
        first = await doctor.request.post(f"/api/centres/{CENTRE}/call-next", data={"room": "1"})
        ticket = await first.json()
        await doctor.request.post(f"/api/centres/{CENTRE}/tickets/{ticket['id']}/start")
        await doctor.request.post(f"/api/centres/{CENTRE}/call-next", data={"room": "1"})

        await tv_page.locator("#called li").first.wait_for()
        await tv_page.wait_for_timeout(1500)
        await tv_page.screenshot(path=out / "tv.png")

        await screens.reload()
        await expect(screens.locator("body[data-ready=true]")).to_be_attached()
        await expect(screens.locator("#screen-table tbody tr")).to_have_count(2)
        await screens.screenshot(path=out / "screens.png")

        home = await manager.new_page()
        await home.goto("/centres")
        await expect(home.locator(".home-card").first).to_be_visible()
        await home.wait_for_timeout(1000)
        await home.screenshot(path=out / "home.png")

        settings = await manager.new_page()
        await settings.goto(f"/admin/centres/{CENTRE}")
        await expect(settings.locator("body[data-ready=true]")).to_be_attached()
        await settings.screenshot(path=out / "centre-settings.png")
        await browser.close()


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
    print("wrote docs/home.png, docs/centre-settings.png, docs/screens.png and docs/tv.png")


if __name__ == "__main__":
    main()
