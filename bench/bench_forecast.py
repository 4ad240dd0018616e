"""Time the demand forecast's read on a year and more of a 26-centre network's hourly arrivals.

Run from the repository root:
    python bench/bench_forecast.py [--repeat 5] [--database-url postgresql+asyncpg://...]
Without a URL it uses a fresh SQLite file (a PostgreSQL database given here is emptied first).
It stores the generated network of the backtest (forecast.synthetic: 26 centres, 2024-07-01 to
2026-02-28, arrivals only) in `stats_hour`, then times `forecast.reads.demand_forecasts` for a
month of one centre and of all 26 (what the rota page and the comparison page ask for), as of
2026-02-01. The forecast's accuracy is `walkin forecast-backtest` (README, Forecast).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from forecast.backtest import FIRST_DAY, LAST_DAY
from forecast.reads import demand_forecasts
from forecast.synthetic import generate_network
from rota.models import Centre
from service.db import install_sqlite_pragmas
from service.migrate import downgrade, upgrade
from stats.figures import Figures
from stats.models import HourStats, figure_values

AS_OF = date(2026, 2, 1)
MONTH_END = date(2026, 2, 28)


async def _seed(url: str) -> list[int]:
    network = generate_network(FIRST_DAY, LAST_DAY)
    engine = create_async_engine(url)
    install_sqlite_pragmas(engine)
    empty = figure_values(Figures())
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        centres = [
            Centre(
                slug=f"centre-{c.id:02d}",
                name=c.name,
                timezone="Europe/Paris",
                opening_hours={str(d): [["08:00", f"{c.closes}:00"]] for d in range(1, 8)},
                event_seq=0,
            )
            for c in network.centres
        ]
        session.add_all(centres)
        await session.flush()
        rows = [
            {
                **empty,
                "centre_id": stored.id,
                "service_day": day,
                "hour": hour,
                "weekday": day.isoweekday(),
                "arrivals_standard": standard,
                "arrivals_urgent": urgent,
            }
            for stored, generated in zip(centres, network.centres, strict=True)
            for day, hours in network.history[generated.id].items()
            for hour, (standard, urgent) in hours.items()
        ]
        for start in range(0, len(rows), 5000):
            await session.execute(insert(HourStats), rows[start : start + 5000])
        await session.commit()
        print(f"{len(rows)} hour rows of {len(centres)} centres stored")
        ids = [centre.id for centre in centres]
    await engine.dispose()
    return ids


async def _time(url: str, ids: list[int], repeat: int) -> None:
    engine = create_async_engine(url)
    install_sqlite_pragmas(engine)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    for label, wanted in (("one centre, a month", ids[:1]), ("26 centres, a month", ids)):
        times = []
        for _ in range(repeat):
            async with maker() as session:
                started = perf_counter()
                found = await demand_forecasts(session, wanted, AS_OF, MONTH_END, as_of=AS_OF)
                times.append(perf_counter() - started)
        assert len(found) == len(wanted)
        print(
            f"{label}: median {statistics.median(times) * 1000:.0f} ms,"
            f" max {max(times) * 1000:.0f} ms"
        )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = args.database_url or f"sqlite+aiosqlite:///{workdir}/bench.sqlite"
        if args.database_url:
            downgrade(url, "base")
        upgrade(url, "head")
        ids = asyncio.run(_seed(url))
        asyncio.run(_time(url, ids, args.repeat))


if __name__ == "__main__":
    main()
