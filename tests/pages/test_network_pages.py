"""The managers' home and the administration pages in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from .conftest import OpenPage
from .seed import SeededCentre

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(90),
]

LIVE = 20000  # ms: the home polls its change mark every 3 s; generous on a busy machine


async def test_a_check_in_changes_the_centres_row_live(
    open_page: OpenPage, centre: SeededCentre, manager: str
) -> None:
    home = await open_page("/centres", manager)
    card = home.locator(f".home-card[data-slug='{centre.slug}']")
    await expect(card).to_be_visible()
    await expect(card.locator(".figure.waiting .figure-value")).to_have_text("0")
    await expect(home.locator("#conn")).to_have_text("En direct")

    desk = await open_page(f"/reception/{centre.slug}", centre.reception)
    answer = await desk.request.post(f"/api/centres/{centre.slug}/tickets", data={})
    assert answer.ok, await answer.text()
    await expect(card.locator(".figure.waiting .figure-value")).to_have_text("1", timeout=LIVE)
    # Waiting with nobody in a room: the centre raises its alert and comes first.
    await expect(card.locator(".alert-item.nobody_in_room")).to_be_visible(timeout=LIVE)
    await expect(home.locator(".home-card").first).to_have_attribute("data-alerts", re.compile("."))

    await home.get_by_label("Seulement les alertes").check()
    await expect(home).to_have_url(re.compile(r"alerts=true"))
    # The filtered rows come with the next read: wait for them, not for one instant.
    await expect(home.locator(".home-card[data-alerts='']")).to_have_count(0, timeout=LIVE)
    await expect(card).to_be_visible()


async def test_a_new_centre_with_its_hours_and_rooms(open_page: OpenPage, manager: str) -> None:
    page = await open_page("/admin/centres", manager)
    form = page.locator("#new-centre")
    await form.get_by_label("Nom", exact=True).fill("Centre Médical Arras Gare")
    await expect(form.get_by_label("Identifiant (adresse des pages)")).to_have_value(
        "centre-medical-arras-gare"
    )
    await form.get_by_label("Ville").fill("Arras")
    await form.get_by_label("Adresse", exact=True).fill("1 place de la Gare")
    await form.get_by_role("button", name="Créer le centre").click()
    await expect(page).to_have_url(re.compile("/admin/centres/centre-medical-arras-gare$"))
    await expect(page.locator("body[data-ready=true]")).to_be_attached()

    hours = page.locator("#hours")
    await hours.locator("[name=from-1]").fill("09:00")
    await hours.locator("[name=to-1]").fill("19:00")
    await hours.locator("[name=open-7]").uncheck()
    # A refusal first: an evening that ends before it starts, with the rota's reason.
    await hours.locator("[name=from-2]").fill("20:00")
    await hours.locator("[name=to-2]").fill("08:00")
    await hours.get_by_role("button", name="Enregistrer les horaires").click()
    await expect(hours.locator(".form-error")).to_be_visible()
    await expect(hours.locator(".form-error")).not_to_be_empty()
    await hours.locator("[name=from-2]").fill("08:00")
    await hours.locator("[name=to-2]").fill("20:00")
    await hours.get_by_role("button", name="Enregistrer les horaires").click()
    await expect(hours.locator(".form-error")).to_be_hidden()

    rooms = page.locator("#new-room")
    for code, name in (("1", "Cabinet 1"), ("2", "Cabinet 2")):
        await rooms.get_by_label("Code").fill(code)
        await rooms.get_by_label("Nom de la salle").fill(name)
        await rooms.get_by_role("button", name="Ajouter la salle").click()
        await expect(page.locator(f".room-item[data-code='{code}']")).to_be_visible()
    await page.get_by_role("button", name="Descendre 1").click()
    await expect(page.locator(".room-item").first).to_have_attribute("data-code", "2")

    saved = await (await page.request.get("/api/rota/centres/centre-medical-arras-gare")).json()
    assert saved["opening_hours"]["1"] == [["09:00", "19:00"]]
    assert "7" not in saved["opening_hours"]
    assert [r["code"] for r in saved["rooms"]] == ["2", "1"]
    assert (saved["city"], saved["address"]) == ("Arras", "1 place de la Gare")


async def test_a_doctor_with_a_checked_rpps_and_a_supervisor(
    open_page: OpenPage, centre: SeededCentre, manager: str
) -> None:
    page = await open_page("/admin/doctors", manager)
    await expect(page.locator("body[data-ready=true]")).to_be_attached()
    form = page.locator("#doctor-form")
    await form.get_by_label("Nom affiché").fill(f"Dr Senior {centre.slug}")
    await form.get_by_label(centre.name, exact=True).check()
    await form.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator("#doctor-form-heading")).to_have_text(f"Dr Senior {centre.slug}")

    await page.get_by_role("button", name="Nouveau médecin").click()
    await form.get_by_label("Nom affiché").fill(f"Dr Interne {centre.slug}")
    await form.get_by_label("Numéro RPPS").fill("10001234567")  # wrong check digit
    await form.get_by_label("Statut").select_option("intern")
    await form.get_by_label("Maître de stage (senior)").select_option(
        label=f"Dr Senior {centre.slug}"
    )
    await form.get_by_role("button", name="Enregistrer").click()
    await expect(form.locator(".form-error")).to_contain_text("RPPS")
    await form.get_by_label("Numéro RPPS").fill("10001234565")
    await form.get_by_role("button", name="Enregistrer").click()
    await expect(page.locator("#doctor-form-heading")).to_have_text(f"Dr Interne {centre.slug}")
    await page.get_by_label("Rechercher").fill(centre.slug)
    row = page.locator("#doctor-table tbody tr", has_text="Dr Interne")
    await expect(row).to_contain_text(f"Interne (Dr Senior {centre.slug})")
    await expect(row).to_contain_text("10001234565")


async def test_pairing_renaming_and_revoking_a_screen(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    tv = await open_page("/display/pair")
    code_shown = tv.locator("#pair-code")
    await expect(code_shown).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
    code = (await code_shown.inner_text()).replace(" ", "")

    page = await open_page(f"/admin/centres/{centre.slug}/screens", centre.reception)
    await page.get_by_label("Code affiché sur l'écran").fill(code.lower())
    await page.get_by_label("Nom de l'écran").fill("TV du hall")
    await page.get_by_role("button", name="Appairer l'écran").click()
    await expect(tv).to_have_url(re.compile(f"/display/{centre.slug}$"), timeout=15000)

    row = page.locator("#screen-table tbody tr").first
    await expect(row.locator("input")).to_have_value("TV du hall", timeout=10000)
    await expect(row).to_contain_text("En ligne")
    await row.locator("input").fill("TV de la salle d'attente")
    await row.locator("input").press("Enter")
    await row.locator("input").blur()
    await expect(page.locator("#flash")).to_have_text("Enregistré")
    page.on("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="Révoquer").click()
    await expect(page.locator("#screen-table tbody tr").first).to_contain_text("Révoqué")
    listed = await (await page.request.get(f"/api/centres/{centre.slug}/displays")).json()
    assert [(s["label"], s["revoked_at"] is not None) for s in listed] == [
        ("TV de la salle d'attente", True)
    ]
