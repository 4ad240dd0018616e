"""Pairing a TV, managing its token, the screen page and the public wait board."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from display import public
from tests.conftest import World
from tests.display.conftest import Served, make_token

pytestmark = pytest.mark.timeout(30)


async def test_pairing_a_screen_end_to_end(served: Served) -> None:
    tv = await served.http()
    started = await tv.post("/api/displays/pair")
    assert started.status_code == 201
    code, claim = started.json()["code"], started.json()["claim"]
    assert len(code) == 6
    poll = await tv.post(f"/api/displays/pair/{code}", json={"claim": claim})
    assert poll.json()["status"] == "pending"
    body = {"code": code[:3] + " " + code[3:].lower(), "label": "Salle d'attente"}
    lyon_desk = await served.http("reception-lyon")
    assert (await lyon_desk.post("/api/centres/paris/displays/pair", json=body)).status_code == 403
    doctor = await served.http("doctor-paris")
    assert (await doctor.post("/api/centres/paris/displays/pair", json=body)).status_code == 403
    desk = await served.http("reception-paris")
    confirmed = await desk.post("/api/centres/paris/displays/pair", json=body)
    assert confirmed.status_code == 200, confirmed.text
    assert (await desk.post("/api/centres/paris/displays/pair", json=body)).status_code == 409
    wrong = await tv.post(f"/api/displays/pair/{code}", json={"claim": "y" * 32})
    assert wrong.status_code == 404
    paired = await tv.post(f"/api/displays/pair/{code}", json={"claim": claim})
    assert paired.status_code == 200
    token = paired.json()["token"]
    assert paired.json()["url"] == "/display/paris"
    assert tv.cookies.get("walkin_display") == token
    again = await tv.post(f"/api/displays/pair/{code}", json={"claim": claim})
    assert again.status_code == 409
    # The cookie opens the screen page; the token opens the feed.
    assert (await tv.get("/display/paris")).status_code == 200
    screen = await served.screen("paris", token=token)
    assert (await screen.next())["type"] == "snapshot"
    await screen.close()
    listed = (await desk.get("/api/centres/paris/displays")).json()
    assert [(d["label"], d["revoked_at"]) for d in listed] == [("Salle d'attente", None)]
    assert "token" not in listed[0] and "token_hash" not in listed[0]


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("POST", "/api/displays/pair/ABC", {"claim": "x" * 32}, 400),
        ("POST", "/api/displays/pair/ABCDEF", {"claim": "x" * 32}, 404),
        ("POST", "/api/displays/pair/ABCDEF", {"claim": 3}, 400),
        ("POST", "/api/displays/pair/ABCDEF", {}, 400),
        ("POST", "/api/centres/paris/displays/pair", {"code": "ABCDEF", "label": "TV"}, 404),
        ("POST", "/api/centres/paris/displays/pair", {"code": "ABCDEF", "label": ""}, 400),
        ("POST", "/api/centres/paris/displays/pair", {"code": "AB!DEF", "label": "TV"}, 400),
        ("POST", "/api/centres/nowhere/displays/pair", {"code": "ABCDEF", "label": "TV"}, 404),
        ("POST", "/api/centres/paris/displays/999/revoke", None, 404),
        ("POST", "/api/centres/paris/displays/abc/revoke", None, 404),
    ],
)
async def test_bad_input_is_a_clear_4xx(
    served: Served, method: str, url: str, body: Any, status: int
) -> None:
    manager = await served.http("manager")
    response = await manager.request(method, url, json=body)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def test_tokens_are_listed_and_revoked_by_the_right_people(
    served: Served, db: Any, world: World
) -> None:
    lyon_id, _ = await make_token(db, world, "lyon")
    paris_id, _ = await make_token(db, world, "paris", "Entrée")
    anonymous = await served.http()
    assert (await anonymous.get("/api/centres/paris/displays")).status_code == 401
    doctor = await served.http("doctor-paris")
    assert (await doctor.get("/api/centres/paris/displays")).status_code == 403
    desk = await served.http("reception-paris")
    assert (await desk.get("/api/centres/lyon/displays")).status_code == 403
    assert [d["id"] for d in (await desk.get("/api/centres/paris/displays")).json()] == [paris_id]
    other = await desk.post(f"/api/centres/paris/displays/{lyon_id}/revoke")
    assert other.status_code == 404
    first = await desk.post(f"/api/centres/paris/displays/{paris_id}/revoke")
    second = await desk.post(f"/api/centres/paris/displays/{paris_id}/revoke")
    assert first.status_code == second.status_code == 200
    assert first.json()["revoked_at"] == second.json()["revoked_at"]


async def test_screen_page_needs_a_credential(served: Served, db: Any, world: World) -> None:
    _, token = await make_token(db, world, "paris")
    anonymous = await served.http()
    refused = await anonymous.get("/display/paris")
    assert refused.status_code == 401 and "/display/pair" in refused.text
    assert (await anonymous.get(f"/display/lyon?token={token}")).status_code == 403
    assert (await anonymous.get("/display/nowhere")).status_code == 404
    page = await anonymous.get(f"/display/paris?token={token}")
    assert page.status_code == 200 and "Paris 11e" in page.text and 'lang="fr"' in page.text
    # The token of the address becomes the display cookie, which alone opens the page and feed.
    assert page.cookies.get("walkin_display") == token
    assert (await anonymous.get("/display/paris")).status_code == 200
    english = await anonymous.get(f"/display/paris?token={token}&lang=en")
    assert "Now calling" in english.text
    staff = await served.http("reception-paris")
    assert (await staff.get("/display/paris")).status_code == 200
    # ?lang=en was remembered: the pairing page speaks English until told otherwise.
    pair = await anonymous.get("/display/pair")
    assert pair.status_code == 200 and "Pair a screen" in pair.text
    assert "Appairer" in (await anonymous.get("/display/pair?lang=fr")).text


async def test_public_wait_board(served: Served) -> None:
    desk = await served.http("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={"label": "Zoé"})
    anonymous = await served.http()
    board = (await anonymous.get("/api/public/waits")).json()
    by_slug = {c["slug"]: c for c in board["centres"]}
    assert set(by_slug) == {"paris", "lyon", "bruxelles"}
    assert by_slug["paris"]["waiting"] == 1
    # Nobody on the rota and nobody calling: unknown rather than invented.
    assert by_slug["paris"]["newcomer_wait"] is None
    assert by_slug["paris"]["open_now"] and by_slug["paris"]["checkin_open"]
    page = await anonymous.get("/attente")
    assert page.status_code == 200 and "Paris 11e" in page.text and "Zoé" not in page.text


async def test_visitors_arriving_together_share_one_reading_of_the_board(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    compute = public._compute

    async def counted(app: Any) -> Any:
        nonlocal reads
        reads += 1
        return await compute(app)

    monkeypatch.setattr(public, "_compute", counted)
    visitors = [await served.http() for _ in range(8)]
    answers = await asyncio.gather(*(v.get("/api/public/waits") for v in visitors))
    assert {a.status_code for a in answers} == {200} and reads == 1
