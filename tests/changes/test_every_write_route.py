"""Every write route of the app, run once: each leaves an audit entry, and each change to a
centre's live state bumps its sequence once and publishes exactly one event with that number.

The routes are enumerated from the app: a new write route without a step here fails the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from queues.patient import entrance_code
from rota.models import Centre
from service.access import route_rules
from service.audit import AuditEntry
from service.state import shell
from tests.conftest import PASSWORD, StaffClients, World
from tests.forecast.seeded import seed_history

pytestmark = pytest.mark.timeout(120)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
TODAY = "2026-11-24"  # the shared clock's day (Tuesday, 10:00 in Paris)


@dataclass
class Step:
    method: str
    route: str  # the path as the app routes it
    url: str | Callable[[], str]
    client: str  # who sends it
    entity: str
    action: str
    live_at: str | None = None  # the centre whose live state this changes
    body: Any = None  # or a function of the ids remembered so far
    keep: Callable[[dict[str, Any]], None] | None = None  # remember ids from the answer


def write_routes(app: Litestar) -> set[tuple[str, str]]:
    return {(method, rule.path) for rule in route_rules(app) for method in rule.methods & UNSAFE}


async def _seqs(db: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with db() as session:
        rows = await session.execute(select(Centre.slug, Centre.event_seq))
        return {slug: seq for slug, seq in rows.tuples()}


async def _entries_after(db: async_sessionmaker[AsyncSession], last: int) -> list[AuditEntry]:
    async with db() as session:
        found = await session.execute(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)
        )
        return list(found.scalars())


async def _last_entry(db: async_sessionmaker[AsyncSession]) -> int:
    entries = await _entries_after(db, 0)
    return entries[-1].id if entries else 0


def steps(ids: dict[str, Any]) -> list[Step]:
    def keep(name: str, key: str = "id") -> Callable[[dict[str, Any]], None]:
        def remember(answer: dict[str, Any]) -> None:
            ids[name] = answer[key]

        return remember

    def url(template: str) -> Callable[[], str]:
        return lambda: template.format(**ids)

    centres = "/api/centres/{centre_slug:str}"
    rota = "/api/rota"
    return [
        # --- the queue (reception and the doctor at Paris) ---
        Step(
            "POST",
            f"{centres}/tickets",
            "/api/centres/paris/tickets",
            "desk",
            "ticket",
            "check_in",
            "paris",
            {"priority": "standard"},
            keep("ticket"),
        ),
        Step(
            "POST",
            f"{centres}/tickets/{{ticket_id:int}}/priority",
            url("/api/centres/paris/tickets/{ticket}/priority"),
            "desk",
            "ticket",
            "priority",
            "paris",
            {"priority": "urgent"},
        ),
        Step(
            "POST",
            f"{centres}/tickets/{{ticket_id:int}}/move-to-head",
            url("/api/centres/paris/tickets/{ticket}/move-to-head"),
            "desk",
            "ticket",
            "moved",
            "paris",
            {"reason": "douleur thoracique"},
        ),
        Step(
            "POST",
            f"{centres}/call-next",
            "/api/centres/paris/call-next",
            "doc",
            "ticket",
            "call_next",
            "paris",
            {"room": "2"},
        ),
        Step(
            "POST",
            f"{centres}/tickets/{{ticket_id:int}}/{{action_name:str}}",
            url("/api/centres/paris/tickets/{ticket}/start"),
            "doc",
            "ticket",
            "start",
            "paris",
        ),
        # --- the patient's phone (joining from home at Paris, then the ticket's own page) ---
        Step(
            "PUT",
            f"{centres}/remote-join",
            "/api/centres/paris/remote-join",
            "manager",
            "remote_join",
            "set",
            None,
            {"enabled": True, "max_share": 0.5, "grace_min": 15},
        ),
        Step(
            "POST",
            "/api/public/centres/{centre_slug:str}/join",
            "/api/public/centres/paris/join",
            "visitor",
            "ticket",
            "check_in",
            "paris",
            {},
            lambda answer: ids.update(remote=answer["link"].removeprefix("/t/")),
        ),
        Step(
            "POST",
            "/api/patient/tickets/{token:str}/notify",
            url("/api/patient/tickets/{remote}/notify"),
            "visitor",
            "ticket",
            "notify_choice",
            None,
            {"ahead": 2, "called": True},
        ),
        Step(
            "POST",
            "/api/patient/tickets/{token:str}/arrive",
            url("/api/patient/tickets/{remote}/arrive"),
            "visitor",
            "ticket",
            "arrive",
            "paris",
            lambda: {"entrance": ids["entrance"]},
        ),
        Step(
            "POST",
            "/api/patient/tickets/{token:str}/leave",
            url("/api/patient/tickets/{remote}/leave"),
            "visitor",
            "ticket",
            "left_unseen",
            "paris",
            {},
        ),
        Step(
            "POST",
            f"{centres}/presence",
            "/api/centres/paris/presence",
            "doc",
            "room_presence",
            "begin",
            "paris",
            {"room": "2"},
        ),
        Step(
            "POST",
            f"{centres}/presence/leave",
            "/api/centres/paris/presence/leave",
            "doc",
            "room_presence",
            "end",
            "paris",
        ),
        Step(
            "POST",
            f"{centres}/checkin/close",
            "/api/centres/paris/checkin/close",
            "desk",
            "centre_day",
            "checkin_close",
            "paris",
        ),
        Step(
            "POST",
            f"{centres}/checkin/open",
            "/api/centres/paris/checkin/open",
            "desk",
            "centre_day",
            "checkin_open",
            "paris",
        ),
        # --- centres, rooms, their days (a manager) ---
        Step(
            "POST",
            f"{rota}/centres",
            f"{rota}/centres",
            "manager",
            "centre",
            "create",
            None,
            {
                "slug": "nice",
                "name": "Nice Centre",
                "opening_hours": {str(d): [["08:00", "20:00"]] for d in range(1, 8)},
            },
        ),
        Step(
            "PATCH",
            f"{rota}/centres/{{centre_slug:str}}",
            f"{rota}/centres/paris",
            "manager",
            "centre",
            "update",
            "paris",
            {"name": "Paris 11e Voltaire"},
        ),
        Step(
            "POST",
            f"{rota}/centres/{{centre_slug:str}}/rooms",
            f"{rota}/centres/paris/rooms",
            "manager",
            "room",
            "add",
            "paris",
            {"code": "4", "name": "Cabinet 4"},
        ),
        Step(
            "PATCH",
            f"{rota}/centres/{{centre_slug:str}}/rooms/{{code:str}}",
            f"{rota}/centres/paris/rooms/4",
            "manager",
            "room",
            "update",
            "paris",
            {"name": "Cabinet quatre"},
        ),
        Step(
            "PUT",
            f"{rota}/centres/{{centre_slug:str}}/rooms/order",
            f"{rota}/centres/paris/rooms/order",
            "manager",
            "room_order",
            "update",
            "paris",
            {"codes": ["4", "1", "2", "3"]},
        ),
        Step(
            "DELETE",
            f"{rota}/centres/{{centre_slug:str}}/rooms/{{code:str}}",
            f"{rota}/centres/paris/rooms/4",
            "manager",
            "room",
            "remove",
            "paris",
        ),
        Step(
            "PUT",
            f"{rota}/centres/{{centre_slug:str}}/exceptional-days/{{day:date}}",
            f"{rota}/centres/paris/exceptional-days/{TODAY}",
            "manager",
            "exceptional_day",
            "set",
            "paris",
            {"hours": [["08:00", "18:00"]], "reason": "x"},
        ),
        Step(
            "DELETE",
            f"{rota}/centres/{{centre_slug:str}}/exceptional-days/{{day:date}}",
            f"{rota}/centres/paris/exceptional-days/{TODAY}",
            "manager",
            "exceptional_day",
            "clear",
            "paris",
        ),
        Step(
            "PUT",
            f"{rota}/centres/{{centre_slug:str}}/cover-needs",
            f"{rota}/centres/paris/cover-needs",
            "manager",
            "cover_needs",
            "replace",
            None,
            [{"day_type": "weekday", "start": "08:00", "end": "20:00", "doctors": 1}],
        ),
        # The wait target and the cover needs that meet it (Paris has ten weeks of history).
        Step(
            "PUT",
            "/api/forecast/centres/{centre_slug:str}/wait-target",
            "/api/forecast/centres/paris/wait-target",
            "manager",
            "wait_target",
            "set",
            None,
            {"share": 0.9, "minutes": 40},
        ),
        Step(
            "POST",
            f"{rota}/centres/{{centre_slug:str}}/cover-needs/from-target",
            f"{rota}/centres/paris/cover-needs/from-target",
            "manager",
            "cover_needs",
            "from_target",
            None,
            {"month": "2026-12"},
        ),
        # --- doctors and their centres ---
        Step(
            "POST",
            f"{rota}/doctors",
            f"{rota}/doctors",
            "manager",
            "doctor",
            "create",
            None,
            {"display_name": "Dr Test Essai", "centres": ["paris"]},
            keep("doctor"),
        ),
        Step(
            "PATCH",
            f"{rota}/doctors/{{doctor_id:int}}",
            url(f"{rota}/doctors/{{doctor}}"),
            "manager",
            "doctor",
            "update",
            None,
            {"weekly_limit_hours": 40.0},
        ),
        Step(
            "PUT",
            f"{rota}/doctors/{{doctor_id:int}}/centres/{{centre_slug:str}}",
            url(f"{rota}/doctors/{{doctor}}/centres/lyon"),
            "manager",
            "doctor",
            "attach",
        ),
        Step(
            "DELETE",
            f"{rota}/doctors/{{doctor_id:int}}/centres/{{centre_slug:str}}",
            url(f"{rota}/doctors/{{doctor}}/centres/lyon"),
            "manager",
            "doctor",
            "detach",
        ),
        # --- shifts, leave, patterns, filling (today's shifts are live state) ---
        Step(
            "POST",
            f"{rota}/shifts",
            f"{rota}/shifts",
            "manager",
            "shift",
            "add",
            "paris",
            lambda: {
                "doctor_id": ids["doctor"],
                "centre": "paris",
                "day": TODAY,
                "start_time": "08:00",
                "end_time": "14:00",
                "accept_warnings": True,
            },
            lambda answer: ids.__setitem__("shift", answer["shifts"][0]["id"]),
        ),
        Step(
            "PATCH",
            f"{rota}/shifts/{{shift_id:int}}",
            url(f"{rota}/shifts/{{shift}}"),
            "manager",
            "shift",
            "move",
            "paris",
            {"end_time": "15:00", "accept_warnings": True},
        ),
        Step(
            "POST",
            f"{rota}/leave",
            f"{rota}/leave",
            "manager",
            "leave",
            "create",
            "paris",
            lambda: {
                "doctor_id": ids["doctor"],
                "first_day": TODAY,
                "last_day": TODAY,
                "approved": True,
                "accept_warnings": True,
            },
            lambda answer: ids.__setitem__("leave", answer["leave"]["id"]),
        ),
        Step(
            "POST",
            f"{rota}/leave/{{leave_id:int}}/{{decision:str}}",
            url(f"{rota}/leave/{{leave}}/cancel"),
            "manager",
            "leave",
            "cancelled",
            "paris",
            {},
        ),
        Step(
            "DELETE",
            f"{rota}/shifts/{{shift_id:int}}",
            url(f"{rota}/shifts/{{shift}}?accept_warnings=true"),
            "manager",
            "shift",
            "remove",
            "paris",
        ),
        Step(
            "POST",
            f"{rota}/patterns",
            f"{rota}/patterns",
            "manager",
            "shift_pattern",
            "create",
            None,  # December's shifts: planning, not today's live state
            lambda: {
                "doctor_id": ids["doctor"],
                "centre": "paris",
                "weekdays": [1],
                "start_time": "08:00",
                "end_time": "12:00",
                "first_day": "2026-12-07",
                "last_day": "2026-12-14",
                "accept_warnings": True,
            },
            lambda answer: ids.__setitem__("pattern", answer["pattern"]["id"]),
        ),
        Step(
            "DELETE",
            f"{rota}/patterns/{{pattern_id:int}}",
            url(f"{rota}/patterns/{{pattern}}?accept_warnings=true"),
            "manager",
            "shift_pattern",
            "remove_future",
            None,
        ),
        Step(
            "POST",
            f"{rota}/fill",
            f"{rota}/fill",
            "manager",
            "shift",
            "add",
            None,
            {"from": "2026-12-08", "to": "2026-12-08", "centre": "paris", "apply": True},
        ),
        Step(
            "POST",
            f"{rota}/doctors/{{doctor_id:int}}/calendar-tokens",
            url(f"{rota}/doctors/{{doctor}}/calendar-tokens"),
            "manager",
            "calendar_token",
            "create",
            None,
            None,
            keep("token"),
        ),
        Step(
            "DELETE",
            f"{rota}/calendar-tokens/{{token_id:int}}",
            url(f"{rota}/calendar-tokens/{{token}}"),
            "manager",
            "calendar_token",
            "revoke",
        ),
        # --- the month's planning cycle, and the doctor's own space (December: planning) ---
        Step(
            "PATCH",
            f"{rota}/doctors/{{doctor_id:int}}",
            url(f"{rota}/doctors/{{doctor}}"),
            "manager",
            "doctor",
            "update",
            None,
            lambda: {"account_id": ids["doc_account"]},
        ),
        Step(
            "PUT",
            f"{rota}/me/plan/{{month:str}}",
            f"{rota}/me/plan/2026-12",
            "doc",
            "availability",
            "set",
            None,
            {"days": [{"day": "2026-12-09", "state": "preferred"}], "wanted_shifts": 2},
        ),
        Step(
            "POST",
            f"{rota}/me/leave",
            f"{rota}/me/leave",
            "doc",
            "leave",
            "create",
            None,
            {"first_day": "2026-12-20", "last_day": "2026-12-21"},
        ),
        Step(
            "POST",
            f"{rota}/me/calendar-token",
            f"{rota}/me/calendar-token",
            "doc",
            "calendar_token",
            "create",
        ),
        # --- a shift given away: offered, withdrawn, offered again, taken, approved ---
        Step(
            "POST",
            f"{rota}/shifts",
            f"{rota}/shifts",
            "manager",
            "shift",
            "add",
            None,
            lambda: {
                "doctor_id": ids["doctor"],
                "centre": "paris",
                "day": "2026-11-26",
                "start_time": "08:00",
                "end_time": "14:00",
                "accept_warnings": True,
            },
            lambda answer: ids.__setitem__("offered", answer["shifts"][0]["id"]),
        ),
        Step(
            "POST",
            f"{rota}/me/offers",
            f"{rota}/me/offers",
            "doc",
            "shift_offer",
            "create",
            None,
            lambda: {"shift_id": ids["offered"]},
            keep("offer"),
        ),
        Step(
            "POST",
            f"{rota}/me/offers/{{offer_id:int}}/withdraw",
            url(f"{rota}/me/offers/{{offer}}/withdraw"),
            "doc",
            "shift_offer",
            "withdraw",
        ),
        Step(
            "POST",
            f"{rota}/me/offers",
            f"{rota}/me/offers",
            "doc",
            "shift_offer",
            "create",
            None,
            lambda: {"shift_id": ids["offered"]},
            keep("offer"),
        ),
        Step(
            "POST",
            f"{rota}/doctors",
            f"{rota}/doctors",
            "manager",
            "doctor",
            "create",
            None,
            lambda: {
                "display_name": "Dr Collègue Essai",
                "centres": ["paris"],
            },
            keep("colleague"),
        ),
        Step(
            "PATCH",
            f"{rota}/doctors/{{doctor_id:int}}",
            url(f"{rota}/doctors/{{colleague}}"),
            "manager",
            "doctor",
            "update",
            None,
            lambda: {"account_id": ids["colleague_account"]},
        ),
        Step(
            "POST",
            f"{rota}/me/offers/{{offer_id:int}}/take",
            url(f"{rota}/me/offers/{{offer}}/take"),
            "colleague",
            "shift_offer",
            "take",
        ),
        Step(
            "POST",
            f"{rota}/offers/{{offer_id:int}}/{{decision:str}}",
            url(f"{rota}/offers/{{offer}}/approve"),
            "manager",
            "shift_offer",
            "approved",
        ),
        Step(
            "POST",
            f"{rota}/cycles/{{month:str}}/solve",
            f"{rota}/cycles/2026-12/solve",
            "manager",
            "planning_cycle",
            "solve",
            None,
            {"time_limit_seconds": 2},
        ),
        Step(
            "POST",
            f"{rota}/cycles/{{month:str}}/cancel",
            f"{rota}/cycles/2026-12/cancel",
            "manager",
            "planning_cycle",
            "cancel_solve",
        ),
        Step(
            "POST",
            f"{rota}/cycles/{{month:str}}/solve",
            f"{rota}/cycles/2026-12/solve",
            "manager",
            "planning_cycle",
            "solve",
            None,
            {"time_limit_seconds": 2},
        ),
        Step(
            "POST",
            f"{rota}/cycles/{{month:str}}/apply",
            f"{rota}/cycles/2026-12/apply",
            "manager",
            "planning_cycle",
            "review",
        ),
        Step(
            "POST",
            f"{rota}/cycles/{{month:str}}/publish",
            f"{rota}/cycles/2026-12/publish",
            "manager",
            "planning_cycle",
            "publish",
        ),
        Step(
            "DELETE",
            f"{rota}/doctors/{{doctor_id:int}}",
            url(f"{rota}/doctors/{{doctor}}"),
            "manager",
            "doctor",
            "deactivate",
        ),
        # --- a waiting-room screen paired and revoked ---
        Step(
            "POST",
            "/api/displays/pair",
            "/api/displays/pair",
            "tv",
            "display_pairing",
            "start",
            None,
            None,
            lambda answer: ids.update(code=answer["code"], claim=answer["claim"]),
        ),
        Step(
            "POST",
            f"{centres}/displays/pair",
            "/api/centres/paris/displays/pair",
            "desk",
            "display_pairing",
            "confirm",
            None,
            lambda: {"code": ids["code"], "label": "Salle d'attente"},
        ),
        Step(
            "POST",
            "/api/displays/pair/{code:str}",
            url("/api/displays/pair/{code}"),
            "tv",
            "display_token",
            "pair",
            None,
            lambda: {"claim": ids["claim"]},
        ),
        Step(
            "PATCH",
            f"{centres}/displays/{{display_id:int}}",
            url("/api/centres/paris/displays/{display}"),
            "desk",
            "display_token",
            "rename",
            None,
            {"label": "Salle d'attente, étage 1"},
        ),
        Step(
            "POST",
            f"{centres}/displays/{{display_id:int}}/revoke",
            url("/api/centres/paris/displays/{display}/revoke"),
            "desk",
            "display_token",
            "revoke",
        ),
        # --- staff accounts: made, edited, reset, set up, disabled, enabled; own password ---
        Step(
            "POST",
            "/api/accounts",
            "/api/accounts",
            "manager",
            "account",
            "create",
            None,
            {
                "username": "new.desk",
                "display_name": "Nouvel accueil",
                "role": "reception",
                "centres": ["paris"],
            },
            lambda answer: ids.__setitem__("account", answer["account"]["id"]),
        ),
        Step(
            "PATCH",
            "/api/accounts/{account_id:int}",
            url("/api/accounts/{account}"),
            "manager",
            "account",
            "update",
            None,
            {"display_name": "Accueil du matin", "centres": ["lyon"]},
        ),
        Step(
            "POST",
            "/api/accounts/{account_id:int}/reset",
            url("/api/accounts/{account}/reset"),
            "manager",
            "account",
            "reset",
            None,
            None,
            keep("setup_code", "code"),
        ),
        Step(
            "POST",
            "/api/account-setup",
            "/api/account-setup",
            "tv",
            "account",
            "password_set",
            None,
            lambda: {"code": ids["setup_code"], "password": "un mot de passe choisi"},
        ),
        Step(
            "POST",
            "/api/accounts/{account_id:int}/disable",
            url("/api/accounts/{account}/disable"),
            "manager",
            "account",
            "disable",
        ),
        Step(
            "POST",
            "/api/accounts/{account_id:int}/enable",
            url("/api/accounts/{account}/enable"),
            "manager",
            "account",
            "enable",
        ),
        Step(
            "POST",
            "/api/auth/password",
            "/api/auth/password",
            "doc",
            "account",
            "password_change",
            None,
            {"current_password": PASSWORD, "new_password": "le docteur change le sien"},
        ),
        # --- signing in and out ---
        Step(
            "POST",
            "/api/auth/login",
            "/api/auth/login",
            "visitor",
            "account",
            "login",
            None,
            {"username": "doctor-lyon", "password": PASSWORD},
        ),
        Step("POST", "/api/auth/logout", "/api/auth/logout", "visitor", "account", "logout"),
        # --- statistics: a finished day computed again (derived data, nothing live) ---
        Step(
            "POST",
            "/api/stats/centres/{centre_slug:str}/days/{day:date}/recompute",
            "/api/stats/centres/paris/days/2026-11-23/recompute",
            "manager",
            "stats_day",
            "recompute",
        ),
    ]


async def test_every_write_route_is_audited_and_announced_once(
    app: Litestar,
    clients: StaffClients,
    world: World,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    client_ip: str,
) -> None:
    people: dict[str, httpx.AsyncClient] = {
        "desk": await clients("reception-paris"),
        "doc": await clients("doctor-paris"),
        "colleague": await clients("doctor-bruxelles"),
        "manager": await clients("manager"),
        "tv": await clients(),
        "visitor": await clients(),
    }
    for client in people.values():
        client.headers["X-Forwarded-For"] = client_ip
    await seed_history(db, world)
    published: list[tuple[int, dict[str, Any]]] = []
    bus = shell(app).bus
    real_publish = bus.publish

    def capture(centre_id: int, event: dict[str, Any]) -> None:
        published.append((centre_id, event))
        real_publish(centre_id, event)

    monkeypatch.setattr(bus, "publish", capture)
    slug_of = {centre.id: slug for slug, centre in world.centres.items()}
    ids: dict[str, Any] = {
        "doc_account": world.accounts["doctor-paris"].id,
        "colleague_account": world.accounts["doctor-bruxelles"].id,
        "entrance": entrance_code(shell(app).settings.secret_key, world.centres["paris"]),
    }
    covered: set[tuple[str, str]] = set()
    for step in steps(ids):
        if step.route.startswith("/api/centres/{centre_slug:str}/displays/{display_id:int}"):
            listed = await people["desk"].get("/api/centres/paris/displays")
            ids["display"] = listed.json()[0]["id"]
        if step.route == "/api/rota/cycles/{month:str}/apply":
            for _ in range(200):  # the solve runs in the background: apply what it found
                cycle = (await people["manager"].get("/api/rota/cycles/2026-12")).json()
                if not cycle["solve"]["running"]:
                    break
                await asyncio.sleep(0.05)
        url = step.url() if callable(step.url) else step.url
        body = step.body() if callable(step.body) else step.body
        seqs, last = await _seqs(db), await _last_entry(db)
        published.clear()
        response = await people[step.client].request(step.method, url, json=body)
        what = f"{step.method} {url}"
        assert response.status_code < 300, f"{what}: {response.status_code} {response.text}"
        if step.keep is not None:
            step.keep(response.json())
        covered.add((step.method, step.route))

        entries = await _entries_after(db, last)
        assert (step.entity, step.action) in {(e.entity, e.action) for e in entries}, (
            f"{what} left no {step.entity}/{step.action} audit entry: "
            f"{[(e.entity, e.action) for e in entries]}"
        )
        after = await _seqs(db)
        events = [(slug_of.get(centre_id), event) for centre_id, event in published]
        if step.live_at is None:
            assert events == [], f"{what} changed no live state but published {events}"
            assert after == {**seqs, **{s: v for s, v in after.items() if s not in seqs}}, (
                f"{what} bumped a sequence: {seqs} -> {after}"
            )
        else:
            expected = seqs[step.live_at] + 1
            assert after == {**seqs, step.live_at: expected}, f"{what}: {seqs} -> {after}"
            assert [(slug, event["seq"]) for slug, event in events] == [(step.live_at, expected)], (
                f"{what} published {events}"
            )

    missing = write_routes(app) - covered
    assert not missing, f"write routes without a step in this test: {sorted(missing)}"
