"""Real service processes (uvicorn) sharing PostgreSQL and a private Redis, for the
multi-replica and fault tests. A private redis-server keeps other runs' events out and can be
stopped without touching the machine's shared Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from queues.models import CentreDay, Ticket
from rota.models import Centre
from tests.display.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        import redis

        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


@dataclass
class Replica:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(5)


def _spawn(
    port: int, database_url: str, redis_url: str, extra_env: dict[str, str], cli: bool
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WALKIN_DATABASE_URL": database_url,
        "WALKIN_REDIS_URL": redis_url,
        "WALKIN_SECRET_KEY": "replica-test-secret",
        "WALKIN_DEMO": "0",
        "WALKIN_DISPLAY_POLL_S": "0.5",
        "WALKIN_DISPLAY_PING_S": "2",
        **extra_env,
    }
    if cli:  # the production command, as compose.yaml runs it behind the proxy
        command = [str(Path(sys.executable).parent / "walkin"), "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--proxy-headers"]  # fmt: skip
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--timeout-graceful-shutdown", "2"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


async def start_replica(
    database_url: str,
    redis_url: str,
    extra_env: dict[str, str] | None = None,
    *,
    cli: bool = False,
) -> Replica:
    port = free_port()
    process = _spawn(port, database_url, redis_url, extra_env or {}, cli)
    replica = Replica(port, process)
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"replica exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{replica.base}/health")).status_code == 200:
                    return replica
            await asyncio.sleep(0.05)
    raise RuntimeError("replica did not start")


def stop_replica(replica: Replica) -> None:
    if replica.process.poll() is None:
        replica.process.terminate()
        try:
            replica.process.wait(10)
        except subprocess.TimeoutExpired:
            replica.kill()


@dataclass
class TrackedScreen:
    """A screen client that follows the protocol like the page does and reconnects."""

    urls: list[str]
    headers: dict[str, str] = field(default_factory=dict)  # e.g. a staff page's cookie, Origin
    seq: int | None = None
    view: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    snapshots: int = 0
    _task: asyncio.Task[None] | None = None
    _ws: ClientConnection | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        attempt = 0
        while True:
            url = self.urls[attempt % len(self.urls)]
            try:
                async with connect(url, open_timeout=2, additional_headers=self.headers) as ws:
                    self._ws = ws
                    async for raw in ws:
                        await self._handle(ws, json.loads(raw))
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                pass
            attempt += 1
            await asyncio.sleep(0.1)

    async def _handle(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "ping":
            await ws.send('{"type": "pong"}')
        elif kind == "snapshot":
            self.snapshots += 1
            self.seq = message["seq"]
            self.view = message
        elif kind == "waits":
            self.view = {**self.view, **message}
        elif isinstance(message.get("seq"), int):
            if self.seq is not None and message["seq"] <= self.seq:
                return
            if self.seq is None or message["seq"] != self.seq + 1:
                await ws.send('{"type": "resync"}')
                return
            self.seq = message["seq"]
            self.events.append(message)

    def picture(self) -> tuple[int | None, int, list[str]]:
        waiting = self.view.get("waiting", {})
        called = [t["number"] for t in self.view.get("called", [])]
        return self.seq, sum(waiting.values()), called


async def database_picture(
    db: async_sessionmaker[AsyncSession], centre_id: int
) -> tuple[int | None, int, list[str]]:
    async with db() as session:
        seq = (
            await session.execute(select(Centre.event_seq).where(Centre.id == centre_id))
        ).scalar_one()
        waiting = (
            await session.execute(
                select(func.count(Ticket.id)).where(
                    Ticket.centre_id == centre_id, Ticket.status == "waiting"
                )
            )
        ).scalar_one()
        called = (
            await session.execute(
                select(Ticket.number)
                .where(Ticket.centre_id == centre_id, Ticket.status == "called")
                .order_by(Ticket.called_at.desc(), Ticket.id.desc())
            )
        ).scalars()
        return seq, int(waiting), list(called)


async def converge(
    screens: list[TrackedScreen],
    db: async_sessionmaker[AsyncSession],
    centre_id: int,
    within: float,
) -> None:
    """Every screen shows what the database holds, within `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        truth = await database_picture(db, centre_id)
        pictures = [screen.picture() for screen in screens]
        if all(picture == truth for picture in pictures):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"screens {pictures} never matched the database {truth}")
        await asyncio.sleep(0.1)


async def commit_without_event(
    db: async_sessionmaker[AsyncSession], centre: Centre, priority: str = "standard"
) -> int:
    """A check-in committed as a replica does, whose event is never published (the replica
    died, or Redis was away). Returns the centre's new sequence number."""
    async with db() as session:
        seq = (
            await session.execute(
                update(Centre)
                .where(Centre.id == centre.id)
                .values(event_seq=Centre.event_seq + 1)
                .returning(Centre.event_seq)
            )
        ).scalar_one()
        day, number = (
            await session.execute(
                update(CentreDay)
                .where(CentreDay.centre_id == centre.id)
                .values(last_seq_no=CentreDay.last_seq_no + 1)
                .returning(CentreDay.service_day, CentreDay.last_seq_no)
            )
        ).one()
        session.add(
            Ticket(
                centre_id=centre.id,
                service_day=day,
                seq_no=number,
                number=f"{'U' if priority == 'urgent' else 'A'}{number:03d}",
                priority=priority,
                status="waiting",
                checked_in_at=centre.created_at,
                queued_at=centre.created_at,
            )
        )
        await session.commit()
        return int(seq)
