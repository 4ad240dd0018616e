"""Pages over HTTP, without a browser: redirects, refusals, languages."""

from __future__ import annotations

import pytest

from service.i18n import accept_language
from service.pages import safe_next
from tests.conftest import StaffClients

pytestmark = pytest.mark.timeout(30)


async def test_pages_without_a_session_redirect_to_login(clients: StaffClients) -> None:
    anonymous = await clients()
    for path in ("/reception/paris", "/room/paris?x=1", "/home", "/centres"):
        response = await anonymous.get(path)
        assert response.status_code == 303, path
        location = response.headers["location"]
        assert location.startswith("/login?next=/"), location
    assert (await anonymous.get("/room/paris?x=1")).headers["location"] == (
        "/login?next=/room/paris%3Fx%3D1"
    )
    # The API keeps answering in JSON.
    assert (await anonymous.get("/api/centres/paris/queue")).status_code == 401


async def test_public_pages(clients: StaffClients) -> None:
    anonymous = await clients()
    landing = await anonymous.get("/")
    assert landing.status_code == 200
    assert 'href="/login"' in landing.text
    login = await anonymous.get("/login?next=/room/paris")
    assert login.status_code == 200
    assert 'data-next="/room/paris"' in login.text
    # A next outside the site is dropped: no open redirect.
    assert 'data-next=""' in (await anonymous.get("/login?next=//evil.example")).text


async def test_other_centres_and_unknown_centres_get_html_refusals(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    assert (await desk.get("/reception/paris")).status_code == 200
    refused = await desk.get("/reception/lyon")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Accès refusé" in refused.text
    manager = await clients("manager")
    missing = await manager.get("/room/nowhere")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.text
    assert (await desk.get("/centres")).status_code == 403


async def test_home_sends_each_role_to_its_page(clients: StaffClients) -> None:
    for username, page in (
        ("reception-lyon", "/reception/lyon"),
        ("doctor-paris", "/room/paris"),
        ("manager", "/centres"),
    ):
        client = await clients(username)
        assert (await client.get("/home")).headers["location"] == page
    centres = await (await clients("manager")).get("/centres")
    # The live home: its first rows come with the page, as data for its script.
    assert '"slug": "bruxelles"' in centres.text


async def test_language_from_query_cookie_or_browser(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    french = await desk.get("/reception/paris")
    assert '<html lang="fr">' in french.text
    english = await desk.get("/reception/paris", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text
    chosen = await desk.get("/reception/paris?lang=en")
    assert '<html lang="en">' in chosen.text
    # Remembered by a cookie for the next pages.
    assert '<html lang="en">' in (await desk.get("/room/paris")).text


def test_accept_language_and_safe_next() -> None:
    assert accept_language("") == "fr"
    assert accept_language("de-DE,en;q=0.5,fr;q=0.4") == "en"
    assert accept_language("fr-BE,fr;q=0.9,en;q=0.8") == "fr"
    assert accept_language("nl-BE, en;q=bad") == "fr"
    assert safe_next("/room/paris?x=1") == "/room/paris?x=1"
    for bad in (None, "", "https://evil.example", "//evil.example", "/\\evil", "/a\nb"):
        assert safe_next(bad) is None


async def test_the_planning_page_refuses_staff_with_a_page_and_bad_dates_with_400(
    clients: StaffClients,
) -> None:
    desk = await clients("reception-paris")
    refused = await desk.get("/rota")
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    manager = await clients("manager")
    for path in ("/rota?view=month&start=9999-12-01", "/rota/day?centre=paris&day=9999-12-31"):
        answer = await manager.get(path)
        assert answer.status_code == 400, (path, answer.status_code)
    assert (await manager.get("/rota/day?centre=nowhere&day=2026-12-07")).status_code == 404
    # A part fetched by htmx without a session: HX-Redirect to login, back to the page.
    anonymous = await clients()
    part = await anonymous.get(
        "/rota/board",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/rota?view=month"},
    )
    assert part.status_code == 401
    assert part.headers["hx-redirect"] == "/login?next=/rota%3Fview%3Dmonth"
