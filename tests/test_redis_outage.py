"""Staff keep working while Redis is unreachable: sessions live in the database and rate
limits fall back to each replica's own counters."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import FakeClock, StaffClients, World

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


async def test_sign_in_check_in_and_call_without_redis(
    settings: Settings, clock: FakeClock, world: World
) -> None:
    nowhere = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    clients = StaffClients(create_app(nowhere, clock=clock))
    await clients.start()
    try:
        desk = await clients("reception-paris")
        checked_in = await desk.post(
            "/api/centres/paris/tickets", json={"client_key": "outage-0001"}
        )
        assert checked_in.status_code == 201, checked_in.text
        doctor = await clients("doctor-paris")
        called = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
        assert called.status_code == 200, called.text
        assert called.json()["id"] == checked_in.json()["id"]
        health = (await desk.get("/health")).json()
        assert health["status"] == "degraded"
    finally:
        await clients.close()
