"""Browser tests: one real server and one headless Chromium for the whole run.

Each test gets its own centre (and staff), so tests share the server without sharing a
queue. Browser fixtures live in the session's event loop: Playwright objects belong to the
loop that made them, so the test modules run in that loop too.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from service.migrate import upgrade
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

from .seed import PASSWORD, SeededCentre, seed_centre, seed_manager
from .server import LiveServer

TABLET: ViewportSize = {"width": 1280, "height": 800}

_centre_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("pages") / "walkin.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    server = LiveServer(url).start()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as playwright:
        # launch() gives each run a fresh, temporary profile.
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def centre(live_server: LiveServer) -> SeededCentre:
    number = next(_centre_numbers)
    return await seed_centre(live_server.database_url, f"c{number}", f"Centre {number}")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def manager(live_server: LiveServer) -> str:
    return await seed_manager(live_server.database_url)


OpenPage = Callable[..., Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="session")
async def open_page(browser: Browser, live_server: LiveServer) -> AsyncIterator[OpenPage]:
    """Opens a page in a fresh browser context (one tablet), signed in as `username` if given.

    A JavaScript error on any page fails the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    async def open_(path: str, username: str | None = None, locale: str = "fr-FR") -> Page:
        context = await browser.new_context(
            base_url=live_server.base_url, viewport=TABLET, locale=locale
        )
        contexts.append(context)
        if username is not None:
            answer = await context.request.post(
                "/api/auth/login", data={"username": username, "password": PASSWORD}
            )
            assert answer.ok, await answer.text()
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(path)
        return page

    yield open_
    for context in contexts:
        # A route handler may still be fetching for the page: stop routing first, or its
        # fetch fails in the next test ("Request context disposed").
        await context.unroute_all(behavior="ignoreErrors")
        for page in context.pages:
            await page.unroute_all(behavior="ignoreErrors")
        await context.close()
    assert not errors, errors
