"""The patient's link: handed over at check-in, shows the ticket without a name, works only that
day, refuses guesses, and "I am leaving" ends the ticket through the change path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.models import OutboxMessage
from queues.models import Ticket
from service.audit import AuditEntry
from tests.conftest import FakeClock, StaffClients
from tests.patient.conftest import Phones

pytestmark = pytest.mark.timeout(60)

LABEL = "Jeanne D."


async def check_in(desk: httpx.AsyncClient, **body: object) -> dict[str, object]:
    answer = await desk.post("/api/centres/paris/tickets", json={"label": LABEL, **body})
    assert answer.status_code == 201, answer.text
    data: dict[str, object] = answer.json()
    return data


def token_of(ticket: dict[str, object]) -> str:
    link = str(ticket["link"])
    assert link.startswith("/t/")
    return link.removeprefix("/t/")


async def test_the_link_shows_the_ticket_its_place_and_no_name(
    clients: StaffClients, phones: Phones
) -> None:
    desk = await clients("reception-paris")
    first = await check_in(desk)
    second = await check_in(desk)
    token = token_of(second)
    assert len(token) == 22  # 128 bits, base64url
    phone = await phones()
    view = (await phone.get(f"/api/patient/tickets/{token}/")).json()
    assert view["number"] == second["number"]
    assert view["ahead"] == 1 and view["status"] == "waiting"
    page = await phone.get(f"/t/{token}")
    assert page.status_code == 200 and str(second["number"]) in page.text
    assert LABEL not in page.text and LABEL not in str(view)
    # The same link again for the slip: derived, never stored.
    again = (await desk.get(f"/api/centres/paris/tickets/{second['id']}")).json()
    assert again["link"] == second["link"]
    # The first is called: nobody ahead any more.
    await desk.post(f"/api/centres/paris/tickets/{first['id']}/call", json={"room": "3"})
    assert (await phone.get(f"/api/patient/tickets/{token}/")).json()["ahead"] == 0


async def test_the_token_is_stored_hashed_only(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = await check_in(desk)
    async with db() as session:
        row = await session.get(Ticket, ticket["id"])
        assert row is not None and row.link_hash is not None
        assert token_of(ticket) not in row.link_hash


async def test_unknown_and_malformed_tokens_are_refused_then_rate_limited(
    clients: StaffClients,
    phones: Phones,
) -> None:
    phone = await phones()
    guesses = [f"{n:022d}" for n in range(57)] + ["short", "x" * 200]
    statuses = [(await phone.get(f"/api/patient/tickets/{g}/")).status_code for g in guesses]
    assert set(statuses) == {404}
    assert (await phone.get("/t/" + "A" * 22)).status_code == 404
    # Sixty a minute per address: guessing 128 bits at that rate is hopeless.
    assert (await phone.get(f"/api/patient/tickets/{'B' * 22}/")).status_code == 429


async def test_a_link_works_on_its_service_day_only(
    clients: StaffClients, phones: Phones, clock: FakeClock
) -> None:
    desk = await clients("reception-paris")
    token = token_of(await check_in(desk))
    phone = await phones()
    clock.advance(24 * 60)
    answer = await phone.get(f"/api/patient/tickets/{token}/")
    assert answer.status_code == 410
    page = await phone.get(f"/t/{token}")
    assert page.status_code == 410 and "/attente" in page.text


async def test_i_am_leaving_ends_the_ticket_as_left_unseen(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = await check_in(desk)
    phone = await phones()
    answer = await phone.post(f"/api/patient/tickets/{token_of(ticket)}/leave", json={})
    assert answer.status_code == 200 and answer.json()["status"] == "left_unseen"
    again = await phone.post(f"/api/patient/tickets/{token_of(ticket)}/leave", json={})
    assert again.status_code == 409  # changes nothing
    async with db() as session:
        actions = (
            (
                await session.execute(
                    select(AuditEntry.action).where(AuditEntry.entity_id == ticket["id"])
                )
            )
            .scalars()
            .all()
        )
    assert "left_unseen" in actions


async def test_a_called_patient_with_a_phone_gets_one_message_with_number_room_centre(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = await check_in(desk, phone="06 12 34 56 78")
    assert ticket["phone"] == "+33612345678"
    await desk.post("/api/centres/paris/call-next", json={"room": "3"})
    async with db() as session:
        messages = (await session.execute(select(OutboxMessage))).scalars().all()
    assert [m.body for m in messages] == [f"{ticket['number']} — Cabinet 3 — Paris 11e"]
    assert messages[0].recipient == "+33612345678" and messages[0].channel == "sms"


async def test_a_patient_without_consent_gets_nothing_and_no_number_is_kept(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    ticket = await check_in(desk)
    phone = await phones()
    token = token_of(ticket)
    refused = await phone.post(
        f"/api/patient/tickets/{token}/notify",
        json={"ahead": 0, "called": True, "phone": "06 12 34 56 78", "sms_consent": False},
    )
    assert refused.status_code == 200 and refused.json()["notify"]["sms"] is False
    await desk.post("/api/centres/paris/call-next", json={"room": "1"})
    async with db() as session:
        row = await session.get(Ticket, ticket["id"])
        assert row is not None and row.phone is None
        assert (await session.execute(select(OutboxMessage))).first() is None


async def ask_near_at_one_ahead(phones: Phones, ticket: dict[str, Any]) -> None:
    """The patient asks, from their phone, for an SMS when one patient is left ahead."""
    phone = await phones()
    chosen = await phone.post(
        f"/api/patient/tickets/{token_of(ticket)}/notify",
        json={"ahead": 1, "called": True, "phone": "+32 470 12 34 56", "sms_consent": True},
    )
    assert chosen.status_code == 200, chosen.text


async def test_near_when_n_ahead_is_sent_once_in_the_change_that_causes_it(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    for _ in range(3):
        await check_in(desk)
    mine = await check_in(desk)
    await ask_near_at_one_ahead(phones, mine)

    async def bodies() -> list[str]:
        async with db() as session:
            rows = await session.execute(select(OutboxMessage.body).order_by(OutboxMessage.id))
            return list(rows.scalars().all())

    await desk.post("/api/centres/paris/call-next", json={"room": "1"})
    assert await bodies() == []  # two ahead still
    await desk.post("/api/centres/paris/call-next", json={"room": "2"})
    assert len(await bodies()) == 1 and "bientôt" in (await bodies())[0]
    await desk.post("/api/centres/paris/call-next", json={"room": "3"})
    assert len(await bodies()) == 1  # once


async def test_near_is_sent_when_a_ticket_ahead_leaves_the_line_and_not_when_a_consultation_starts(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    first, second = await check_in(desk), await check_in(desk)
    mine = await check_in(desk)
    phone = await phones()
    chosen = await phone.post(
        f"/api/patient/tickets/{token_of(mine)}/notify",
        json={"ahead": 0, "called": True, "phone": "+32 470 12 34 56", "sms_consent": True},
    )
    assert chosen.status_code == 200, chosen.text

    async def bodies() -> list[str]:
        async with db() as session:
            rows = await session.execute(select(OutboxMessage.body).order_by(OutboxMessage.id))
            return list(rows.scalars().all())

    called = await desk.post("/api/centres/paris/call-next", json={"room": "1"})
    assert called.json()["id"] == first["id"]
    for action in ("start", "finish"):  # the line is unchanged: one still ahead
        done = await desk.post(f"/api/centres/paris/tickets/{first['id']}/{action}")
        assert done.status_code == 200, done.text
        assert await bodies() == []
    cancelled = await desk.post(f"/api/centres/paris/tickets/{second['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert len(await bodies()) == 1 and "bientôt" in (await bodies())[0]


async def test_calling_a_patient_by_hand_tells_those_who_move_up(
    clients: StaffClients, phones: Phones, db: async_sessionmaker[AsyncSession]
) -> None:
    desk = await clients("reception-paris")
    first = await check_in(desk)
    await check_in(desk)
    mine = await check_in(desk)
    await ask_near_at_one_ahead(phones, mine)
    called = await desk.post(f"/api/centres/paris/tickets/{first['id']}/call", json={"room": "1"})
    assert called.status_code == 200, called.text
    async with db() as session:
        bodies = (await session.execute(select(OutboxMessage.body))).scalars().all()
    assert len(bodies) == 1 and "bientôt" in bodies[0]  # one ahead now


@pytest.mark.parametrize(
    "phone", ["01 43 55 66 77", "+44 7700 900123", "06 12 34", "call me", "+33 6 12 34 56 789"]
)
async def test_only_french_and_belgian_mobiles_are_taken(
    clients: StaffClients, phones: Phones, phone: str
) -> None:
    desk = await clients("reception-paris")
    answer = await desk.post("/api/centres/paris/tickets", json={"phone": phone})
    assert answer.status_code == 400, answer.text
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert queue["tickets"] == []


async def test_the_slip_and_qr_code_are_for_staff_and_carry_the_link(
    clients: StaffClients, phones: Phones, app: Litestar
) -> None:
    desk = await clients("reception-paris")
    ticket = await check_in(desk)
    qr = await desk.get(f"/api/centres/paris/tickets/{ticket['id']}/qr.svg")
    assert qr.status_code == 200 and qr.text.lstrip().startswith("<svg")
    slip = await desk.get(f"/reception/paris/tickets/{ticket['id']}/slip?paper=58mm")
    assert slip.status_code == 200 and token_of(ticket) in slip.text and "<svg" in slip.text
    stranger = await phones()
    assert (
        await stranger.get(f"/api/centres/paris/tickets/{ticket['id']}/qr.svg")
    ).status_code == 401
    other = await clients("reception-lyon")
    assert (await other.get(f"/reception/paris/tickets/{ticket['id']}/slip")).status_code == 403
