"""/metrics for operators: by route template, who may read it; the request id."""

from __future__ import annotations

import dataclasses
import logging
import re

import httpx
import pytest
from litestar import Litestar

from service.app import create_app
from service.request_id import RequestIdFilter, current
from service.settings import Settings
from tests.conftest import FakeClock, StaffClients, WallClock

pytestmark = pytest.mark.timeout(60)

TOKEN = "metrics-token-for-the-tests"


def _client(app: Litestar, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


async def test_metrics_name_routes_by_template_and_carry_the_process_figures(
    clients: StaffClients,
) -> None:
    desk = await clients("reception-paris")
    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    assert (await desk.get("/api/centres/paris/queue")).status_code == 200
    async with _client(clients.app) as local:
        answer = await local.get("/metrics")
    assert answer.status_code == 200, answer.text
    text = answer.text
    assert 'path="/api/centres/{centre_slug}/queue"' in text
    assert "/api/centres/paris" not in text  # no raw path, no slug, no id, no token
    assert re.search(r"^walkin_requests_total\{.*\} [1-9]", text, re.M)
    assert re.search(r"^walkin_request_duration_seconds_bucket\{", text, re.M)
    for name in (
        "walkin_feeds_connected",
        "walkin_relay_lag_seconds",
        "walkin_channel_backend_restarts_total",
        "walkin_event_bus_up",
        "walkin_db_pool_checked_out",
        "walkin_estimate_seconds_count",
        "walkin_outbox_backlog",
    ):
        assert re.search(rf"^{name} ", text, re.M), name


async def test_metrics_only_from_loopback_or_with_the_token(
    settings: Settings, clock: FakeClock, wall_clock: WallClock, clients: StaffClients
) -> None:
    async with _client(clients.app) as local:
        forwarded = await local.get("/metrics", headers={"x-forwarded-for": "198.51.100.7"})
    assert forwarded.status_code == 403  # through a proxy: from anywhere
    async with _client(clients.app, "198.51.100.7") as remote:
        assert (await remote.get("/metrics")).status_code == 403
    app = create_app(
        dataclasses.replace(settings, metrics_token=TOKEN), clock=clock, session_clock=wall_clock
    )
    async with app.lifespan(), _client(app, "198.51.100.7") as remote:
        wrong = await remote.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 403
        right = await remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200 and "walkin_feeds_connected" in right.text


async def test_each_answer_carries_a_request_id_kept_only_from_a_trusted_proxy(
    settings: Settings, clock: FakeClock, wall_clock: WallClock, clients: StaffClients
) -> None:
    given = {"x-request-id": "proxy-chosen-id-0001"}
    async with _client(clients.app, "198.51.100.7") as client:
        made = await client.get("/health/live", headers=given)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    trusting = create_app(
        dataclasses.replace(settings, trusted_proxies=("10.0.0.0/8",)),
        clock=clock,
        session_clock=wall_clock,
    )
    async with trusting.lifespan(), _client(trusting, "10.1.2.3") as proxy:
        kept = await proxy.get("/health/live", headers=given)
        assert kept.headers["x-request-id"] == "proxy-chosen-id-0001"
        odd = await proxy.get("/health/live", headers={"x-request-id": "bad id\twith spaces"})
        assert odd.headers["x-request-id"] != "bad id\twith spaces"


def test_log_records_get_the_request_id() -> None:
    record = logging.LogRecord("walkin.queues", logging.INFO, __file__, 1, "called", None, None)
    token = current.set("abcdef0123456789")
    try:
        RequestIdFilter().filter(record)
    finally:
        current.reset(token)
    assert record.request_id == "abcdef0123456789"  # type: ignore[attr-defined]
    outside = logging.LogRecord("walkin", logging.INFO, __file__, 1, "idle", None, None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"  # type: ignore[attr-defined]
