"""Tools an attacker's test needs: planted patient data, table dumps, route probes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Iterable
from typing import Any

from litestar import Litestar
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.access import RouteRule

# Patient data planted by tests, distinctive enough to find anywhere.
PLANTED_LABEL = "Zéphyrine Q."
PLANTED_PHONE = "+33 6 98 76 54 32"
PLANTED = (PLANTED_LABEL, PLANTED_PHONE)


def assert_no_personal_data(payload: Any, values: Iterable[str] = PLANTED) -> None:
    """Fail if any planted label or phone appears in a payload (JSON, text or bytes).

    Checks the raw text and its JSON-decoded form, so escapes (\\u00e9) do not hide a value;
    phones are also matched without their spaces and dots.
    """
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "replace")
    texts = [payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)]
    with contextlib.suppress(ValueError, TypeError):
        texts.append(json.dumps(json.loads(texts[0]), ensure_ascii=False))
    for value in values:
        compact = re.sub(r"[ .-]", "", value)
        for found in texts:
            assert value not in found, f"patient data {value!r} leaked"
            assert compact not in re.sub(r"[ .-]", "", found), f"patient data {value!r} leaked"


async def table_names(db: async_sessionmaker[AsyncSession]) -> list[str]:
    async with db() as session:
        conn = await session.connection()
        names: list[str] = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    return sorted(name for name in names if name != "alembic_version")


async def dump_tables(
    db: async_sessionmaker[AsyncSession], ignore: Iterable[str] = ()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: compare two dumps to see any change."""
    skipped = set(ignore)
    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with db() as session:
        for name in await table_names(db):
            if name in skipped:
                continue
            rows = (await session.execute(text(f'SELECT * FROM "{name}"'))).all()
            dump[name] = sorted((tuple(row) for row in rows), key=repr)
    return dump


# Values that match Litestar's typed path parameters, so the route is reached at all.
FILLERS = {
    "path": "app.css",
    "date": "2026-11-24",
    "datetime": "2026-11-24T09:00:00Z",
    "time": "09:00:00",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "float": "1.0",
    "decimal": "1.0",
}


def concrete_path(template: str, centre: str, ticket_id: int) -> str:
    """A real URL for a route template: centres and tickets that exist, filler elsewhere."""

    def fill(match: re.Match[str]) -> str:
        name, _, kind = match.group(1).partition(":")
        if kind == "int":
            return str(ticket_id)
        if kind in FILLERS:
            return FILLERS[kind]
        if "centre" in name or name == "slug":
            return centre
        return "probe"

    return re.sub(r"\{([^}]+)\}", fill, template)


def has_centre_param(template: str) -> bool:
    return any(
        "centre" in name or name == "slug"
        for name in (m.partition(":")[0] for m in re.findall(r"\{([^}]+)\}", template))
    )


async def websocket_probe(
    app: Litestar,
    path: str,
    headers: Iterable[tuple[str, str]] = (),
    wait_s: float = 0.5,
    closes: list[int] | None = None,
) -> tuple[str, list[Any]]:
    """Open a WebSocket straight through ASGI: ("accepted" | "refused", messages received);
    the close codes the app sent are appended to `closes`."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver.local")]
        + [(k.lower().encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "subprotocols": [],
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    task = asyncio.create_task(app(scope, receive, send))  # type: ignore[arg-type]
    await asyncio.sleep(wait_s)
    await inbox.put({"type": "websocket.disconnect", "code": 1000})
    try:
        await asyncio.wait_for(task, 2)
    except (TimeoutError, Exception):
        task.cancel()
    accepted = any(m["type"] == "websocket.accept" for m in sent)
    messages = [m.get("text") or m.get("bytes") for m in sent if m["type"] == "websocket.send"]
    if closes is not None:
        closes.extend(int(m["code"]) for m in sent if m["type"] == "websocket.close")
    return ("accepted" if accepted else "refused"), messages


def describe(rule: RouteRule) -> str:
    return f"{'WS' if rule.websocket else ','.join(sorted(rule.methods))} {rule.path}"
