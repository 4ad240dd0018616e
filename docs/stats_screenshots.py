"""Screenshots of the statistics pages from the demo network (its six generated weeks).

Writes docs/stats-network.png, docs/stats-centre.png and docs/stats-doctor.png (1280 wide,
the top of each page).

    python docs/stats_screenshots.py    # from the repository root; WALKIN_CHROMIUM overrides
                                        # the browser (default /usr/bin/chromium)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from docs.screenshots import CENTRE, CHROMIUM, seed, signed_in  # noqa: E402
from service.migrate import upgrade  # noqa: E402
from tests.pages.server import LiveServer  # noqa: E402

SIZE = {"width": 1280, "height": 1500}


async def capture(base_url: str, password: str, out: Path) -> None:
    month = f"{datetime.now(UTC) - timedelta(days=1):%Y-%m}"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        manager = await signed_in(browser, base_url, "manager", password)
        page = await manager.new_page()
        await page.set_viewport_size(SIZE)  # type: ignore[arg-type]
        await page.goto("/stats/network")
        await page.screenshot(path=out / "stats-network.png")
        await page.goto(f"/stats/centres/{CENTRE}?month={month}")
        await page.screenshot(path=out / "stats-centre.png")
        doctor = await signed_in(browser, base_url, "docteur", password)
        mine = await doctor.new_page()
        await mine.set_viewport_size(SIZE)  # type: ignore[arg-type]
        await mine.goto(f"/stats/doctors/me?month={month}")
        await mine.screenshot(path=out / "stats-doctor.png")
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
    print("wrote docs/stats-network.png, docs/stats-centre.png and docs/stats-doctor.png")


if __name__ == "__main__":
    main()
