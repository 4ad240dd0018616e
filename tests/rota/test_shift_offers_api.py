"""Giving away or swapping a shift: a doctor offers, a colleague takes (checked), a manager
of the shift's centre approves (the shift moves) or refuses; withdrawn before, expired after."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.accounts import Role
from tests.conftest import FakeClock, StaffClients, add_centre_manager, staff_account
from tests.rota.conftest import MONDAY, Rota
from tests.rota.helpers import add_shift, kinds

pytestmark = pytest.mark.timeout(120)

OFFERS = "/api/rota/me/offers"


async def doctors(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> tuple[httpx.AsyncClient, httpx.AsyncClient, httpx.AsyncClient]:
    """The manager, Alice (signed in as doctor-paris) and Bruno (doctor-bruno)."""
    async with db() as session:
        account = staff_account("doctor-bruno", Role.DOCTOR, rota.world.centres["paris"])
        session.add(account)
        await session.commit()
    rota.world.accounts["doctor-bruno"] = account
    manager = await clients("manager")
    for who, username in (("alice", "doctor-paris"), ("bruno", "doctor-bruno")):
        linked = await manager.patch(
            f"/api/rota/doctors/{rota.doctors[who]}",
            json={"account_id": rota.world.accounts[username].id},
        )
        assert linked.status_code == 200, linked.text
    return manager, await clients("doctor-paris"), await clients("doctor-bruno")


async def shift_id(
    manager: httpx.AsyncClient, rota: Rota, who: str, day: str, start: str, end: str, **kw: str
) -> int:
    made = await add_shift(manager, rota, who, day, start, end, accept_warnings=True, **kw)
    assert made.status_code == 201, made.text
    return int(made.json()["shifts"][0]["id"])


async def shifts_of(client: httpx.AsyncClient) -> dict[int, int]:
    mine = await client.get("/api/rota/me/shifts?from=2026-11-20&to=2026-12-31")
    return {s["id"]: s["doctor_id"] for s in mine.json()}


async def test_a_shift_given_away_taken_and_approved_moves_and_both_are_told(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    given = await shift_id(manager, rota, "alice", MONDAY, "08:00", "14:00")
    offered = await alice.post(OFFERS, json={"shift_id": given, "note": "mariage"})
    assert offered.status_code == 201, offered.text
    offer = offered.json()
    assert (offer["kind"], offer["status"], offer["shift"]["id"]) == ("give", "open", given)
    again = await alice.post(OFFERS, json={"shift_id": given})
    assert again.status_code == 409  # already on offer

    seen = (await bruno.get(OFFERS)).json()
    assert [o["id"] for o in seen] == [offer["id"]]
    assert (await alice.post(f"{OFFERS}/{offer['id']}/take")).status_code == 409  # her own
    taken = await bruno.post(f"{OFFERS}/{offer['id']}/take")
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "taken"
    assert taken.json()["taker_doctor_id"] == rota.doctors["bruno"]
    assert (await bruno.post(f"{OFFERS}/{offer['id']}/take")).status_code == 409
    assert given in await shifts_of(alice)  # nothing moves before a manager approves

    pending = (await manager.get("/api/rota/offers")).json()
    assert [o["id"] for o in pending] == [offer["id"]]
    await add_centre_manager(db, rota.world, "lyon-boss", ["lyon"])
    await add_centre_manager(db, rota.world, "paris-boss", ["paris"])
    lyon_boss = await clients("lyon-boss")
    assert (await lyon_boss.get("/api/rota/offers")).json() == []
    refused = await lyon_boss.post(f"/api/rota/offers/{offer['id']}/approve")
    assert refused.status_code == 403
    assert (await alice.post(f"/api/rota/offers/{offer['id']}/approve")).status_code == 403
    assert (await manager.post(f"/api/rota/offers/{offer['id']}/maybe")).status_code == 400

    approved = await (await clients("paris-boss")).post(f"/api/rota/offers/{offer['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert given not in await shifts_of(alice)
    assert (await shifts_of(bruno))[given] == rota.doctors["bruno"]
    for client in (alice, bruno):
        latest = (await client.get("/api/rota/me/notices")).json()[0]
        assert "Échange approuvé" in latest["message"] and "Dr Bruno Petit" in latest["message"]
    told = [n["message"] for n in (await alice.get("/api/rota/me/notices")).json()]
    assert "Dr Bruno Petit prend votre créneau" in told[1]  # when he took it
    assert (await alice.post(f"{OFFERS}/{offer['id']}/withdraw")).status_code == 409
    trail = (await manager.get("/api/audit?entity=shift_offer")).json()
    assert {"create", "take", "approved"} <= {e["action"] for e in trail["entries"]}


async def test_a_swap_is_accepted_by_the_named_colleague_only_and_refusal_moves_nothing(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    mine = await shift_id(manager, rota, "alice", MONDAY, "08:00", "14:00")
    theirs = await shift_id(manager, rota, "bruno", "2026-12-09", "14:00", "20:00")
    own = await alice.post(OFFERS, json={"shift_id": mine, "swap_shift_id": mine})
    assert own.status_code == 409
    offer = (await alice.post(OFFERS, json={"shift_id": mine, "swap_shift_id": theirs})).json()
    assert offer["kind"] == "swap" and offer["swap_shift"]["id"] == theirs

    chloe = rota.world.accounts["doctor-lyon"].id  # not the colleague the swap names
    linked = await manager.patch(
        f"/api/rota/doctors/{rota.doctors['chloe']}", json={"account_id": chloe}
    )
    assert linked.status_code == 200
    assert (
        await (await clients("doctor-lyon")).post(f"{OFFERS}/{offer['id']}/take")
    ).status_code == 403
    accepted = await bruno.post(f"{OFFERS}/{offer['id']}/take", json={})
    assert accepted.status_code == 200, accepted.text
    refused = await manager.post(f"/api/rota/offers/{offer['id']}/refuse")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert mine in await shifts_of(alice) and theirs in await shifts_of(bruno)
    (notice,) = (await bruno.get("/api/rota/me/notices")).json()
    assert "Échange refusé" in notice["message"]

    again = (await alice.post(OFFERS, json={"shift_id": mine, "swap_shift_id": theirs})).json()
    assert (await bruno.post(f"{OFFERS}/{again['id']}/withdraw")).status_code == 403
    withdrawn = await alice.post(f"{OFFERS}/{again['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (await bruno.post(f"{OFFERS}/{again['id']}/take")).status_code == 409
    swapped = (await alice.post(OFFERS, json={"shift_id": mine, "swap_shift_id": theirs})).json()
    assert (await bruno.post(f"{OFFERS}/{swapped['id']}/take")).status_code == 200
    done = await manager.post(f"/api/rota/offers/{swapped['id']}/approve")
    assert done.status_code == 200, done.text
    assert (await shifts_of(alice)) == {theirs: rota.doctors["alice"]}
    assert (await shifts_of(bruno)) == {mine: rota.doctors["bruno"]}


async def test_offers_of_others_shifts_and_of_shifts_begun_are_refused_and_offers_expire(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    brunos = await shift_id(manager, rota, "bruno", MONDAY, "08:00", "14:00")
    assert (await alice.post(OFFERS, json={"shift_id": brunos})).status_code == 403
    assert (await alice.post(OFFERS, json={"shift_id": 999999})).status_code == 404
    assert (await alice.post(OFFERS, json={"shift_id": "x"})).status_code == 400
    assert (await alice.post(OFFERS, json={"shift_id": 2**60})).status_code == 400
    assert (await alice.post(f"{OFFERS}/{2**60}/take")).status_code == 400
    begun = await shift_id(manager, rota, "alice", "2026-11-24", "08:00", "14:00")
    assert (await alice.post(OFFERS, json={"shift_id": begun})).status_code == 409

    tomorrow = await shift_id(manager, rota, "alice", "2026-11-25", "08:00", "14:00")
    offer = (await alice.post(OFFERS, json={"shift_id": tomorrow})).json()
    clock.advance(24 * 60)  # Wednesday 10:00 in Paris: the shift has begun
    (listed,) = (await bruno.get(OFFERS)).json() or [None]
    assert listed is None  # an expired give-away is no longer offered to colleagues
    assert [o["status"] for o in (await alice.get(OFFERS)).json()] == ["expired"]
    assert (await bruno.post(f"{OFFERS}/{offer['id']}/take")).status_code == 409


async def test_a_take_that_would_double_book_or_break_the_weekly_limit_is_refused(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    await shift_id(manager, rota, "bruno", MONDAY, "10:00", "16:00", centre="lyon")
    clash = await shift_id(manager, rota, "alice", MONDAY, "08:00", "14:00")
    offer = (await alice.post(OFFERS, json={"shift_id": clash})).json()
    refused = await bruno.post(f"{OFFERS}/{offer['id']}/take")
    assert refused.status_code == 409 and "double_booking" in kinds(refused)
    assert refused.json()["can_accept"] is False
    assert (await bruno.get(OFFERS)).json()[0]["status"] == "open"  # nothing changed

    for day in ("2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17"):
        await shift_id(manager, rota, "bruno", day, "08:00", "20:00", centre="lyon")
    friday = await shift_id(manager, rota, "alice", "2026-12-18", "08:00", "14:00")
    offer = (await alice.post(OFFERS, json={"shift_id": friday})).json()
    over = await bruno.post(f"{OFFERS}/{offer['id']}/take")
    assert over.status_code == 409 and kinds(over) == ["weekly_limit"]
    assert over.json()["can_accept"] is True  # a warning he may accept knowingly
    knowingly = await bruno.post(f"{OFFERS}/{offer['id']}/take", json={"accept_warnings": True})
    assert knowingly.status_code == 200, knowingly.text
    second_look = await manager.post(f"/api/rota/offers/{offer['id']}/approve")
    assert second_look.status_code == 409 and kinds(second_look) == ["weekly_limit"]
    approved = await manager.post(
        f"/api/rota/offers/{offer['id']}/approve", json={"accept_warnings": True}
    )
    assert approved.status_code == 200, approved.text


async def test_two_colleagues_taking_one_offer_at_once_one_gets_it(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    made = await manager.post(
        "/api/rota/doctors", json={"display_name": "Dr Claire Blanc", "centres": ["paris"]}
    )
    assert made.status_code == 201, made.text
    linked = await manager.patch(
        f"/api/rota/doctors/{made.json()['id']}",
        json={"account_id": rota.world.accounts["doctor-lyon"].id},
    )
    assert linked.status_code == 200
    claire = await clients("doctor-lyon")
    given = await shift_id(manager, rota, "alice", MONDAY, "08:00", "14:00")
    offer = (await alice.post(OFFERS, json={"shift_id": given})).json()
    answers = await asyncio.wait_for(
        asyncio.gather(
            bruno.post(f"{OFFERS}/{offer['id']}/take"), claire.post(f"{OFFERS}/{offer['id']}/take")
        ),
        timeout=30,
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    (winner,) = [a for a in answers if a.status_code == 200]
    listed = (await manager.get("/api/rota/offers")).json()
    assert [o["taker_doctor_id"] for o in listed] == [winner.json()["taker_doctor_id"]]


async def test_an_offer_taken_by_a_doctor_since_deactivated_is_not_approved(
    clients: StaffClients, rota: Rota, db: async_sessionmaker[AsyncSession]
) -> None:
    manager, alice, bruno = await doctors(clients, rota, db)
    given = await shift_id(manager, rota, "alice", MONDAY, "08:00", "14:00")
    offer = (await alice.post(OFFERS, json={"shift_id": given})).json()
    assert (await bruno.post(f"{OFFERS}/{offer['id']}/take")).status_code == 200
    gone = await manager.delete(f"/api/rota/doctors/{rota.doctors['bruno']}")
    assert gone.status_code in (200, 204), gone.text
    refused = await manager.post(f"/api/rota/offers/{offer['id']}/approve")
    assert refused.status_code == 400 and "actif" in refused.json()["detail"]
    assert given in await shifts_of(alice)
    assert (await manager.post(f"/api/rota/offers/{offer['id']}/refuse")).status_code == 200
