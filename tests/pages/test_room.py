"""The consulting-room page in a real browser, and what reception sees of it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from .conftest import OpenPage
from .seed import SeededCentre

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(60),
]

LIVE = 8000  # ms: polling every 3 s, with room to spare


async def test_a_doctors_call_shows_at_reception_and_in_their_day(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    desk = await open_page(f"/reception/{centre.slug}", centre.reception)
    for label in ("Ana", "Bob"):
        await desk.get_by_label("Prénom ou initiales").fill(label)
        await desk.get_by_role("button", name="Standard", exact=True).click()
    await expect(desk.locator("#last-number")).to_have_text("A002")

    room = await open_page(f"/room/{centre.slug}", centre.doctor)
    await room.get_by_role("button", name="Cabinet 2").click()
    await expect(room.locator("#waiting-info")).to_have_text("2 en attente · Prochain : A001")
    await room.keyboard.press("n")  # N: call the next patient
    await expect(room.locator("#current-number")).to_have_text("A001")
    await expect(room.locator("#current-detail")).to_contain_text("Ana")
    # While the patient is called and not yet in, calling another would leave them behind.
    await expect(room.locator("#btn-next")).to_be_disabled()

    chip = desk.locator("#in-rooms [data-ticket=A001]")
    await expect(chip).to_contain_text("salle 2", timeout=LIVE)
    await expect(chip).to_contain_text("Appelé")
    await expect(desk.locator("#queue-list .q-row .num")).to_have_text(["A002"])

    await room.keyboard.press("c")  # Commencer
    await expect(room.locator("#current-detail")).to_contain_text("En consultation depuis")
    await expect(chip).to_contain_text("En consultation", timeout=LIVE)
    await room.keyboard.press("t")  # Terminer
    await expect(room.locator("#current-none")).to_be_visible()
    await expect(room.locator("#my-day-count")).to_have_text("Vus : 1 · appelés : 1")
    await expect(room.locator("#my-day [data-ticket=A001]")).to_contain_text("Terminé")
    await expect(chip).to_be_hidden(timeout=LIVE)


async def test_the_room_is_remembered_and_pause_stops_calling(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    room = await open_page(f"/room/{centre.slug}", centre.doctor)
    await room.request.post(f"/api/centres/{centre.slug}/tickets", data={})
    await room.get_by_role("button", name="Cabinet 3").click()
    await room.reload()
    await expect(room.locator("#room-select")).to_have_value("3")
    await expect(room.locator("#room-name")).to_have_text("Cabinet 3")
    await expect(room.locator("#btn-next")).to_be_enabled()

    await room.keyboard.press("p")
    await expect(room.locator("#paused-banner")).to_contain_text("L'accueil et les écrans")
    await expect(room.locator("#btn-next")).to_be_disabled()
    await room.keyboard.press("n")
    queue = await (await room.request.get(f"/api/centres/{centre.slug}/queue")).json()
    assert [t["status"] for t in queue["tickets"]] == ["waiting"]

    await room.get_by_role("button", name="Reprendre").click()
    await room.get_by_role("button", name="Appeler le suivant").click()
    await expect(room.locator("#current-number")).to_have_text("A001")


async def test_pause_and_leaving_the_room_are_shown_at_reception(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    desk = await open_page(f"/reception/{centre.slug}", centre.reception)
    presence = desk.locator("#presence-list")
    await expect(presence).to_contain_text("Aucun médecin en salle")

    room = await open_page(f"/room/{centre.slug}", centre.doctor)
    await room.get_by_role("button", name="Cabinet 2").click()
    here = presence.locator("li[data-state=present]")
    await expect(here).to_contain_text("Cabinet 2", timeout=LIVE)
    await expect(here).to_contain_text("en salle depuis")

    await room.keyboard.press("p")
    paused = presence.locator("li[data-state=paused]")
    await expect(paused).to_contain_text("en pause depuis", timeout=LIVE)
    await expect(here).to_have_count(0)

    await room.get_by_role("button", name="Quitter la salle").click()
    await expect(room.get_by_role("heading", name="Choisissez votre cabinet")).to_be_visible()
    await expect(presence).to_contain_text("Aucun médecin en salle", timeout=LIVE)


async def test_english_on_request(open_page: OpenPage, centre: SeededCentre) -> None:
    room = await open_page(f"/room/{centre.slug}?lang=en", centre.doctor)
    await expect(room.get_by_role("heading", name="Choose your room")).to_be_visible()
    await room.goto(f"/reception/{centre.slug}")  # the choice is remembered
    await expect(room.get_by_role("heading", name="Check a patient in")).to_be_visible()
