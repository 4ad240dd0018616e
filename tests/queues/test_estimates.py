"""The queue API gives each waiting patient, and a newcomer, an estimated wait."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FakeClock, StaffClients

pytestmark = pytest.mark.timeout(30)


async def _day_so_far(clients: StaffClients, clock: FakeClock, waiting: int) -> None:
    """Two doctors have seen a few patients; `waiting` patients are in the queue."""
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    manager = await clients("manager")
    for _ in range(6):
        await desk.post("/api/centres/paris/tickets", json={})
    for room, caller in (("1", doctor), ("2", manager)):
        for _ in range(3):
            called = (await caller.post("/api/centres/paris/call-next", json={"room": room})).json()
            clock.advance(10)
            await caller.post(f"/api/centres/paris/tickets/{called['id']}/finish")
    for _ in range(waiting):
        await desk.post("/api/centres/paris/tickets", json={})
        clock.advance(1)


async def test_waits_grow_with_position_and_newcomer_is_last(
    clients: StaffClients, clock: FakeClock
) -> None:
    await _day_so_far(clients, clock, waiting=6)
    desk = await clients("reception-paris")
    queue = (await desk.get("/api/centres/paris/queue")).json()
    waits = [t["estimate"]["wait_min"] for t in queue["tickets"] if t["status"] == "waiting"]
    assert len(waits) == 6
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]
    newcomer = queue["newcomer"]["standard"]
    assert newcomer["wait_min"] >= waits[-1]
    assert newcomer["low_min"] <= newcomer["wait_min"] <= newcomer["high_min"]
    assert queue["newcomer"]["urgent"]["wait_min"] <= newcomer["wait_min"]


async def test_check_in_answer_carries_the_estimate(
    clients: StaffClients, clock: FakeClock
) -> None:
    await _day_so_far(clients, clock, waiting=2)
    desk = await clients("reception-paris")
    answer = (await desk.post("/api/centres/paris/tickets", json={})).json()
    assert answer["estimate"]["wait_min"] is not None
    assert answer["estimate"]["after_closing"] is False


async def test_check_in_that_would_be_seen_after_closing_is_flagged(
    clients: StaffClients, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 17:00 in Paris, closes at 20:00
    await _day_so_far(clients, clock, waiting=40)
    desk = await clients("reception-paris")
    answer = (await desk.post("/api/centres/paris/tickets", json={})).json()
    assert answer["estimate"]["after_closing"] is True


async def test_with_nobody_calling_the_wait_is_unknown_not_an_error(clients: StaffClients) -> None:
    desk = await clients("reception-paris")
    answer = await desk.post("/api/centres/paris/tickets", json={})
    assert answer.status_code == 201
    assert answer.json()["estimate"]["wait_min"] is None


async def _plan(db, world, shifts: list[tuple[str, int, int]]) -> None:  # type: ignore[no-untyped-def]
    """Shifts at Paris today, as (doctor username or name, from hour, to hour) in UTC hours."""
    from rota.models import Doctor, Leave, Shift  # noqa: F401

    async with db() as session:
        for name, start, end in shifts:
            account = world.accounts.get(name)
            doctor = Doctor(
                display_name=name,
                weekly_limit_hours=48.0,
                min_rest_hours=11.0,
                active=True,
                account_id=account.id if account else None,
            )
            session.add(doctor)
            await session.flush()
            session.add(
                Shift(
                    doctor_id=doctor.id,
                    centre_id=world.centres["paris"].id,
                    starts_at=datetime(2026, 11, 24, start, tzinfo=UTC),
                    ends_at=datetime(2026, 11, 24, end, tzinfo=UTC),
                )
            )
        await session.commit()


async def test_rota_decides_who_will_call(
    clients: StaffClients, clock: FakeClock, db, world
) -> None:  # type: ignore[no-untyped-def]
    # The only doctor leaves at 09:20 UTC and nobody takes over: no call for a newcomer today.
    await _plan(db, world, [("doctor-paris", 7, 9)])
    clock.now = datetime(2026, 11, 24, 8, 50, tzinfo=UTC)
    desk = await clients("reception-paris")
    for _ in range(8):
        await desk.post("/api/centres/paris/tickets", json={})
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert queue["newcomer"]["standard"]["wait_min"] is None
    # A second doctor planned from 10:00 UTC: the newcomer will be called, after the gap.
    await _plan(db, world, [("Dr Relais", 10, 19)])
    clock.advance(1)
    queue = (await desk.get("/api/centres/paris/queue")).json()
    assert queue["newcomer"]["standard"]["wait_min"] is not None
    assert queue["newcomer"]["standard"]["wait_min"] >= 70


async def test_history_is_the_last_two_weeks_of_finished_consultations(db, world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from queues.live import snapshot_of
    from queues.models import Ticket

    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    async with db() as session:
        centre = world.centres["paris"]
        for n, (days_ago, minutes, status) in enumerate(
            [(1, 20, "done"), (3, 10, "done"), (2, 30, "no_show"), (20, 40, "done")], start=1
        ):
            called = now - timedelta(days=days_ago)
            session.add(
                Ticket(
                    centre_id=centre.id,
                    service_day=called.date(),
                    seq_no=n,
                    number=f"A{n:03d}",
                    priority="standard",
                    status=status,
                    checked_in_at=called,
                    queued_at=called,
                    called_at=called,
                    call_count=1,
                    ended_at=called + timedelta(minutes=minutes),
                )
            )
        await session.commit()

        async def no_rota(*_: object) -> tuple[()]:
            return ()

        snapshot = await snapshot_of(session, centre, now, no_rota)
    assert sorted(snapshot.history_consult_min) == [10.0, 20.0]
