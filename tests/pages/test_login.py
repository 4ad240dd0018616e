"""Signing in from the browser, and the pages' answers to strangers."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from .conftest import OpenPage
from .seed import PASSWORD, SeededCentre, seed_centre
from .server import LiveServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(60),
]


async def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    await page.get_by_label("Identifiant").fill(username)
    await page.get_by_label("Mot de passe").fill(password)
    await page.get_by_role("button", name="Se connecter").click()


async def test_without_a_session_a_page_sends_to_login_and_back(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    page = await open_page(f"/room/{centre.slug}")
    await expect(page).to_have_url(f"/login?next=/room/{centre.slug}")
    await sign_in(page, centre.doctor, "wrong password")
    await expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
    await sign_in(page, centre.doctor)
    await expect(page).to_have_url(f"/room/{centre.slug}")


@pytest.mark.parametrize("role", ["reception", "doctor", "manager"])
async def test_login_goes_to_the_page_of_the_role(
    open_page: OpenPage, centre: SeededCentre, manager: str, role: str
) -> None:
    page = await open_page("/login")
    username = {"reception": centre.reception, "doctor": centre.doctor, "manager": manager}[role]
    await sign_in(page, username)
    expected = {
        "reception": f"/reception/{centre.slug}",
        "doctor": f"/room/{centre.slug}",
        "manager": "/centres",
    }[role]
    await expect(page).to_have_url(expected)
    if role == "manager":
        await page.locator(f"a[href='/reception/{centre.slug}']").click()
        await expect(page.get_by_role("heading", name="Enregistrer un patient")).to_be_visible()


async def test_staff_of_another_centre_get_a_403_page(
    open_page: OpenPage, centre: SeededCentre, live_server: LiveServer
) -> None:
    other = await seed_centre(live_server.database_url, f"{centre.slug}-b", "Another centre")
    page = await open_page("/login", centre.reception)
    for path in (f"/reception/{other.slug}", f"/room/{other.slug}"):
        answer = await page.goto(path)
        assert answer is not None and answer.status == 403
        await expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
        await page.get_by_role("link", name="Ma page").click()
        await expect(page).to_have_url(f"/reception/{centre.slug}")
    await page.get_by_role("button", name="Se déconnecter").click()
    # The page's own refresh may notice the ended session first and add where to come back.
    await expect(page).to_have_url(re.compile(r"/login(\?next=%2F[^&]*)?$"))
