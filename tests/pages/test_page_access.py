"""Pages over HTTP, without a browser: redirects, refusals, languages."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.i18n import accept_language
from service.pages import safe_next
from tests.conftest import StaffClients, World, add_centre_manager

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


async def test_administration_pages_are_for_managers_with_html_refusals(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    anonymous = await clients()
    for path in ("/accounts", "/audit", "/account"):
        answer = await anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    setup = await anonymous.get("/setup")
    assert setup.status_code == 200 and 'id="password-form"' in setup.text
    for username in ("reception-paris", "doctor-lyon"):
        staff = await clients(username)
        for path in ("/accounts", "/audit", "/centres", "/rota"):
            refused = await staff.get(path, headers={"accept": "text/html"})
            assert refused.status_code == 403, (username, path)
            assert refused.headers["content-type"].startswith("text/html")
            assert "Accès refusé" in refused.text
        assert (await staff.get("/account")).status_code == 200
    await add_centre_manager(db, world, "gestion-paris", ["paris"])
    boss = await clients("gestion-paris")
    accounts = await boss.get("/accounts")
    assert accounts.status_code == 200
    assert "reception-paris" in accounts.text and "reception-lyon" not in accounts.text
    assert 'value="manager"' not in accounts.text  # no role above their own to give
    centres = await boss.get("/centres")
    assert 'href="/reception/paris"' in centres.text and "/reception/lyon" not in centres.text
    assert (await boss.get("/reception/lyon")).status_code == 403
    rota = await boss.get("/rota")  # the planning grid of their centres only
    assert rota.status_code == 200
    assert 'data-centre="paris"' in rota.text and 'data-centre="lyon"' not in rota.text
    assert 'id="cycle-panel"' not in rota.text  # the month's cycle is the network office's
    assert (await boss.get("/rota/day?centre=lyon&day=2026-12-07")).status_code == 403
    audit = await boss.get("/audit?centre=lyon")
    assert audit.status_code == 400  # not one of theirs
    manager = await clients("manager")
    everything = await manager.get("/audit?kind=all")
    assert everything.status_code == 200 and "<td>login</td>" in everything.text
    assert (await manager.get("/audit?since=not-a-day")).status_code == 400


async def test_the_top_bar_lists_the_pages_each_role_opens(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await add_centre_manager(db, world, "gestion-two", ["paris", "lyon"])

    def links(html: str) -> set[str]:
        nav = html.split('id="staff-nav"', 1)[1].split("</nav>", 1)[0]
        return set(re.findall(r'href="([^"]+)"', nav))

    desk = await clients("reception-paris")
    assert links((await desk.get("/reception/paris")).text) == {
        "/reception/paris",
        "/admin/centres/paris/screens",
        "/account",
    }
    doctor = await clients("doctor-paris")
    assert links((await doctor.get("/room/paris")).text) == {
        "/room/paris",
        "/rota/me",
        "/stats/doctors/me",
        "/account",
    }
    manager = await clients("manager")
    assert links((await manager.get("/centres")).text) == {
        "/centres",
        "/admin/centres",
        "/admin/doctors",
        "/rota",
        "/stats/network",
        "/accounts",
        "/audit",
        "/account",
    }
    boss = await clients("gestion-two")
    assert links((await boss.get("/accounts")).text) == {
        "/centres",
        "/admin/centres",
        "/rota",
        "/stats/network",
        "/accounts",
        "/audit",
        "/account",
    }
    await add_centre_manager(db, world, "gestion-one", ["lyon"])
    one = await clients("gestion-one")
    assert links((await one.get("/audit")).text) == {
        "/centres",
        "/admin/centres",
        "/rota",
        "/stats/network",
        "/accounts",
        "/audit",
        "/account",
        "/reception/lyon",
        "/room/lyon",
        "/admin/centres/lyon/screens",
    }
    # The planning grid has the bar too, with sign-out and the language switch.
    rota = (await manager.get("/rota")).text
    assert 'id="staff-nav"' in rota and "data-signout" in rota and "?lang=en" in rota


async def test_every_page_refused_to_a_role_says_so_in_html(
    clients: StaffClients, app: Litestar, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    """Every staff page (not the API), enumerated from the app: a role its guards exclude, or
    a centre manager of another centre, gets a readable HTML page, never JSON."""
    from service.access import Access, allowed_roles, route_rules
    from tests.security.helpers import concrete_path

    await add_centre_manager(db, world, "gestion-lyon-only", ["lyon"])
    people = {
        "reception": await clients("reception-paris"),
        "doctor": await clients("doctor-paris"),
        "centre_manager": await clients("gestion-lyon-only"),
    }
    checked = 0
    for rule in route_rules(app):
        if rule.websocket or rule.access is not Access.STAFF or "GET" not in rule.methods:
            continue
        if rule.path.startswith(("/api/", "/ws/")) or rule.handler.include_in_schema:
            continue
        roles = allowed_roles(rule.handler)
        url = concrete_path(rule.path, "paris", 1)
        for role, client in people.items():
            outside = role == "centre_manager" and "{centre_slug" in rule.path
            if (roles is None or role in roles) and not outside:
                continue
            answer = await client.get(url, headers={"accept": "text/html"})
            assert answer.status_code == 403, (rule.path, role, answer.status_code)
            assert answer.headers["content-type"].startswith("text/html"), (rule.path, role)
            assert "Accès refusé" in answer.text
            checked += 1
    assert checked >= 8
