"""Time the statistics pages on a year of a 26-centre network's figures.

Run from the repository root:
    python bench/bench_stats.py [--days 365] [--repeat 5] [--database-url postgresql+asyncpg://...]
Without a URL it uses a fresh SQLite file (a PostgreSQL database given here is emptied
first). It makes 26 centres, generates a year of their days (stats.demo: about 150 patients a
day each, computed by the same day_figures as real days) and stores them, then asks the network
page, the posted-waits page and a centre's month through an in-process ASGI client as a
signed-in manager, and times the network page's queries alone. Target: a network page under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.seeding import bench_manager
from rota.models import Centre
from service.app import create_app
from service.db import install_sqlite_pragmas
from service.migrate import downgrade, upgrade
from service.settings import Settings
from stats import queries
from stats.demo import demo_day_figures, patients_per_day
from stats.job import bulk_insert
from stats.models import HourStats
from stats.periods import Period

PASSWORD = "bench-password"
CENTRES = 26
HOURS = list(range(8, 20))


async def _seed(url: str, last: date, days: int) -> None:
    engine = create_async_engine(url)
    install_sqlite_pragmas(engine)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        centres = [
            Centre(
                slug=f"centre-{n:02d}",
                name=f"Centre {n:02d}",
                timezone="Europe/Paris",
                opening_hours={str(d): [["08:00", "20:00"]] for d in range(1, 8)},
                event_seq=0,
            )
            for n in range(1, CENTRES + 1)
        ]
        session.add_all([*centres, bench_manager(PASSWORD)])
        await session.flush()
        started = perf_counter()
        generated = [
            (
                centre.id,
                day,
                demo_day_figures(
                    random.Random(f"{centre.slug}:{day}"),
                    day,
                    centre.tz,
                    HOURS,
                    patients_per_day(centre.slug),
                ),
            )
            for centre in centres
            for day in (last - timedelta(days=back) for back in range(days))
        ]
        made = perf_counter()
        rows = await bulk_insert(session, generated)
        await session.commit()
        hours = (await session.execute(select(func.count(HourStats.id)))).scalar_one()
        print(
            f"{len(generated)} centre-days generated in {made - started:.1f} s, {rows} rows"
            f" ({hours} hours) stored in {perf_counter() - made:.1f} s"
        )
    await engine.dispose()


async def _time(client: httpx.AsyncClient, url: str, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = perf_counter()
        response = await client.get(url, headers={"accept": "text/html"})
        samples.append((perf_counter() - started) * 1000)
        response.raise_for_status()
    return min(samples), statistics.median(samples)


async def _queries_only(app: object, period: Period, repeat: int) -> tuple[float, float]:
    from service.state import shell

    samples = []
    for _ in range(repeat):
        async with shell(app).db.get_session() as session:  # type: ignore[arg-type]
            started = perf_counter()
            await queries.days_of(session, None, period)
            await queries.heatmap(session, None, period)
            samples.append((perf_counter() - started) * 1000)
    return min(samples), statistics.median(samples)


async def _run(url: str, days: int, repeat: int, seed: bool) -> None:
    last = datetime.now(UTC).date() - timedelta(days=1)
    if seed:
        await _seed(url, last, days)
    app = create_app(
        Settings(database_url=url, redis_url=None, secret_key="bench", demo=False), freeze_gc=True
    )
    year = Period(last - timedelta(days=days - 1), last)
    month = Period(last - timedelta(days=29), last)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = {"username": "bench", "password": PASSWORD}
            (await client.post("/api/auth/login", json=login)).raise_for_status()
            print(f"{'page':<46}{'best ms':>10}{'median ms':>11}")
            best, median = await _queries_only(app, year, repeat)
            print(f"{'network, its queries only (year)':<46}{best:>10.1f}{median:>11.1f}")
            for label, path in (
                ("network page (year, 26 centres)", f"/stats/network?from={year.first}&to={last}"),
                ("network page (30 days)", f"/stats/network?from={month.first}&to={last}"),
                ("posted waits page (year)", f"/stats/estimates?from={year.first}&to={last}"),
                ("a centre's month", f"/stats/centres/centre-01?month={last:%Y-%m}"),
            ):
                best, median = await _time(client, path, repeat)
                print(f"{label:<46}{best:>10.1f}{median:>11.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="the database given holds a run's figures already"
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        if args.database_url and not args.reuse:
            downgrade(url, "base")
        upgrade(url)
        print(f"database: {url.split('@')[-1]}")
        asyncio.run(_run(url, args.days, args.repeat, seed=not args.reuse))


if __name__ == "__main__":
    main()
