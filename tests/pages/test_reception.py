"""The reception tablet in a real browser against a running service."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from playwright.async_api import Page, Route, WebSocketRoute, expect

from .conftest import OpenPage
from .seed import SeededCentre

pytestmark = [
    pytest.mark.browser,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(60),
]

LIVE = 8000  # ms: polling every 3 s, with room to spare
# Ready: live on the centre's feed, or polling where WebSockets do not get through.
READY = re.compile("En direct|Mise à jour toutes les 3 s")


async def queue_numbers(page: Page, slug: str) -> list[str]:
    answer = await page.request.get(f"/api/centres/{slug}/queue")
    return [ticket["number"] for ticket in (await answer.json())["tickets"]]


async def test_check_in_on_one_tablet_appears_on_the_other(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    first = await open_page(f"/reception/{centre.slug}", centre.reception)
    second = await open_page(f"/reception/{centre.slug}", centre.reception)
    await expect(second.locator("#conn")).to_have_text(READY)

    await first.get_by_label("Prénom ou initiales").fill("M.B.")
    await first.get_by_label("Prénom ou initiales").press("Enter")  # Enter: standard
    await expect(first.locator("#last-number")).to_have_text("A001")
    await expect(first.locator("#last-detail")).to_contain_text("Position dans la file : 1")

    row = second.locator("#queue-list [data-ticket=A001]")
    await expect(row).to_be_visible(timeout=LIVE)
    await expect(row).to_contain_text("M.B.")
    await expect(row.locator(".pos")).to_have_text("1")

    await second.get_by_role("button", name="Urgent", exact=True).click()
    await expect(second.locator("#last-number")).to_have_text("U002")
    await expect(first.locator("#queue-list .q-row .num")).to_have_text(
        ["U002", "A001"], timeout=LIVE
    )


async def test_a_check_in_retried_after_a_dropped_answer_gives_one_ticket(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    page = await open_page(f"/reception/{centre.slug}", centre.reception)
    await expect(page.locator("#conn")).to_have_text(READY)
    sent: list[dict[str, Any]] = []
    statuses: list[int] = []

    async def drop_first_answer(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        answer = await route.fetch()  # the server handles the check-in...
        statuses.append(answer.status)
        if len(sent) == 1:
            await route.abort("connectionreset")  # ...but the tablet never hears back
        else:
            await route.fulfill(response=answer)

    await page.route(f"**/api/centres/{centre.slug}/tickets", drop_first_answer)
    await page.get_by_role("button", name="Standard", exact=True).click()
    await expect(page.locator("#last-number")).to_have_text("A001", timeout=LIVE)

    assert len(sent) == 2
    assert sent[0]["client_key"] == sent[1]["client_key"]
    assert statuses == [201, 200]  # the retry got the ticket already given
    assert await queue_numbers(page, centre.slug) == ["A001"]
    await expect(page.locator("#pending")).to_be_hidden()


async def test_the_page_says_when_the_server_is_unreachable_and_catches_up(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    page = await open_page(f"/reception/{centre.slug}", centre.reception)
    await expect(page.locator("#conn")).to_have_text(READY)

    # Without the feed (a proxy refusing WebSockets) the page polls, and its next poll
    # notices the server is gone; an open WebSocket does not notice an emulated offline.
    async def refuse(ws: WebSocketRoute) -> None:
        await ws.close()

    await page.route_web_socket("**/ws/**", refuse)
    await page.reload()
    await expect(page.locator("#conn")).to_have_text("Mise à jour toutes les 3 s")
    await page.context.set_offline(True)
    await page.get_by_label("Prénom ou initiales").fill("Léa")
    await page.get_by_role("button", name="Urgent", exact=True).click()
    await expect(page.locator("#pending")).to_contain_text("nouvel essai")
    await expect(page.locator("#offline-banner")).to_be_visible(timeout=LIVE)
    await expect(page.locator("#conn")).to_have_text("Serveur injoignable")

    await page.context.set_offline(False)
    await expect(page.locator("#last-number")).to_have_text("U001", timeout=LIVE)
    await expect(page.locator("#offline-banner")).to_be_hidden(timeout=LIVE)
    await expect(page.locator("#pending")).to_be_hidden()
    assert await queue_numbers(page, centre.slug) == ["U001"]


async def test_actions_on_patients_and_closing_check_in(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    page = await open_page(f"/reception/{centre.slug}", centre.reception)
    for label in ("Ana", "Bob", "Cy"):
        answer = await page.request.post(
            f"/api/centres/{centre.slug}/tickets", data={"priority": "standard", "label": label}
        )
        assert answer.status == 201
    rows = page.locator("#queue-list .q-row .num")
    await expect(rows).to_have_text(["A001", "A002", "A003"], timeout=LIVE)
    dialog = page.locator("#actions-dialog")

    async def open_actions(number: str) -> None:
        await page.locator(f"[data-ticket={number}]").get_by_role("button").click()
        await expect(dialog).to_be_visible()

    await open_actions("A002")
    await dialog.get_by_role("button", name="Passer en urgent").click()
    await expect(rows).to_have_text(["A002", "A001", "A003"])

    await open_actions("A003")
    await dialog.get_by_role("button", name="Mettre en tête de file").click()
    await dialog.get_by_label("Motif").fill("enfant fiévreux")
    await dialog.get_by_role("button", name="Mettre en tête", exact=True).click()
    await expect(rows).to_have_text(["A002", "A003", "A001"])

    await open_actions("A001")
    await dialog.get_by_role("button", name="Annuler le ticket").click()
    await expect(rows).to_have_text(["A002", "A003"])

    await open_actions("A003")
    await dialog.get_by_role("button", name="Cabinet 2").click()
    chip = page.locator("#in-rooms [data-ticket=A003]")
    await expect(chip).to_contain_text("salle 2")
    await expect(chip).to_contain_text("Appelé")

    await chip.click()
    await dialog.get_by_role("button", name="Absent à l'appel").click()
    missed = page.locator("#missed-list [data-ticket=A003]")
    await expect(missed).to_contain_text("Absent à l'appel")
    await page.locator("#missed-block summary").click()
    await missed.get_by_role("button", name="Remettre dans la file").click()
    await expect(rows).to_have_text(["A002", "A003"])

    await page.get_by_role("button", name="Fermer l'enregistrement").click()
    await page.locator("#confirm-dialog").get_by_role("button", name="Oui, fermer").click()
    await expect(page.locator("#closed-banner")).to_be_visible()
    await expect(page.get_by_role("button", name="Standard", exact=True)).to_be_disabled()
    refused = await page.request.post(f"/api/centres/{centre.slug}/tickets", data={})
    assert refused.status == 409
    await page.get_by_role("button", name="Rouvrir l'enregistrement").click()
    await expect(page.locator("#closed-banner")).to_be_hidden()
    await expect(page.get_by_role("button", name="Standard", exact=True)).to_be_enabled()


async def test_estimates_and_the_after_closing_warning_show_when_the_api_gives_them(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    page = await open_page(f"/reception/{centre.slug}", centre.reception)
    await expect(page.locator("#conn")).to_have_text(READY)
    await expect(page.locator(".q-header .est")).to_be_hidden()
    estimate = {"wait_min": 25, "low_min": 15, "high_min": 40, "after_closing": True}

    async def with_estimates(route: Route) -> None:
        answer = await route.fetch()
        body = await answer.json()
        for ticket in body.get("tickets", [body]):
            ticket["estimate"] = estimate
        if "newcomer" in body:
            body["newcomer"] = {
                "standard": {**estimate, "after_closing": False},
                "urgent": {**estimate, "wait_min": None},
            }
        await route.fulfill(response=answer, json=body)

    await page.route(f"**/api/centres/{centre.slug}/queue", with_estimates)
    await page.route(f"**/api/centres/{centre.slug}/tickets", with_estimates)
    await page.get_by_role("button", name="Standard", exact=True).click()
    await expect(page.locator("#last-warning")).to_be_visible()
    row = page.locator("#queue-list [data-ticket=A001]")
    # Seen after closing: said so, not a number of minutes.
    await expect(row.locator(".est")).to_have_text("pas avant la fermeture")
    await expect(page.locator(".q-header .est")).to_be_visible()
    await expect(page.locator("#newcomer")).to_have_text(
        "Attente estimée à l'arrivée : standard ≈ 25 min (15–40)"
        " · urgent attente inconnue : aucun médecin présent ni attendu"
    )


async def test_the_live_feed_triggers_a_refresh_and_answers_pings(
    open_page: OpenPage, centre: SeededCentre
) -> None:
    received: list[str] = []
    sockets: list[WebSocketRoute] = []

    def feed(socket: WebSocketRoute) -> None:
        # A stand-in for the centre's feed: it never polls the server itself.
        sockets.append(socket)
        socket.on_message(lambda message: received.append(str(message)))
        socket.send(json.dumps({"type": "snapshot", "seq": 0}))

    page = await open_page("/login", centre.reception)
    await page.route_web_socket(f"**/ws/centres/{centre.slug}", feed)
    await page.goto(f"/reception/{centre.slug}")
    await expect(page.locator("#conn")).to_have_text("En direct")

    answer = await page.request.post(f"/api/centres/{centre.slug}/tickets", data={"label": "Zoé"})
    seq = (await (await page.request.get(f"/api/centres/{centre.slug}/queue")).json())["seq"]
    # Live, the page polls only every 30 s: a prompt update comes from the event.
    sockets[0].send(json.dumps({"type": "ticket.checked_in", "seq": seq}))
    await expect(page.locator("[data-ticket=A001]")).to_contain_text("Zoé", timeout=2500)
    assert answer.status == 201

    sockets[0].send(json.dumps({"type": "ping"}))
    pong = {"type": "pong"}
    for _ in range(40):
        if pong in [json.loads(message) for message in received]:
            break
        await asyncio.sleep(0.05)
    assert pong in [json.loads(message) for message in received]
