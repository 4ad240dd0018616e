"""The screen feed over a real WebSocket: snapshot, ordered events, resync, access."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.exceptions import ConnectionClosed

from display.hub import DisplayHub
from display.models import DisplayToken
from queues.models import CentreDay, Ticket
from rota.models import Centre
from service.state import shell
from tests.conftest import FakeClock, World
from tests.display.conftest import Served, make_token, session_cookie

pytestmark = pytest.mark.timeout(30)

LABEL, PHONE = "Zoé Quintard", "+33 6 12 34 56 78"


def is_event(message: dict[str, Any]) -> bool:
    return message["type"].startswith(("ticket.", "checkin."))


async def test_snapshot_on_connect(served: Served, db: Any, world: World) -> None:
    desk = await served.http("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={"priority": "urgent", "label": LABEL})
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    snapshot = await screen.next()
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == 1
    assert snapshot["centre"] == {"slug": "paris", "name": "Paris 11e", "timezone": "Europe/Paris"}
    assert snapshot["waiting"] == {"urgent": 1, "standard": 0}
    assert snapshot["called"] == [] and snapshot["recent"] == []
    # Nobody on the rota and nobody calling yet: the wait is unknown, not made up.
    assert snapshot["newcomer_wait"] is None
    assert snapshot["checkin_open"] is True and snapshot["open_now"] is True
    assert snapshot["opening"] == [["08:00", "20:00"]]
    assert snapshot["doctors_on_duty"] == []
    assert snapshot["server_time"].startswith("2026-11-24T09:00")
    assert snapshot["live"] is True
    await screen.close()


async def test_events_arrive_in_order_with_consecutive_seq(
    served: Served, db: Any, world: World
) -> None:
    desk = await served.http("reception-paris")
    doctor = await served.http("doctor-paris")
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    start = (await screen.next())["seq"]
    for _ in range(3):
        assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    called = await doctor.post("/api/centres/paris/call-next", json={"room": "2"})
    assert called.status_code == 200
    events = [await screen.until(is_event) for _ in range(4)]
    assert [e["type"] for e in events] == ["ticket.checked_in"] * 3 + ["ticket.called"]
    assert [e["seq"] for e in events] == [start + 1, start + 2, start + 3, start + 4]
    assert events[-1]["ticket"]["number"] == "A001"
    assert events[-1]["ticket"]["room_name"] == "Cabinet 2"
    waits = await screen.until(lambda m: m["type"] == "waits" and bool(m["called"]))
    assert [t["number"] for t in waits["called"]] == ["A001"]
    assert waits["waiting"] == {"urgent": 0, "standard": 2}
    assert waits["doctors_on_duty"] == ["doctor-paris"]
    await screen.close()


async def test_resync_on_request_and_ping(served: Served, db: Any, world: World) -> None:
    desk = await served.http("reception-paris")
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    await screen.next()
    await desk.post("/api/centres/paris/tickets", json={})
    await screen.send({"type": "resync"})
    snapshot = await screen.until(lambda m: m["type"] == "snapshot")
    assert snapshot["seq"] == 1 and snapshot["waiting"]["standard"] == 1
    await screen.send({"type": "ping"})
    assert (await screen.until(lambda m: m["type"] == "pong"))["type"] == "pong"
    await screen.send({"type": "dance"})
    assert (await screen.until(lambda m: m["type"] == "error"))["status"] == 400
    await screen.ws.send("not json")
    assert (await screen.until(lambda m: m["type"] == "error"))["status"] == 400
    await screen.close()


async def test_no_name_or_phone_ever_reaches_a_screen(
    served: Served, db: Any, world: World, clock: FakeClock
) -> None:
    desk = await served.http("reception-paris")
    doctor = await served.http("doctor-paris")
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    await screen.next()
    ticket = (
        await desk.post(
            "/api/centres/paris/tickets",
            json={"label": LABEL, "phone": PHONE, "priority": "urgent"},
        )
    ).json()
    await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    for action in ("recall", "start"):
        await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/{action}", json={})
    clock.advance(10)
    await doctor.post(f"/api/centres/paris/tickets/{ticket['id']}/finish", json={})
    await screen.until(lambda m: m["type"] == "ticket.finish")
    await screen.send({"type": "resync"})
    await screen.until(lambda m: m["type"] == "snapshot")
    await screen.until(lambda m: m["type"] == "waits")
    public = await (await served.http()).get("/api/public/waits")
    everything = [*screen.seen, public.text]
    for text in everything:
        assert "Zoé" not in text and "Quintard" not in text and "12 34" not in text
        assert '"label"' not in text and '"phone"' not in text
    await screen.close()


async def revoke_behind_the_app(
    db: async_sessionmaker[AsyncSession], world: World, token_id: int
) -> None:
    async with db() as session:
        await session.execute(
            update(DisplayToken)
            .where(DisplayToken.id == token_id)
            .values(revoked_at=world.centres["paris"].created_at)
        )
        await session.commit()


async def refused(served: Served, slug: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    screen = await served.screen(slug, **kwargs)
    message = await screen.next()
    with pytest.raises(ConnectionClosed) as closed:
        await screen.next()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, message


async def test_who_may_watch_a_centre(served: Served, db: Any, world: World) -> None:
    _, lyon_token = await make_token(db, world, "lyon")
    revoked_id, revoked = await make_token(db, world, "paris")
    await revoke_behind_the_app(db, world, revoked_id)
    assert (await refused(served, "paris", token=lyon_token))[0] == 4403
    assert (await refused(served, "paris", token=revoked))[0] == 4403
    assert (await refused(served, "paris", token="x" * 300))[0] == 4403
    code, message = await refused(served, "paris")
    assert code == 4401 and message == {
        "type": "error",
        "status": 401,
        "detail": "pair this screen or sign in / appairez cet écran",
    }
    assert (await refused(served, "nowhere", token=lyon_token))[0] == 4404
    other_desk = session_cookie(await served.http("reception-lyon"))
    assert (await refused(served, "paris", cookie=other_desk))[0] == 4403
    # A page on another site cannot ride on a signed-in browser's cookies.
    manager = session_cookie(await served.http("manager"))
    code, _ = await refused(served, "paris", cookie=manager, Origin="http://evil.example")
    assert code == 4401
    for cookie in (manager, session_cookie(await served.http("doctor-paris"))):
        screen = await served.screen("paris", cookie=cookie)
        assert (await screen.next())["type"] == "snapshot"
        await screen.close()


async def test_revoking_a_token_closes_its_screens_within_seconds(
    served: Served, db: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_id, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    await screen.next()

    async def no_token_check(session: Any) -> None:
        pass

    # Without the poller's check, only the revoking request itself can close the screen.
    monkeypatch.setattr(shell(served.app).part(DisplayHub), "_check_tokens", no_token_check)
    manager = await served.http("manager")
    response = await manager.post(f"/api/centres/paris/displays/{token_id}/revoke")
    assert response.status_code == 200 and response.json()["revoked_at"]
    with pytest.raises(ConnectionClosed) as closed:
        await screen.until(lambda m: False, wait_s=3)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_revocation_on_another_replica_is_noticed_by_polling(
    served: Served, db: Any, world: World
) -> None:
    token_id, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    await screen.next()
    await revoke_behind_the_app(db, world, token_id)  # as if through another replica
    with pytest.raises(ConnectionClosed) as closed:
        await screen.until(lambda m: False, wait_s=3)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_change_committed_without_its_event_reaches_screens(
    served: Served, db: async_sessionmaker[AsyncSession], world: World, clock: FakeClock
) -> None:
    """A replica that died between commit and publish: the poller finds the seq moved."""
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    assert (await screen.next())["seq"] == 0
    paris = world.centres["paris"]
    async with db() as session:
        await session.execute(update(Centre).where(Centre.id == paris.id).values(event_seq=1))
        day = paris.service_day(clock.now)
        session.add(CentreDay(centre_id=paris.id, service_day=day, last_seq_no=1))
        session.add(
            Ticket(
                centre_id=paris.id,
                service_day=day,
                seq_no=1,
                number="A001",
                priority="standard",
                status="waiting",
                checked_in_at=clock.now,
                queued_at=clock.now,
            )
        )
        await session.commit()
    snapshot = await screen.until(lambda m: m["type"] == "snapshot", wait_s=3)
    assert snapshot["seq"] == 1 and snapshot["waiting"]["standard"] == 1
    # The next published event follows on without a gap.
    desk = await served.http("reception-paris")
    await desk.post("/api/centres/paris/tickets", json={})
    assert (await screen.until(is_event))["seq"] == 2
    await screen.close()


async def test_silent_screens_are_let_go(served: Served, db: Any, world: World) -> None:
    hub = shell(served.app).part(DisplayHub)
    hub.timings = hub.timings.__class__(ping_s=0.5, dead_after_s=1.2, poll_s=0.2)
    _, token = await make_token(db, world, "paris")
    screen = await served.screen("paris", token=token)
    await screen.next()
    assert len(hub.screens()) == 1
    with pytest.raises(ConnectionClosed) as closed:  # it never answers the pings
        await screen.until(lambda m: False, wait_s=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    await asyncio.sleep(0.1)
    assert hub.screens() == []


async def test_health_reports_the_event_bus(served: Served) -> None:
    body = (await (await served.http()).get("/health")).json()
    assert body["status"] == "ok"
    assert body["events"]["state"] == "ok"
