"""Check-in and call-next throughput and latency on PostgreSQL, through the real HTTP server.

    ./dev bench-queue                      # or: .venv/bin/python bench/bench_queue.py
    .venv/bin/python bench/bench_queue.py --checkins 2000 --clients 20 --callers 8 --centres 3

Starts one `walkin serve` process (uvicorn) on a fresh PostgreSQL database (and Redis for the
events, as in production), then drives it from this process with concurrent HTTP clients:
first the check-ins, then doctors emptying the queues (call-next + finish). Prints throughput
and latency percentiles per operation. The server and the clients share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seeding import bench_manager  # noqa: E402
from rota.models import Centre, Room  # noqa: E402
from service.migrate import upgrade  # noqa: E402

PASSWORD = "bench-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def admin(url: str, statement: str) -> None:
    engine = create_async_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def seed(url: str, centres: int) -> list[str]:
    engine = create_async_engine(url)
    slugs = [f"centre-{n}" for n in range(1, centres + 1)]
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        for slug in slugs:
            centre = Centre(
                slug=slug,
                name=slug,
                timezone="Europe/Paris",
                country="FR",
                opening_hours={},
                event_seq=0,
            )
            centre.rooms = [Room(code=str(r), name=f"Cabinet {r}", position=r) for r in range(1, 9)]
            session.add(centre)
        session.add(bench_manager(PASSWORD))
        await session.commit()
    await engine.dispose()
    return slugs


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (
        f"p50 {pick(0.50):6.1f} ms  p95 {pick(0.95):6.1f} ms  p99 {pick(0.99):6.1f} ms  "
        f"max {ordered[-1] * 1000:6.1f} ms  mean {statistics.fmean(ordered) * 1000:6.1f} ms"
    )


async def login(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    response = await client.post(
        "/api/auth/login", json={"username": "bench", "password": PASSWORD}
    )
    response.raise_for_status()
    return client


async def drive(base: str, slugs: list[str], checkins: int, clients: int, callers: int) -> None:
    desks = [await login(base) for _ in range(clients)]
    latencies: list[float] = []
    counter = iter(range(checkins))

    async def desk_loop(desk: httpx.AsyncClient) -> None:
        for i in counter:
            started = time.perf_counter()
            response = await desk.post(
                f"/api/centres/{slugs[i % len(slugs)]}/tickets",
                json={"client_key": f"bench-{uuid.uuid4().hex}"},
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text

    started = time.perf_counter()
    await asyncio.gather(*(desk_loop(d) for d in desks))
    elapsed = time.perf_counter() - started
    print(
        f"check-in  : {checkins} by {clients} clients over {len(slugs)} centres in {elapsed:.2f} s"
        f" = {checkins / elapsed:7.1f}/s   {percentiles(latencies)}"
    )

    doctors = [await login(base) for _ in range(callers)]
    call_latencies: list[float] = []
    called = 0

    async def doctor_loop(client: httpx.AsyncClient, slug: str, room: str) -> None:
        nonlocal called
        while True:
            t0 = time.perf_counter()
            response = await client.post(f"/api/centres/{slug}/call-next", json={"room": room})
            if response.status_code == 404:
                return
            call_latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.text
            called += 1
            await client.post(f"/api/centres/{slug}/tickets/{response.json()['id']}/finish")

    started = time.perf_counter()
    await asyncio.gather(
        *(
            doctor_loop(d, slugs[i % len(slugs)], str(1 + i // len(slugs)))
            for i, d in enumerate(doctors)
        )
    )
    elapsed = time.perf_counter() - started
    print(
        f"call-next : {called} by {callers} callers in {elapsed:.2f} s = {called / elapsed:7.1f}/s"
        f" (each followed by finish)   {percentiles(call_latencies)}"
    )
    assert called == checkins, f"{called} called for {checkins} checked in"
    for client in desks + doctors:
        await client.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "WALKIN_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("WALKIN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--checkins", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--centres", type=int, default=3)
    args = parser.parse_args()

    name = f"walkin_bench_{uuid.uuid4().hex[:8]}"
    url = args.database.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(admin(args.database, f'CREATE DATABASE "{name}"'))
    server = None
    try:
        upgrade(url)
        slugs = asyncio.run(seed(url, args.centres))
        port = free_port()
        env = {
            **os.environ,
            "WALKIN_DATABASE_URL": url,
            "WALKIN_REDIS_URL": args.redis,
            "WALKIN_SECRET_KEY": "bench",
            "WALKIN_DEMO": "false",
            # One session checks in far faster than a desk: lift the per-session limit.
            "WALKIN_CHECKIN_PER_MINUTE": "1000000",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.app:create_app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(f"server: one uvicorn process, PostgreSQL {url.split('@')[-1]}, Redis {args.redis}")
        asyncio.run(drive(base, slugs, args.checkins, args.clients, args.callers))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        asyncio.run(admin(args.database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
