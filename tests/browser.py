"""Debian's Chromium for the browser tests (Playwright cannot download its own here)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext

CHROMIUM = os.environ.get("WALKIN_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = Path(CHROMIUM).exists()
# Without the background-networking flags Chromium keeps trying hosts this network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip without Chromium locally; in CI (which installs it) its absence is a failure."""
    if not HAVE_CHROMIUM:
        message = f"no Chromium at {CHROMIUM} (set WALKIN_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@asynccontextmanager
async def chromium_context(**options: Any) -> AsyncIterator[BrowserContext]:
    """Chromium with a fresh throw-away profile, closed on leaving; ``options`` go to
    Playwright's ``launch_persistent_context`` (viewport, locale, bypass_csp...)."""
    from playwright.async_api import async_playwright  # only the browser tests need it

    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, **options
            )
            try:
                yield browser
            finally:
                await browser.close()
