"""The service under uvicorn on loopback, in a thread of its own, for the schemathesis trial.

Schemathesis calls the API synchronously (requests) from the test's thread; the app runs its
lifespan, database pool and Redis connections in the server thread's event loop, where they
stay for the whole module (an ASGI test client would run each request in a fresh portal loop,
which asyncpg and Redis connections do not survive).
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import uvicorn
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from display.access import digest, new_secret
from display.models import DisplayToken
from rota.models import Centre, Room
from service.accounts import Role
from service.app import create_app
from service.db import install_sqlite_pragmas
from service.migrate import upgrade
from service.settings import Settings
from tests.conftest import PASSWORD, PG_URL, REDIS_URL, _pg_execute, staff_account
from tests.display.conftest import free_port

STAFF = ("manager", "reception-paris", "doctor-paris")


@dataclass
class Trial:
    base: str
    # One signed-in requests session per staff account, and a paired screen's token.
    sessions: dict[str, requests.Session]
    display_token: str


@contextmanager
def trial_database(template_sqlite: str, workdir: Path) -> Iterator[str]:
    """A migrated database of the trial's own: a copy of the SQLite template, or a fresh
    PostgreSQL database in the second tier (the suite's shared one is truncated per test)."""
    if PG_URL is None:
        path = workdir / "trial.sqlite3"
        shutil.copyfile(template_sqlite, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = f"walkin_trial_{uuid.uuid4().hex[:10]}"
    url = f"{PG_URL.rpartition('/')[0]}/{name}"
    asyncio.run(_pg_execute(PG_URL, f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_execute(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def seed(database_url: str) -> str:
    """Two centres with rooms, the staff of `STAFF`, and a screen of Paris; returns its token."""
    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    token = new_secret()
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            centres: dict[str, Centre] = {}
            for slug, name in (("paris", "Paris 11e"), ("lyon", "Lyon Part-Dieu")):
                centre = Centre(
                    slug=slug,
                    name=name,
                    timezone="Europe/Paris",
                    country="FR",
                    opening_hours={str(d): [["08:00", "20:00"]] for d in range(1, 8)},
                    event_seq=0,
                )
                centre.rooms = [Room(code=str(n), name=f"Cabinet {n}", position=n) for n in (1, 2)]
                session.add(centre)
                centres[slug] = centre
            await session.flush()
            for username, role, slug in (
                ("manager", Role.MANAGER, None),
                ("reception-paris", Role.RECEPTION, "paris"),
                ("doctor-paris", Role.DOCTOR, "paris"),
            ):
                session.add(staff_account(username, role, centres[slug] if slug else None))
            session.add(
                DisplayToken(centre_id=centres["paris"].id, label="TV", token_hash=digest(token))
            )
            await session.commit()
    finally:
        await engine.dispose()
    return token


@contextmanager
def serve(database_url: str) -> Iterator[Trial]:
    token = asyncio.run(seed(database_url))
    settings = Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        secret_key="trial-secret",
        demo=False,
        # Generated check-ins would otherwise hit the per-session limit within the first
        # operations and leave the rest of the queue API answering only 429.
        checkin_per_minute=1_000_000,
        public_per_minute=1_000_000,
        channel_prefix=f"walkin-trial-{uuid.uuid4().hex[:12]}",
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=2,
            # uvloop in a non-main thread raised EBUSY at shutdown here now and then; the
            # standard loop closes cleanly.
            loop="asyncio",
        )
    )
    thread = threading.Thread(target=server.run, name="trial-uvicorn", daemon=True)
    thread.start()
    sessions: dict[str, requests.Session] = {}
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the trial server did not start")
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        for username in STAFF:
            session = requests.Session()
            answer = session.post(
                f"{base}/api/auth/login",
                json={"username": username, "password": PASSWORD},
                timeout=10,
            )
            answer.raise_for_status()
            sessions[username] = session
        yield Trial(base, sessions, token)
    finally:
        for session in sessions.values():
            session.close()
        server.should_exit = True
        thread.join(15)
