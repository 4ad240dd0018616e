"""Accounts administration over the API: set-up links, roles and centres, disable, reset, one's
own password, and who may manage whom."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.account_rules import management_problem, password_problem, shape_problem
from service.accounts import Role
from service.audit import AuditEntry
from tests.conftest import PASSWORD, FakeClock, StaffClients, World, add_centre_manager

pytestmark = pytest.mark.timeout(60)

NEW_PASSWORD = "cheval batterie agrafe"


def test_password_rules() -> None:
    assert password_problem("court", "ana", "Ana") is not None
    assert password_problem("x" * 129, "ana", "Ana") is not None
    assert password_problem("ana.martin-2026-ok", "ana.martin", "Ana Martin") is not None
    assert password_problem("aaaaaaaaaaaaaaaa", "bob", "Bob") is not None
    assert password_problem(NEW_PASSWORD, "ana.martin", "Ana Martin") is None


def test_role_shapes_and_who_manages_whom() -> None:
    assert shape_problem(Role.MANAGER, 1, False) is not None
    assert shape_problem(Role.CENTRE_MANAGER, 0, False) is not None
    assert shape_problem(Role.RECEPTION, 2, False) is not None
    assert shape_problem(Role.RECEPTION, 1, True) is not None
    assert shape_problem(Role.DOCTOR, 1, True) is None
    assert management_problem(Role.MANAGER, [], Role.MANAGER, []) is None
    assert management_problem(Role.CENTRE_MANAGER, [1, 2], Role.RECEPTION, [2]) is None
    assert management_problem(Role.CENTRE_MANAGER, [1], Role.RECEPTION, [3]) is not None
    assert management_problem(Role.CENTRE_MANAGER, [1], Role.CENTRE_MANAGER, [1]) is not None
    assert management_problem(Role.CENTRE_MANAGER, [1], Role.MANAGER, []) is not None
    assert management_problem(Role.RECEPTION, [1], Role.RECEPTION, [1]) is not None


async def _create(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await client.post("/api/accounts", json=body)


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_a_new_account_chooses_its_password_once_on_its_link(
    clients: StaffClients, db: async_sessionmaker[AsyncSession]
) -> None:
    manager = await clients("manager")
    made = await _create(
        manager,
        username="ana.martin",
        display_name="Ana Martin",
        role="reception",
        centres=["paris"],
    )
    assert made.status_code == 201, made.text
    answer = made.json()
    code = answer["code"]
    assert answer["path"] == f"/setup#{code}"
    assert answer["account"]["centres"] == ["paris"] and not answer["account"]["password_set"]
    newcomer = await clients()
    # No password yet: nothing signs in, not even an empty or guessed one.
    assert (await _sign_in(newcomer, "ana.martin", "!")).status_code == 401
    weak = await newcomer.post("/api/account-setup", json={"code": code, "password": "court"})
    assert weak.status_code == 400 and "12" in weak.json()["detail"]
    done = await newcomer.post("/api/account-setup", json={"code": code, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json()["username"] == "ana.martin"
    again = await newcomer.post("/api/account-setup", json={"code": code, "password": NEW_PASSWORD})
    assert again.status_code == 404  # single use
    assert (await _sign_in(newcomer, "ana.martin", NEW_PASSWORD)).status_code == 200
    assert (await newcomer.get("/api/centres/paris/queue")).status_code == 200
    assert (await newcomer.get("/api/centres/lyon/queue")).status_code == 403
    listed = (await manager.get("/api/accounts", params={"centre": "paris"})).json()
    row = next(a for a in listed if a["username"] == "ana.martin")
    assert row["password_set"] and row["last_login_at"] is not None
    async with db() as session:
        entries = (
            (await session.execute(select(AuditEntry).where(AuditEntry.entity == "account")))
            .scalars()
            .all()
        )
    actions = [e.action for e in entries if e.entity_id == answer["account"]["id"]]
    assert {"create", "password_set", "login"} <= set(actions)
    # Neither the code nor the password nor its hash is in the log.
    assert not any(code in str(e.changes) or "argon2" in str(e.changes) for e in entries)


async def test_set_up_codes_expire_and_a_reset_replaces_them(
    clients: StaffClients, clock: FakeClock
) -> None:
    manager = await clients("manager")
    first = (
        await _create(
            manager, username="bob.durand", display_name="Bob", role="doctor", centres=["lyon"]
        )
    ).json()
    reset = await manager.post(f"/api/accounts/{first['account']['id']}/reset")
    assert reset.status_code == 201
    second = reset.json()["code"]
    anyone = await clients()
    old = await anyone.post(
        "/api/account-setup", json={"code": first["code"], "password": NEW_PASSWORD}
    )
    assert old.status_code == 404  # the reset made the first link worthless
    clock.now += timedelta(days=4)
    late = await anyone.post("/api/account-setup", json={"code": second, "password": NEW_PASSWORD})
    assert late.status_code == 404 and "expir" in late.json()["detail"]
    junk = await anyone.post("/api/account-setup", json={"code": "x" * 30, "password": "y"})
    assert junk.status_code == 404
    bad_shape = await anyone.post("/api/account-setup", json={"code": "<script>", "password": "y"})
    assert bad_shape.status_code == 400


async def test_disabling_ends_every_session_at_once(clients: StaffClients) -> None:
    manager = await clients("manager")
    desk = await clients("reception-paris")
    tablet = await clients("reception-paris")
    accounts = (await manager.get("/api/accounts", params={"role": "reception"})).json()
    desk_id = next(a["id"] for a in accounts if a["username"] == "reception-paris")
    disabled = await manager.post(f"/api/accounts/{desk_id}/disable")
    assert disabled.status_code == 200 and not disabled.json()["active"]
    for client in (desk, tablet):
        assert (await client.get("/api/centres/paris/queue")).status_code == 401
    assert (await _sign_in(await clients(), "reception-paris", PASSWORD)).status_code == 401
    enabled = await manager.post(f"/api/accounts/{desk_id}/enable")
    assert enabled.json()["active"]
    # Enabled again, the old sessions stay ended: sign in afresh.
    assert (await desk.get("/api/centres/paris/queue")).status_code == 401
    # Nobody disables their own account (the last manager locked out).
    me = next(a for a in (await manager.get("/api/accounts")).json() if a["username"] == "manager")
    assert (await manager.post(f"/api/accounts/{me['id']}/disable")).status_code == 409


async def test_everyone_changes_their_own_password(clients: StaffClients) -> None:
    doctor = await clients("doctor-paris")
    other = await clients("doctor-paris")
    wrong = await doctor.post(
        "/api/auth/password",
        json={"current_password": "nope", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 403

    weak = await doctor.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 400
    changed = await doctor.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204, changed.text
    assert (await doctor.get("/api/auth/me")).status_code == 200  # this session stays
    assert (await other.get("/api/auth/me")).status_code == 401  # the others end
    assert (await _sign_in(await clients(), "doctor-paris", PASSWORD)).status_code == 401
    assert (await _sign_in(await clients(), "doctor-paris", NEW_PASSWORD)).status_code == 200


async def test_a_centre_manager_manages_reception_and_doctors_of_their_centres_only(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await add_centre_manager(db, world, "gestion-paris", ["paris", "bruxelles"])
    boss = await clients("gestion-paris")
    me = (await boss.get("/api/auth/me")).json()
    assert me["role"] == "centre_manager"
    listed = {a["username"] for a in (await boss.get("/api/accounts")).json()}
    assert listed == {"reception-paris", "doctor-paris", "reception-bruxelles", "doctor-bruxelles"}
    ok = await _create(
        boss, username="desk.two", display_name="Desk", role="reception", centres=["bruxelles"]
    )
    assert ok.status_code == 201
    for body in (
        {"role": "reception", "centres": ["lyon"]},
        {"role": "manager", "centres": []},
        {"role": "centre_manager", "centres": ["paris"]},
    ):
        refused = await _create(boss, username="nope.x", display_name="N", **body)
        assert refused.status_code == 403, (body, refused.text)
    accounts = (await (await clients("manager")).get("/api/accounts")).json()
    lyon_desk = next(a["id"] for a in accounts if a["username"] == "reception-lyon")
    manager_id = next(a["id"] for a in accounts if a["username"] == "manager")
    paris_desk = next(a["id"] for a in accounts if a["username"] == "reception-paris")
    for target in (lyon_desk, manager_id):
        assert (await boss.post(f"/api/accounts/{target}/disable")).status_code == 404
        assert (
            await boss.patch(f"/api/accounts/{target}", json={"display_name": "X"})
        ).status_code == 404
    # Moving their own desk to a centre they do not run is refused, and changes nothing.
    moved = await boss.patch(f"/api/accounts/{paris_desk}", json={"centres": ["lyon"]})
    assert moved.status_code == 403
    promoted = await boss.patch(
        f"/api/accounts/{paris_desk}", json={"role": "centre_manager", "centres": ["paris"]}
    )
    assert promoted.status_code == 403
    still = next(a for a in (await boss.get("/api/accounts")).json() if a["id"] == paris_desk)
    assert still["centres"] == ["paris"] and still["role"] == "reception"
    # Their centres' queues, rooms and rota settings; nothing of the others.
    assert (await boss.get("/api/centres/paris/queue")).status_code == 200
    assert (await boss.get("/api/centres/lyon/queue")).status_code == 403
    assert (await boss.get("/api/rota/centres/paris/exceptional-days")).status_code == 200
    assert (await boss.get("/api/rota/centres/lyon/exceptional-days")).status_code == 403
    assert {c["slug"] for c in (await boss.get("/api/rota/centres")).json()} == {
        "paris",
        "bruxelles",
    }
    assert (await boss.post("/api/rota/centres", json={})).status_code in (400, 403)
    # The audit log of their centres only.
    audit = await boss.get("/api/audit")
    assert audit.status_code == 200
    ids = {world.centres["paris"].id, world.centres["bruxelles"].id}
    assert all(e["centre_id"] in ids for e in audit.json()["entries"])
    lyon = world.centres["lyon"].id
    assert (await boss.get("/api/audit", params={"centre_id": lyon})).status_code == 403


async def test_reception_and_doctors_are_refused_administration(clients: StaffClients) -> None:
    for username in ("reception-paris", "doctor-paris"):
        staff = await clients(username)
        for method, url in (
            ("GET", "/api/accounts"),
            ("POST", "/api/accounts"),
            ("POST", "/api/accounts/1/disable"),
            ("POST", "/api/accounts/1/reset"),
            ("PATCH", "/api/accounts/1"),
            ("GET", "/api/audit"),
            ("GET", "/api/rota/centres/paris/exceptional-days"),
        ):
            answer = await staff.request(method, url, json={} if method != "GET" else None)
            assert answer.status_code == 403, (username, method, url, answer.status_code)


async def test_a_doctor_account_is_linked_to_one_doctor_record(
    clients: StaffClients, db: async_sessionmaker[AsyncSession]
) -> None:
    manager = await clients("manager")
    made = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr Claire Petit", "centres": ["paris"]}
    )
    assert made.status_code == 201, made.text
    doctor_id = made.json()["id"]
    first = await _create(
        manager,
        username="claire.petit",
        display_name="Dr Claire Petit",
        role="doctor",
        centres=["paris"],
        doctor_id=doctor_id,
    )
    assert first.status_code == 201, first.text
    assert first.json()["account"]["doctor_name"] == "Dr Claire Petit"
    second = await _create(
        manager,
        username="claire.two",
        display_name="Claire",
        role="doctor",
        centres=["paris"],
        doctor_id=doctor_id,
    )
    assert second.status_code == 409
    desk = await _create(
        manager,
        username="desk.linked",
        display_name="Desk",
        role="reception",
        centres=["paris"],
        doctor_id=doctor_id,
    )
    assert desk.status_code == 400
    unknown = await _create(
        manager,
        username="claire.three",
        display_name="C",
        role="doctor",
        centres=["paris"],
        doctor_id=999999,
    )
    assert unknown.status_code == 404
    taken = await _create(
        manager, username="claire.petit", display_name="Again", role="doctor", centres=["paris"]
    )
    assert taken.status_code == 409


async def test_a_centre_manager_plans_the_shifts_of_their_centres_only(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    manager = await clients("manager")
    doctor = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr Paul Roux", "centres": ["paris", "lyon"]}
    )
    assert doctor.status_code == 201, doctor.text
    doctor_id = doctor.json()["id"]

    def shift(centre: str, day: str) -> dict[str, object]:
        return {
            "doctor_id": doctor_id,
            "centre": centre,
            "day": day,
            "start_time": "09:00",
            "end_time": "13:00",
        }

    lyon_shift = await manager.post("/api/rota/shifts", json=shift("lyon", "2026-12-08"))
    assert lyon_shift.status_code == 201, lyon_shift.text
    lyon_id = lyon_shift.json()["shifts"][0]["id"]
    await add_centre_manager(db, world, "gestion-paris", ["paris"])
    boss = await clients("gestion-paris")
    week = {"from": "2026-12-07", "to": "2026-12-13"}
    assert (await boss.get("/api/rota/shifts", params=week)).status_code == 403
    assert (
        await boss.get("/api/rota/shifts", params={**week, "centre": "lyon"})
    ).status_code == 403
    mine = await boss.get("/api/rota/shifts", params={**week, "centre": "paris"})
    assert mine.status_code == 200 and mine.json() == []
    assert (
        await boss.post("/api/rota/shifts", json=shift("lyon", "2026-12-09"))
    ).status_code == 403
    added = await boss.post("/api/rota/shifts", json=shift("paris", "2026-12-09"))
    assert added.status_code == 201, added.text
    paris_id = added.json()["shifts"][0]["id"]
    assert (
        await boss.patch(f"/api/rota/shifts/{lyon_id}", json={"day": "2026-12-10"})
    ).status_code == 403
    assert (await boss.delete(f"/api/rota/shifts/{lyon_id}")).status_code == 403
    moved = await boss.patch(f"/api/rota/shifts/{paris_id}", json={"centre": "lyon"})
    assert moved.status_code == 403
    assert (await boss.delete(f"/api/rota/shifts/{paris_id}")).status_code == 200
    # The network's planning views stay the network managers'; the leave list shows only the
    # leave of doctors of their centres (tests/rota/test_centre_manager_api.py).
    assert (await boss.get("/api/rota/conflicts", params=week)).status_code == 403
    leave = await boss.get("/api/rota/leave")
    assert leave.status_code == 200 and leave.json() == []


async def test_a_centre_manager_links_only_doctors_of_their_centres(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], world: World
) -> None:
    manager = await clients("manager")
    lyon_only = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr Lyon Seul", "centres": ["lyon"]}
    )
    paris = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr Paris Aussi", "centres": ["paris"]}
    )
    await add_centre_manager(db, world, "gestion-paris", ["paris"])
    boss = await clients("gestion-paris")
    offered = {d["id"] for d in (await boss.get("/api/accounts/doctors")).json()}
    assert paris.json()["id"] in offered and lyon_only.json()["id"] not in offered
    body = {"display_name": "Dr", "role": "doctor", "centres": ["paris"]}
    refused = await _create(boss, username="dr.lyon", doctor_id=lyon_only.json()["id"], **body)
    assert refused.status_code == 404
    linked = await _create(boss, username="dr.paris", doctor_id=paris.json()["id"], **body)
    assert linked.status_code == 201, linked.text
