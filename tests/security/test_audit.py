"""The audit log: every ticket change, who and from where, no patient data, append-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.audit import AuditEntry
from service.migrate import downgrade, upgrade
from tests.conftest import PASSWORD, StaffClients
from tests.security.helpers import PLANTED_LABEL, PLANTED_PHONE, assert_no_personal_data

pytestmark = pytest.mark.timeout(60)

DEVICE = {"X-Device": "accueil-1", "User-Agent": "TabletBrowser/1.0"}


async def _entries(db: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with db() as session:
        return list((await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())


async def test_a_ticket_life_is_recorded_with_who_and_where(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], client_ip: str
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    headers = {**DEVICE, "X-Forwarded-For": client_ip}
    ticket = (
        await desk.post(
            "/api/centres/paris/tickets",
            json={"label": PLANTED_LABEL, "phone": PLANTED_PHONE, "client_key": "tablet-0001"},
            headers=headers,
        )
    ).json()
    await desk.post(
        f"/api/centres/paris/tickets/{ticket['id']}/move-to-head",
        json={"reason": "douleur thoracique"},
    )
    await doctor.post("/api/centres/paris/call-next", json={"room": "2"})
    await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/start")
    await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/finish")

    tickets = [e for e in await _entries(db) if e.entity == "ticket"]
    assert [e.action for e in tickets] == ["check_in", "moved", "call_next", "start", "finish"]
    check_in = tickets[0]
    assert check_in.entity_id == ticket["id"]
    assert check_in.actor_username == "reception-paris"
    assert check_in.client_address == client_ip
    assert check_in.device == "accueil-1" and check_in.user_agent == "TabletBrowser/1.0"
    # That the label and phone were given is recorded, never their values.
    assert check_in.changes["label"] == {"changed": True}
    assert check_in.changes["phone"] == {"changed": True}
    assert check_in.changes["status"] == {"from": None, "to": "waiting"}
    assert tickets[1].changes["head_reason"] == {"changed": True}
    assert tickets[2].actor_username == "doctor-paris"
    assert tickets[2].changes["status"] == {"from": "waiting", "to": "called"}
    assert tickets[4].changes["status"] == {"from": "in_consultation", "to": "done"}
    for entry in tickets:
        assert_no_personal_data(entry.changes)
        assert "douleur" not in str(entry.changes) and "tablet-0001" not in str(entry.changes)


async def test_a_refused_change_leaves_no_entry(
    clients: StaffClients, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = (await desk.post("/api/centres/paris/tickets", json={})).json()
    before = len(await _entries(db))
    refused = await desk.post(f"/api/centres/paris/tickets/{ticket['id']}/finish")
    assert refused.status_code == 409
    assert len(await _entries(db)) == before


async def test_sign_ins_and_failures_are_recorded(
    clients: StaffClients, db: async_sessionmaker[AsyncSession], client_ip: str
) -> None:
    browser = await clients()
    headers = {"X-Forwarded-For": client_ip}
    await browser.post(
        "/api/auth/login", json={"username": "manager", "password": "nope"}, headers=headers
    )
    await browser.post(
        "/api/auth/login", json={"username": "my secret pw", "password": "x"}, headers=headers
    )
    await browser.post(
        "/api/auth/login", json={"username": "manager", "password": PASSWORD}, headers=headers
    )
    await browser.post("/api/auth/logout", headers=headers)
    accounts = [(e.action, e.actor_username) for e in await _entries(db) if e.entity == "account"]
    assert accounts == [("login_failed", None), ("login", "manager"), ("logout", "manager")]
    # A password typed into the username field is not kept.
    assert all("secret" not in str(vars(e)) for e in await _entries(db))


async def test_managers_read_the_log_by_entity_and_page(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    ids = [(await desk.post("/api/centres/paris/tickets", json={})).json()["id"] for _ in range(3)]
    manager = await clients("manager")
    assert (await desk.get("/api/audit")).status_code == 403
    assert (await (await clients("doctor-paris")).get("/api/audit")).status_code == 403
    page = (await manager.get("/api/audit", params={"entity": "ticket", "limit": 2})).json()
    assert [e["entity_id"] for e in page["entries"]] == [ids[2], ids[1]]
    rest = (
        await manager.get(
            "/api/audit",
            params={"entity": "ticket", "limit": 2, "before_id": page["next_before_id"]},
        )
    ).json()
    assert [e["entity_id"] for e in rest["entries"]] == [ids[0]]
    assert rest["next_before_id"] is None
    one = (await manager.get("/api/audit", params={"entity": "ticket", "entity_id": ids[1]})).json()
    assert [e["action"] for e in one["entries"]] == ["check_in"]
    since = (await manager.get("/api/audit", params={"since": "2999-01-01T00:00:00Z"})).json()
    assert since["entries"] == []
    for bad in ({"limit": 0}, {"limit": 100000}, {"since": "yesterday"}, {"entity_id": "x"}):
        response = await manager.get("/api/audit", params=bad)
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["detail"]


async def test_there_is_no_way_to_change_the_log_over_http(clients: StaffClients) -> None:
    manager = await clients("manager")
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = await manager.request(method, "/api/audit")
        assert response.status_code == 405


async def test_the_database_refuses_updates_and_deletes_of_the_log(
    clients: StaffClients, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    for statement in (
        "UPDATE audit_entry SET action = 'nothing'",
        "DELETE FROM audit_entry",
    ):
        async with db() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement))
    assert len(await _entries(db)) >= 2


def test_the_sqlite_guard_comes_and_goes_with_its_migration(tmp_path: Path) -> None:
    path = tmp_path / "migrate.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"

    def try_delete() -> str | None:
        with sqlite3.connect(path) as conn:
            conn.execute(  # a row to delete: row triggers do not fire on an empty table
                "INSERT INTO audit_entry (at, entity, action, changes)"
                " VALUES ('2026-12-01 10:00:00', 'ticket', 'probe', '{}')"
            )
            try:
                conn.execute("DELETE FROM audit_entry")
            except sqlite3.DatabaseError as error:
                return str(error)
        return None

    upgrade(url, "head")
    assert "append-only" in str(try_delete())
    downgrade(url, "0006")
    assert try_delete() is None
    upgrade(url, "head")
    assert "append-only" in str(try_delete())
