"""Time the managers' rota views through the HTTP API on the demo network.

Run from the repository root:
    python bench/bench_rota_views.py [--repeat 7] [--database-url postgresql+asyncpg://...]
Without a URL it uses a fresh SQLite file. The demo network (26 centres, 350 doctors, a month
of rota around today) is loaded into an empty database (a PostgreSQL database given here is
emptied first), then coverage and conflicts are asked for a week and a month of the whole
network through an in-process ASGI client, as a signed-in manager. Target: 200 ms each.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.seeding import bench_manager
from rota.demo_load import DAYS_AFTER, DAYS_BEFORE, load_demo_network
from service.app import create_app
from service.db import install_sqlite_pragmas
from service.migrate import downgrade, upgrade
from service.settings import Settings

PASSWORD = "bench-password"


async def _seed(url: str) -> None:
    engine = create_async_engine(url)
    install_sqlite_pragmas(engine)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        started = perf_counter()
        await load_demo_network(session, datetime.now(UTC).date())
        session.add(bench_manager(PASSWORD))
        await session.commit()
        print(f"demo network loaded in {(perf_counter() - started) * 1000:.0f} ms")
        count = (await session.execute(text("SELECT count(*) FROM shift"))).scalar_one()
        print(f"{count} shifts in the database")
    await engine.dispose()


async def _time(client: httpx.AsyncClient, url: str, repeat: int) -> tuple[float, float, int]:
    samples = []
    size = 0
    for _ in range(repeat):
        started = perf_counter()
        response = await client.get(url)
        samples.append((perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.json())
    return min(samples), statistics.median(samples), size


async def _run(url: str, repeat: int) -> None:
    await _seed(url)
    # As `walkin serve` runs it: start-up objects frozen out of garbage collection.
    app = create_app(
        Settings(database_url=url, redis_url=None, secret_key="bench", demo=False), freeze_gc=True
    )
    today = datetime.now(UTC).date()
    week = (today, today + timedelta(days=6))
    month = (today - timedelta(days=DAYS_BEFORE), today + timedelta(days=DAYS_AFTER))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = {"username": "bench", "password": PASSWORD}
            (await client.post("/api/auth/login", json=login)).raise_for_status()
            print(f"{'view':<34}{'best ms':>10}{'median ms':>11}{'items':>8}")
            for view in ("coverage", "conflicts"):
                for label, (first, last) in (("week", week), ("month", month)):
                    query = f"/api/rota/{view}?from={first}&to={last}"
                    best, median, size = await _time(client, query, repeat)
                    name = f"{view}, {label} (26 centres)"
                    print(f"{name:<34}{best:>10.1f}{median:>11.1f}{size:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        if args.database_url:
            downgrade(url, "base")  # an empty database, whatever it held
        upgrade(url)
        print(f"database: {url.split('@')[-1]}")
        asyncio.run(_run(url, args.repeat))


if __name__ == "__main__":
    main()
