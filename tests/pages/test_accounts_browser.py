"""Accounts from the browser: a manager creates an account, the person opens the one-time
set-up link on another device, chooses a password and signs in; the top bar folds on a phone."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from .conftest import OpenPage
from .seed import SeededCentre
from .server import LiveServer
from .test_login import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(90),
]

CHOSEN = "trois petits chats blancs"


async def test_an_account_made_by_a_manager_chooses_its_password_on_the_link(
    open_page: OpenPage,
    centre: SeededCentre,
    manager: str,
    browser: Browser,
    live_server: LiveServer,
) -> None:
    page = await open_page("/accounts", manager)
    await expect(page.get_by_role("heading", name="Nouveau compte")).to_be_visible()
    form = page.locator("#account-form")
    await form.get_by_label("Nom affiché").fill("Léa Bernard")
    username = f"lea.{centre.slug}"
    await form.get_by_label("Identifiant").fill(username)
    await form.get_by_label("Rôle").select_option("reception")
    await form.get_by_label("Centres").select_option(centre.slug)
    await expect(form.get_by_label("Fiche médecin")).to_be_hidden()  # a doctor's only
    await form.get_by_role("button", name="Créer le compte").click()
    secret = page.locator("#secret-panel")
    await expect(secret).to_be_visible()
    link = (await page.locator("#secret-link").text_content() or "").strip()
    assert link.startswith(f"{live_server.base_url}/setup#")

    # The person, on their own device: a second browser context, no session.
    phone = await browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", base_url=live_server.base_url
    )
    try:
        setup = await phone.new_page()
        errors: list[str] = []
        setup.on("pageerror", lambda error: errors.append(str(error)))
        await setup.goto(link)
        heading = setup.get_by_role("heading", name="Choisir votre mot de passe")
        await expect(heading).to_be_visible()
        assert "#" not in setup.url  # the code left the address bar
        await expect(setup.get_by_text("au moins 12 caractères", exact=False)).to_be_visible()
        await setup.get_by_label("Nouveau mot de passe").fill("trop court")
        await setup.get_by_label("Répétez le mot de passe").fill("trop court")
        await setup.get_by_role("button", name="Enregistrer mon mot de passe").click()
        await expect(setup.get_by_role("alert")).to_contain_text("trop court")
        await setup.get_by_label("Nouveau mot de passe").fill(CHOSEN)
        await setup.get_by_label("Répétez le mot de passe").fill(CHOSEN)
        await setup.get_by_role("button", name="Enregistrer mon mot de passe").click()
        await expect(setup.locator("#done-username")).to_have_text(username)
        await setup.get_by_role("link", name="Se connecter").click()
        await sign_in(setup, username, CHOSEN)
        await expect(setup).to_have_url(f"/reception/{centre.slug}")
        # On a phone the bar's links fold behind the menu button.
        nav = setup.locator("#staff-nav")
        await expect(nav).to_be_hidden()
        await setup.get_by_role("button", name="Menu").click()
        await expect(nav.get_by_role("link", name="Mon compte")).to_be_visible()
        await expect(nav.get_by_role("link", name="Accueil")).to_have_attribute(
            "aria-current", "page"
        )
        # The same link works once only.
        again = await phone.new_page()
        await again.goto(link)
        await again.get_by_label("Nouveau mot de passe").fill(CHOSEN + " encore")
        await again.get_by_label("Répétez le mot de passe").fill(CHOSEN + " encore")
        await again.get_by_role("button", name="Enregistrer mon mot de passe").click()
        await expect(again.get_by_role("alert")).to_contain_text("plus valable")
        assert not errors, errors
    finally:
        await phone.close()

    # Back on the manager's page: the list shows the account, signed in once now.
    await page.get_by_role("button", name="J'ai transmis le lien").click()
    row = page.locator(f"tr[data-username='{username}']")
    await expect(row).to_contain_text("Léa Bernard")
    await expect(row).not_to_contain_text("Jamais")
    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Désactiver").click()
    await expect(page.locator(f"tr[data-username='{username}']")).to_contain_text("Désactivé")
