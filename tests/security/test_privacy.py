"""Patient data is erased after the retention period; the figures stay; nothing leaks to logs."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import queues.retention as retention
from queues.models import Ticket
from queues.retention import DailyCentreStats, purge
from service.app import create_app
from service.settings import Settings
from tests.conftest import FakeClock, StaffClients
from tests.security.helpers import (
    PLANTED_LABEL,
    PLANTED_PHONE,
    assert_no_personal_data,
    dump_tables,
)

pytestmark = pytest.mark.timeout(60)

CLIENT_KEY = "tablet-planted-0001"
PLANTED_ALL = (PLANTED_LABEL, PLANTED_PHONE, CLIENT_KEY)


async def _a_day_at_paris(clients: StaffClients, clock: FakeClock) -> None:
    """Three patients: one seen (after being moved to the head), one left, one cancelled."""
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    seen = (
        await desk.post(
            "/api/centres/paris/tickets",
            json={"label": PLANTED_LABEL, "phone": PLANTED_PHONE, "client_key": CLIENT_KEY},
        )
    ).json()
    left = (await desk.post("/api/centres/paris/tickets", json={"label": "B.B."})).json()
    gone = (await desk.post("/api/centres/paris/tickets", json={"priority": "urgent"})).json()
    # Staff sometimes write a name where a reason goes.
    await desk.post(
        f"/api/centres/paris/tickets/{seen['id']}/move-to-head",
        json={"reason": f"{PLANTED_LABEL} feels faint"},
    )
    await desk.post(f"/api/centres/paris/tickets/{gone['id']}/cancel")
    clock.advance(20)
    assert (await doctor.post("/api/centres/paris/call-next", json={"room": "1"})).json()[
        "id"
    ] == seen["id"]
    clock.advance(2)
    await doctor.post(f"/api/centres/paris/tickets/{seen['id']}/start")
    clock.advance(12)
    await doctor.post(f"/api/centres/paris/tickets/{seen['id']}/finish")
    await desk.post(f"/api/centres/paris/tickets/{left['id']}/left-unseen")


async def _stats(db: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    async with db() as session:
        rows = (await session.execute(select(DailyCentreStats))).scalars().all()
        return [
            {c.key: getattr(r, c.key) for c in DailyCentreStats.__table__.columns} for r in rows
        ]


async def _assert_nothing_personal_anywhere(db: async_sessionmaker[AsyncSession]) -> None:
    for table, rows in (await dump_tables(db)).items():
        for row in rows:
            for value in row:
                if value is not None:
                    try:
                        assert_no_personal_data(str(value), PLANTED_ALL)
                    except AssertionError as exc:
                        raise AssertionError(f"{exc} in table {table}: {row}") from None


async def test_purge_erases_patient_data_everywhere_and_keeps_the_figures(
    clients: StaffClients, clock: FakeClock, db: async_sessionmaker[AsyncSession]
) -> None:
    await _a_day_at_paris(clients, clock)
    clock.advance(29 * 24 * 60)
    desk = await clients("reception-paris")
    recent = (await desk.post("/api/centres/paris/tickets", json={"label": "C.C."})).json()
    assert (await purge(db, clock(), 30)).tickets_erased == 0  # not old enough yet

    clock.advance(2 * 24 * 60)
    first = await purge(db, clock(), 30)
    assert first.tickets_erased == 2 and first.days_summarised == 1
    await _assert_nothing_personal_anywhere(db)
    async with db() as session:
        kept = await session.get(Ticket, recent["id"])
        assert kept is not None and kept.label == "C.C."  # still within the period

    stats = await _stats(db)
    assert len(stats) == 1
    day = stats[0]
    assert day["service_day"].isoformat() == "2026-11-24"
    assert day["tickets"] == 3 and day["left_unseen"] == 1
    assert day["by_priority_status"] == {
        "standard": {"done": 1, "left_unseen": 1},
        "urgent": {"cancelled": 1},
    }
    assert day["mean_wait_min"] == 20.0 and day["median_wait_min"] == 20.0
    assert day["mean_consultation_min"] == 12.0

    again = await purge(db, clock(), 30)
    assert again.tickets_erased == 0
    assert await _stats(db) == stats  # re-running changes no figure


async def test_the_purge_runs_by_itself(
    clients: StaffClients,
    clock: FakeClock,
    settings: Settings,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _a_day_at_paris(clients, clock)
    clock.advance(40 * 24 * 60)
    monkeypatch.setattr(retention, "FIRST_PURGE_AFTER_S", 0)
    replica = StaffClients(create_app(settings, clock=clock))
    await replica.start()
    try:
        for _ in range(100):
            if await _stats(db):
                break
            await asyncio.sleep(0.05)
    finally:
        await replica.close()
    await _assert_nothing_personal_anywhere(db)


async def test_walkin_purge_command(
    clients: StaffClients,
    clock: FakeClock,
    database_url: str,
    db: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from service.cli import main

    clock.now = datetime.now(UTC) - timedelta(days=45)
    await _a_day_at_paris(clients, clock)
    monkeypatch.setenv("WALKIN_DATABASE_URL", database_url)
    monkeypatch.setenv("WALKIN_SECRET_KEY", "test")
    monkeypatch.setenv("WALKIN_RETENTION_DAYS", "30")
    assert await asyncio.to_thread(main, ["purge"]) == 0
    assert "erased from 2 tickets" in capsys.readouterr().out
    await _assert_nothing_personal_anywhere(db)


async def test_patient_data_never_reaches_the_logs(
    clients: StaffClients, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await _a_day_at_paris(clients, clock)
    desk = await clients("reception-paris")
    # Refused inputs carrying patient data: invalid phone, duplicate key, wrong types.
    await desk.post(
        "/api/centres/paris/tickets", json={"label": PLANTED_LABEL, "phone": "x" + PLANTED_PHONE}
    )
    await desk.post(
        "/api/centres/paris/tickets", json={"label": PLANTED_LABEL, "client_key": CLIENT_KEY}
    )
    await desk.post("/api/centres/paris/tickets", json={"label": [PLANTED_LABEL]})
    await desk.post("/api/centres/paris/tickets/999/move-to-head", json={"reason": PLANTED_LABEL})
    assert caplog.records
    assert_no_personal_data(caplog.text, PLANTED_ALL)
