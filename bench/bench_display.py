"""Waiting-room feed benchmark: many screens on one service process.

    .venv/bin/python bench/bench_display.py --screens 5000 --centres 50 \
        --rates 2,20,50 --seconds 15 --client-procs 2

Starts one service process (uvicorn, embedded SQLite and in-process bus unless --redis-url
and --database-url are given), seeds the centres with a display token each, opens the screens
(WebSocket clients spread evenly over the centres) from separate client processes, then drives
the queue through its HTTP API (check-in, call, start, round-robin over the centres) at each
rate in turn. For every event delivered to a screen it measures the latency from the moment
the request was sent (so it includes the request and its commit), and reports p50/p95/p99,
deliveries per second, snapshots (resyncs) seen, and the server's RSS growth per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def seed(database_url: str, centres: int) -> list[tuple[str, str]]:
    """Centres with three rooms, a manager, and a display token per centre."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from bench.seeding import all_day_centre, bench_manager
    from display.access import digest, new_secret
    from display.models import DisplayToken
    from service.db import install_sqlite_pragmas

    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    out: list[tuple[str, str]] = []
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        session.add(bench_manager(PASSWORD))
        rows = []
        for n in range(centres):
            centre = all_day_centre(f"c{n:03d}", f"Centre {n}", rooms=3)
            session.add(centre)
            rows.append(centre)
        await session.flush()
        for centre in rows:
            token = new_secret()
            session.add(DisplayToken(centre_id=centre.id, label="bench", token_hash=digest(token)))
            out.append((centre.slug, token))
        await session.commit()
    await engine.dispose()
    return out


# --- screens (client processes) -------------------------------------------------------------


async def screens_main(
    base: str, targets: list[tuple[str, str]], ready: Any, stop: Any, results: Any
) -> None:
    from websockets.asyncio.client import connect

    received: dict[str, array[float]] = defaultdict(lambda: array("d"))
    counts = {"snapshots": 0, "closed": 0, "connected": 0}
    gate = asyncio.Semaphore(100)

    async def screen(slug: str, token: str) -> None:
        async with gate:
            ws = await connect(
                f"{base}/ws/centres/{slug}?token={token}", open_timeout=60, max_queue=None
            )
        counts["connected"] += 1
        try:
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                kind = message["type"]
                if kind == "ping":
                    await ws.send('{"type":"pong"}')
                elif kind == "snapshot":
                    counts["snapshots"] += 1
                elif "ticket" in message:
                    received[f"{kind}:{message['ticket']['id']}"].append(now)
        except Exception:
            counts["closed"] += 1

    tasks = [asyncio.create_task(screen(slug, token)) for slug, token in targets]
    while counts["connected"] < len(targets):
        await asyncio.sleep(0.2)
        if all(t.done() for t in tasks):
            break
    ready.set()
    await asyncio.to_thread(stop.wait)
    results.put(({k: v.tolist() for k, v in received.items()}, counts))
    for task in tasks:
        task.cancel()


def screens_process(
    base: str, targets: list[tuple[str, str]], ready: Any, stop: Any, results: Any
) -> None:
    asyncio.run(screens_main(base, targets, ready, stop, results))


# --- the driver -----------------------------------------------------------------------------


