"""The notification outbox as the app shell sees it: one worker per replica."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from notify.handlers import push_key, service_worker
from notify.vapid import WebPushKeys
from notify.worker import OutboxSettings, OutboxWorker, providers_from_env
from service.feature import Feature
from service.metrics import gauges
from service.state import Shell, shell


def notify_parts(state: Shell) -> list[object]:
    """The worker (a test may give its own, with its providers) and the Web Push keys,
    generated at first start like the secret key."""
    data_dir = state.settings.data_dir
    keys = state.find(WebPushKeys) or WebPushKeys.load(data_dir, create=True)
    worker = state.find(OutboxWorker) or OutboxWorker(
        state.db.get_session,
        state.gate,
        state.clock,
        providers_from_env(data_dir, keys),
        OutboxSettings.from_env(),
    )
    return [worker, *([keys] if keys is not None else [])]


@asynccontextmanager
async def outbox_worker(app: Litestar) -> AsyncIterator[None]:
    if os.environ.get("WALKIN_OUTBOX_WORKER", "on") == "off":
        yield
        return
    worker = shell(app).part(OutboxWorker)
    task = asyncio.create_task(worker.run(), name="outbox")
    backlog = (
        "walkin_outbox_backlog",
        "Patient notifications written and not yet sent, as this replica's worker last counted",
        lambda: float(worker.backlog),
        "gauge",
    )
    try:
        async with gauges(app, backlog):
            yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


FEATURE = Feature(
    name="notify",
    route_handlers=[push_key, service_worker],
    lifespan=[outbox_worker],
    parts=notify_parts,
)
