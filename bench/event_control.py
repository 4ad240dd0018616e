"""Queue events for bench_display.py made inside the service process, without HTTP.

Driven through the API, each event costs a check-in, call or start request (with its
estimate, session and audit): on the 2-core machine those requests saturated the SQLite pool
from about 10 events/s, and their CPU hid the screens' share. Here the service process also
listens on a local control port; each line it reads ({"centre": slug, "type": kind,
"ticket": {...}}) becomes one change through the shell's change path, as a queue change
does: the centre's sequence number bumped and committed, then the event published on the
bus after the commit. The relays, the screens' waits reads and their estimates then work as
they do for real events; only the request that would have made the change is missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Litestar
from sqlalchemy import select

from rota.models import Centre
from service.app import create_app
from service.changes import ChangePath
from service.state import shell

log = logging.getLogger("bench.events")


async def _make_event(app: Litestar, ids: dict[str, int], line: bytes) -> None:
    state = shell(app)
    event = msgspec.json.decode(line)
    centre_id = ids[event["centre"]]
    async with state.db.get_session() as session:
        path = ChangePath(session, state.gate, state.bus, state.clock)
        async with path.change() as change:
            await change.bump_one(centre_id)
            change.publish(
                centre_id,
                {"type": event["type"], "centre": event["centre"], "ticket": event["ticket"]},
            )


async def _serve_control(app: Litestar, port: int) -> None:
    async with shell(app).db.get_session() as session:
        ids = {slug: cid for cid, slug in (await session.execute(select(Centre.id, Centre.slug)))}
    pending: set[asyncio.Task[None]] = set()

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            # Concurrent, as requests are: one change at a time per centre is the gate's job.
            task = asyncio.create_task(_make_event(app, ids, line))
            pending.add(task)
            task.add_done_callback(_done(pending))
        writer.close()

    server = await asyncio.start_server(client, "127.0.0.1", port)
    app.state.bench_control = server  # kept for the process's lifetime


def _done(pending: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    def forget(task: asyncio.Task[None]) -> None:
        pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("bench event failed: %r", task.exception())

    return forget


def app_factory(port: int) -> Callable[[], Any]:
    """The app the benchmark serves (`create_app()`), plus the control port."""

    def build() -> Litestar:
        app = create_app()

        async def start() -> None:
            await _serve_control(app, port)

        app.on_startup.append(start)
        return app

    return build
