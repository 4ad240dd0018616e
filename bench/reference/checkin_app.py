"""The reference for bench_checkin.py: a minimal Litestar app on a bare asyncpg pool running
the service's check-in, call-next and start transactions on the same schema, with no sign-in,
ORM, guards or estimates. What it costs is the floor the service is compared with.

    WALKIN_DATABASE_URL=postgresql://... uvicorn --factory bench.reference.checkin_app:create_app
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from litestar import Litestar, Response, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException

PARIS = ZoneInfo("Europe/Paris")


def _pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


async def _bump(conn: asyncpg.Connection, slug: str) -> tuple[int, int]:
    row = await conn.fetchrow(
        "UPDATE centre SET event_seq = event_seq + 1 WHERE slug = $1 RETURNING id, event_seq", slug
    )
    if row is None:
        raise NotFoundException("no centre")
    return int(row["id"]), int(row["event_seq"])


async def _audit(
    conn: asyncpg.Connection, centre_id: int, entity_id: int, action: str, changes: Any
) -> None:
    await conn.execute(
        "INSERT INTO audit_entry (at, actor_id, actor_username, entity, entity_id, centre_id,"
        " action, changes) VALUES ($1, NULL, 'bench', 'ticket', $2, $3, $4, $5::jsonb)",
        datetime.now(UTC),
        entity_id,
        centre_id,
        action,
        json.dumps(changes),
    )


@post("/centres/{slug:str}/tickets", status_code=201)
async def check_in(slug: str, data: dict[str, Any], state: State) -> dict[str, Any]:
    now = datetime.now(UTC)
    day = now.astimezone(PARIS).date()
    async with _pool(state).acquire() as conn, conn.transaction():
        centre_id, seq = await _bump(conn, slug)
        await conn.execute(
            "INSERT INTO centre_day (centre_id, service_day, last_seq_no, checkin_closed,"
            " created_at, updated_at) VALUES ($1, $2, 0, false, $3, $3)"
            " ON CONFLICT (centre_id, service_day) DO NOTHING",
            centre_id,
            day,
            now,
        )
        seq_no = await conn.fetchval(
            "UPDATE centre_day SET last_seq_no = last_seq_no + 1 WHERE centre_id = $1"
            " AND service_day = $2 AND NOT checkin_closed RETURNING last_seq_no",
            centre_id,
            day,
        )
        number = f"A{seq_no:03d}"
        ticket_id = await conn.fetchval(
            "INSERT INTO ticket (centre_id, service_day, seq_no, number, priority, status,"
            " client_key, checked_in_at, queued_at, call_count, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, 'standard', 'waiting', $5, $6, $6, 0, $6, $6) RETURNING id",
            centre_id,
            day,
            seq_no,
            number,
            data.get("client_key"),
            now,
        )
        await _audit(conn, centre_id, ticket_id, "check_in", {"number": [None, number]})
    return {"id": ticket_id, "number": number, "seq": seq}


@post("/centres/{slug:str}/call-next", status_code=200)
async def call_next(slug: str, data: dict[str, Any], state: State) -> Response[Any]:
    now = datetime.now(UTC)
    day = now.astimezone(PARIS).date()
    async with _pool(state).acquire() as conn, conn.transaction():
        centre_id, seq = await _bump(conn, slug)
        room_id = await conn.fetchval(
            "SELECT id FROM room WHERE centre_id = $1 AND code = $2", centre_id, data["room"]
        )
        # The consultation under way in this room ends with the call, as in the service.
        await conn.execute(
            "UPDATE ticket SET status = 'done', ended_at = $3 WHERE centre_id = $1"
            " AND room_id = $2 AND status = 'in_consultation'",
            centre_id,
            room_id,
            now,
        )
        row = await conn.fetchrow(
            "UPDATE ticket SET status = 'called', called_at = $3, call_count = 1, room_id = $4"
            " WHERE id = (SELECT id FROM ticket WHERE centre_id = $1 AND service_day = $2"
            " AND status = 'waiting' ORDER BY CASE priority WHEN 'urgent' THEN 0 ELSE 1 END,"
            " queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) AND status = 'waiting'"
            " RETURNING id, number",
            centre_id,
            day,
            now,
            room_id,
        )
        if row is None:
            return Response({"detail": "nobody is waiting"}, status_code=404)
        await _audit(conn, centre_id, row["id"], "call_next", {"status": ["waiting", "called"]})
    return Response({"id": row["id"], "number": row["number"], "seq": seq})


@post("/centres/{slug:str}/tickets/{ticket_id:int}/start", status_code=200)
async def start(slug: str, ticket_id: int, state: State) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with _pool(state).acquire() as conn, conn.transaction():
        centre_id, seq = await _bump(conn, slug)
        updated = await conn.fetchval(
            "UPDATE ticket SET status = 'in_consultation', started_at = $3 WHERE id = $1"
            " AND centre_id = $2 AND status = 'called' RETURNING id",
            ticket_id,
            centre_id,
            now,
        )
        if updated is None:
            raise NotFoundException("no called ticket")
        await _audit(conn, centre_id, ticket_id, "start", {"status": ["called", "in_consultation"]})
    return {"id": ticket_id, "seq": seq}


async def _open(app: Litestar) -> None:
    url = os.environ["WALKIN_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    app.state.pool = await asyncpg.create_pool(url, min_size=10, max_size=10)


async def _close(app: Litestar) -> None:
    await app.state.pool.close()


def create_app() -> Litestar:
    return Litestar(
        [check_in, call_next, start], on_startup=[_open], on_shutdown=[_close], debug=False
    )
