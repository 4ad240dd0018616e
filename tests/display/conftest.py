"""Fixtures for the screen feed: a real HTTP/WebSocket server in the test's event loop."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import ClientConnection, connect

from display.access import digest, new_secret
from display.hub import FeedTimings
from display.models import DisplayToken
from tests.conftest import World, sign_in

FAST = FeedTimings(
    ping_s=0.5, dead_after_s=30, poll_s=0.2, lag_grace_s=0.3, refresh_s=5, last_seen_every_s=0.5
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """The app behind a real uvicorn server, and clients for it."""

    app: Litestar
    base: str
    _http: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def ws_base(self) -> str:
        return self.base.replace("http://", "ws://")

    async def http(self, username: str | None = None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base, timeout=10)
        self._http.append(client)
        if username is not None:
            await sign_in(client, username)
        return client

    async def screen(
        self, slug: str, *, token: str | None = None, cookie: str | None = None, **headers: str
    ) -> ScreenClient:
        url = f"{self.ws_base}/ws/centres/{slug}" + (f"?token={token}" if token else "")
        extra = {"Cookie": cookie} if cookie else {}
        extra.update(headers)
        return ScreenClient(await connect(url, additional_headers=extra, open_timeout=5))


@dataclass
class ScreenClient:
    ws: ClientConnection
    seen: list[str] = field(default_factory=list)

    async def next(self, wait_s: float = 5) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), wait_s)
        text = raw if isinstance(raw, str) else raw.decode()
        self.seen.append(text)
        message: dict[str, Any] = json.loads(text)
        return message

    async def until(
        self, accept: Callable[[dict[str, Any]], bool], wait_s: float = 5, skip_pings: bool = True
    ) -> dict[str, Any]:
        async with asyncio.timeout(wait_s):
            while True:
                message = await self.next(wait_s)
                if skip_pings and message["type"] == "ping":
                    continue
                if accept(message):
                    return message

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def close(self) -> None:
        await self.ws.close()


def session_cookie(client: httpx.AsyncClient) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


@pytest.fixture
def app_parts() -> list[object]:
    # The screens' hub runs on fast timings in these tests.
    return [FAST]


@asynccontextmanager
async def serving(app: Litestar, **options: Any) -> AsyncIterator[Served]:
    """The app behind uvicorn on a free loopback port, in the test's event loop."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    served = Served(app, f"http://127.0.0.1:{port}")
    yield served
    for client in served._http:
        await client.aclose()
    server.should_exit = True
    await task


@pytest.fixture
async def served(app: Litestar, world: World) -> AsyncIterator[Served]:
    async with serving(app, timeout_graceful_shutdown=2) as served:
        yield served


async def make_token(
    db: async_sessionmaker[AsyncSession], world: World, slug: str, label: str = "TV"
) -> tuple[int, str]:
    token = new_secret()
    async with db() as session:
        row = DisplayToken(centre_id=world.centres[slug].id, label=label, token_hash=digest(token))
        session.add(row)
        await session.commit()
        return row.id, token