async def drive(
    base: str, slugs: list[str], rate: float, seconds: float
) -> tuple[dict[str, float], list[float]]:
    """Check-in, call, start, round-robin over centres, at `rate` requests per second."""
    import httpx

    sent: dict[str, float] = {}
    response_times: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        login = await client.post(
            "/api/auth/login", json={"username": "bench", "password": PASSWORD}
        )
        login.raise_for_status()
        locks = {slug: asyncio.Lock() for slug in slugs}
        steps = dict.fromkeys(slugs, 0)
        called: dict[str, int] = {}

        async def step(slug: str) -> None:
            async with locks[slug]:
                n = steps[slug]
                steps[slug] += 1
                t0 = time.time()
                if n % 3 == 0:
                    response = await client.post(f"/api/centres/{slug}/tickets", json={})
                    kind = "ticket.checked_in"
                elif n % 3 == 1:
                    response = await client.post(
                        f"/api/centres/{slug}/call-next", json={"room": "1"}
                    )
                    kind = "ticket.called"
                elif slug in called:
                    response = await client.post(
                        f"/api/centres/{slug}/tickets/{called.pop(slug)}/start", json={}
                    )
                    kind = "ticket.start"
                else:
                    return  # the call was refused (room busy): nothing to start
                response_times.append(time.time() - t0)
                if response.status_code < 300:
                    ticket_id = response.json()["id"]
                    if kind == "ticket.called":
                        called[slug] = ticket_id
                    sent[f"{kind}:{ticket_id}"] = t0

        start = time.monotonic()
        pending: set[asyncio.Task[None]] = set()
        k = 0
        while time.monotonic() - start < seconds:
            task = asyncio.create_task(step(slugs[k % len(slugs)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
            k += 1
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
        if pending:
            await asyncio.wait(pending, timeout=60)
    return sent, response_times


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--screens", type=int, default=1000)
    parser.add_argument("--centres", type=int, default=50)
    parser.add_argument("--rates", default="2,20", help="events per second, one phase each")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()

    from bench.seeding import server_env
    from service.migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="bench-display-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(database_url)
    tokens = asyncio.run(seed(database_url, args.centres))
    port = 18000 + os.getpid() % 1000
    env = server_env(database_url, workdir)
    if args.redis_url:
        env["WALKIN_REDIS_URL"] = args.redis_url
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
         "--port", str(port), "--log-level", "warning", "--timeout-graceful-shutdown", "2",
         "--backlog", "4096"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            time.sleep(0.05)
        idle_rss = rss_kib(server.pid)
        targets = [tokens[i % len(tokens)] for i in range(args.screens)]
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        results = ctx.Queue()
        procs, readies = [], []
        t_connect = time.monotonic()
        for p in range(args.client_procs):
            ready = ctx.Event()
            share = targets[p :: args.client_procs]
            proc = ctx.Process(
                target=screens_process,
                args=(base.replace("http", "ws"), share, ready, stop, results),
            )
            proc.start()
            procs.append(proc)
            readies.append(ready)
        for ready in readies:
            ready.wait(600)
        connect_s = time.monotonic() - t_connect
        time.sleep(5)  # let the connection storm settle
        connected_rss = rss_kib(server.pid)
        print(
            f"screens: {args.screens} over {args.centres} centres,"
            f" {args.client_procs} client processes"
        )
        print(
            f"connected in {connect_s:.1f} s; server RSS idle {idle_rss / 1024:.0f} MiB, "
            f"with screens {connected_rss / 1024:.0f} MiB, "
            f"{(connected_rss - idle_rss) / max(1, args.screens):.1f} KiB per connection"
        )
        phases = []
        slugs = [slug for slug, _ in tokens]
        for rate in (float(r) for r in args.rates.split(",")):
            sent, response_times = asyncio.run(drive(base, slugs, rate, args.seconds))
            phases.append((rate, sent, response_times))
            time.sleep(2)  # let deliveries drain
        peak_rss = rss_kib(server.pid)
        stop.set()
        received: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, int] = defaultdict(int)
        for _ in procs:
            got, c = results.get(timeout=120)
            for key, times in got.items():
                received[key].extend(times)
            for key, value in c.items():
                counts[key] += value
        for proc in procs:
            proc.join(30)
        per_centre = args.screens / args.centres
        for rate, sent, response_times in phases:
            latencies = [(t - t0) * 1000 for key, t0 in sent.items() for t in received.get(key, [])]
            share = len(latencies) / max(1, len(sent) * per_centre)
            http_p50 = statistics.median(response_times) * 1000 if response_times else math.nan
            print(
                f"rate {rate:>5.0f} ev/s: {len(sent)} events, {len(latencies)} deliveries "
                f"({share:.1%} of expected), {len(latencies) / args.seconds:,.0f} deliveries/s;"
                f" latency ms p50 {percentile(latencies, 50):.0f}"
                f" p95 {percentile(latencies, 95):.0f} p99 {percentile(latencies, 99):.0f}"
                f" max {max(latencies, default=math.nan):.0f}; HTTP p50 {http_p50:.0f} ms"
            )
        print(
            f"snapshots received {counts['snapshots']} (one per screen on connect; more are"
            f" resyncs); screens closed {counts['closed']}; peak RSS {peak_rss / 1024:.0f} MiB"
        )
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
