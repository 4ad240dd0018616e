"""Waiting-room feed benchmark: many screens on one service process, and a plain `websockets`
broadcast server (bench/reference/broadcast_server.py) given the same screens and rates.

    .venv/bin/python bench/bench_display.py --screens 5000 --centres 50 \
        --rates 20,50 --seconds 10 --client-procs 2
    ... --targets service --deflate   # the service with permessage-deflate, as before
    ... --events http                 # events made by check-in/call/start requests

For each target in turn: starts it (the service as `walkin serve` runs it: uvicorn with the
service's options, embedded SQLite and in-process bus unless --database-url/--redis-url; a
display token per screen), opens the screens (WebSocket clients spread evenly over the
centres) from separate client processes, then drives events at each rate in turn, round-robin
over the centres. For the service, by default, through a control port of the service process
(bench/event_control.py: each event one change through the change path, as a queue change:
the centre's sequence bumped and committed, the event published after the commit), since
through the API the requests that make the events saturated the SQLite pool from about 10
events/s; with `--events http`, through its HTTP API (check-in, call, start, one signed-in
session with the per-session check-in limit lifted). For the reference, the same number of
event messages through its control socket. For every event delivered to a screen it
measures the latency from the moment the event was sent (for the service this includes the
change's commit, and with `--events http` the request), and reports p50/p95/p99, deliveries
per second, the server's CPU over the phase (from /proc) per delivery (the service's includes
making the events: their commits, or with `--events http` the requests), snapshots (resyncs)
seen, and the server's RSS growth per screen.
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

SERVER = """
import sys, uvicorn
from service.cli import server_options
from service.settings import Settings
options = server_options(Settings.from_env())
options.pop("log_config"); options["log_level"] = "warning"
if sys.argv[2] == "1":
    options["ws_per_message_deflate"] = True
app = "service.app:create_app"
if len(sys.argv) > 3:  # events through a control port (bench/event_control.py)
    from bench.event_control import app_factory
    app = app_factory(int(sys.argv[3]))
uvicorn.run(app, factory=True, port=int(sys.argv[1]), backlog=4096, **options)
"""


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def seed(database_url: str, centres: int, screens: int) -> list[tuple[str, str]]:
    """Centres with three rooms, a manager, and a display token per screen (each TV is paired
    on its own: one token holds at most WALKIN_FEEDS_PER_DISPLAY_TOKEN feeds)."""
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
        for i in range(screens):
            centre = rows[i % centres]
            token = new_secret()
            session.add(DisplayToken(centre_id=centre.id, label="bench", token_hash=digest(token)))
            out.append((centre.slug, token))
        await session.commit()
    await engine.dispose()
    return out


# --- screens (client processes) -------------------------------------------------------------


async def screens_main(
    base: str, targets: list[tuple[str, str]], ready: Any, stop: Any, results: Any, snapshot: bool
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
    # Ready when every screen is served: for the service, when it has its first snapshot
    # (the handshake's 101 comes before the token is checked and the screen attached).
    while counts["snapshots" if snapshot else "connected"] < len(targets):
        await asyncio.sleep(0.2)
        if all(t.done() for t in tasks):
            break
    ready.set()
    await asyncio.to_thread(stop.wait)
    results.put(({k: v.tolist() for k, v in received.items()}, counts))
    for task in tasks:
        task.cancel()


def screens_process(
    base: str, targets: list[tuple[str, str]], ready: Any, stop: Any, results: Any, snapshot: bool
) -> None:
    asyncio.run(screens_main(base, targets, ready, stop, results, snapshot))


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


REFERENCE_IDS = iter(range(1, 10**9))  # ticket ids unique over the phases
KINDS = ("ticket.checked_in", "ticket.called", "ticket.start")


def bench_ticket(ticket_id: int, k: int) -> dict[str, Any]:
    return {
        "id": ticket_id, "number": f"A{k % 1000:03d}", "priority": "standard",
        "status": "waiting", "room": "1", "room_name": "Cabinet 1",
        "called_at": None, "call_count": 0,
    }  # fmt: skip


async def drive_direct(
    control_port: int, slugs: list[str], rate: float, seconds: float
) -> tuple[dict[str, float], list[float]]:
    """The same events, made in the service process through its control port."""
    sent: dict[str, float] = {}
    _, writer = await asyncio.open_connection("127.0.0.1", control_port)
    start = time.monotonic()
    k = 0
    while time.monotonic() - start < seconds:
        slug = slugs[k % len(slugs)]
        kind = KINDS[(k // len(slugs)) % 3]
        ticket_id = next(REFERENCE_IDS)
        t0 = time.time()
        line = {"type": kind, "centre": slug, "ticket": bench_ticket(ticket_id, k)}
        writer.write(json.dumps(line).encode() + b"\n")
        await writer.drain()
        sent[f"{kind}:{ticket_id}"] = t0
        k += 1
        await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
    writer.close()
    return sent, []


async def drive_reference(
    base: str, slugs: list[str], rate: float, seconds: float
) -> tuple[dict[str, float], list[float]]:
    """The same events, sent to the plain broadcast server through its control socket."""
    from websockets.asyncio.client import connect

    sent: dict[str, float] = {}
    async with connect(f"{base}/control") as control:
        start = time.monotonic()
        k = 0
        while time.monotonic() - start < seconds:
            slug = slugs[k % len(slugs)]
            kind = KINDS[(k // len(slugs)) % 3]
            ticket_id = next(REFERENCE_IDS)
            ticket = bench_ticket(ticket_id, k)
            t0 = time.time()
            await control.send(
                json.dumps({"type": kind, "centre": slug, "seq": k, "ticket": ticket})
            )
            sent[f"{kind}:{ticket_id}"] = t0
            k += 1
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
    return sent, []


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_service(args: argparse.Namespace, workdir: Path, port: int) -> tuple[Any, list[Any]]:
    from bench.seeding import server_env
    from service.migrate import upgrade

    database_url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(database_url)
    tokens = asyncio.run(seed(database_url, args.centres, args.screens))
    # The driver is one signed-in session doing every centre's desk work: lift the
    # per-session check-in limit, which it would trip from 1 check-in per second.
    env = server_env(database_url, workdir, WALKIN_CHECKIN_PER_MINUTE="1000000")
    if args.redis_url:
        env["WALKIN_REDIS_URL"] = args.redis_url
    # Served as `walkin serve` serves it: the same uvicorn options (WebSocket pings, frame
    # limit, compression), less the access log.
    command = [sys.executable, "-c", SERVER, str(port), "1" if args.deflate else "0"]
    if args.events == "direct":
        command.append(str(port + 1))
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    return server, tokens


def start_reference(centres: int, screens: int, port: int) -> tuple[Any, list[Any]]:
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.reference.broadcast_server", str(port)], cwd=ROOT
    )
    return server, [(f"c{n % centres:03d}", "none") for n in range(screens)]


def wait_listening(port: int) -> None:
    import socket

    for _ in range(400):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)


def run_target(args: argparse.Namespace, name: str, workdir: Path) -> list[str]:
    port = 18000 + (os.getpid() + (0 if name == "service" else 500)) % 1000
    if name == "service":
        server, tokens = start_service(args, workdir, port)
    else:
        server, tokens = start_reference(args.centres, args.screens, port)
    base = f"http://127.0.0.1:{port}"
    report: list[str] = []
    try:
        wait_listening(port)
        if name == "service":
            import httpx

            for _ in range(200):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                time.sleep(0.05)
        idle_rss = rss_kib(server.pid)
        targets = tokens[: args.screens]
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
                args=(base.replace("http", "ws"), share, ready, stop, results, name == "service"),
            )
            proc.start()
            procs.append(proc)
            readies.append(ready)
        for ready in readies:
            ready.wait(600)
        connect_s = time.monotonic() - t_connect
        time.sleep(5)  # let the connection storm settle
        connected_rss = rss_kib(server.pid)
        report.append(
            f"{name}: {args.screens} screens over {args.centres} centres, connected and served in"
            f" {connect_s:.1f} s; RSS idle {idle_rss / 1024:.0f} MiB, with screens"
            f" {connected_rss / 1024:.0f} MiB,"
            f" {(connected_rss - idle_rss) / max(1, args.screens):.1f} KiB per screen"
        )
        phases = []
        slugs = sorted({slug for slug, _ in tokens})
        for rate in (float(r) for r in args.rates.split(",")):
            cpu0 = cpu_seconds(server.pid)
            if name != "service":
                run = drive_reference(base.replace("http", "ws"), slugs, rate, args.seconds)
            elif args.events == "direct":
                run = drive_direct(port + 1, slugs, rate, args.seconds)
            else:
                run = drive(base, slugs, rate, args.seconds)
            sent, response_times = asyncio.run(run)
            time.sleep(2)  # let deliveries drain
            phases.append((rate, sent, response_times, cpu_seconds(server.pid) - cpu0))
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
        for rate, sent, response_times, cpu_s in phases:
            latencies = [(t - t0) * 1000 for key, t0 in sent.items() for t in received.get(key, [])]
            share = len(latencies) / max(1, len(sent) * per_centre)
            http_p50 = statistics.median(response_times) * 1000 if response_times else math.nan
            report.append(
                f"  {rate:>4.0f} ev/s: {len(sent)} events, {len(latencies)} deliveries"
                f" ({share:.1%} of expected), {len(latencies) / args.seconds:,.0f}/s;"
                f" latency ms p50 {percentile(latencies, 50):.0f}"
                f" p95 {percentile(latencies, 95):.0f} p99 {percentile(latencies, 99):.0f}"
                f" max {max(latencies, default=math.nan):.0f}; server CPU"
                f" {cpu_s / (args.seconds + 2):.0%} of a core,"
                f" {cpu_s * 1e6 / max(1, len(latencies)):.0f} us per delivery;"
                f" HTTP p50 {http_p50:.0f} ms"
            )
            # Where the missing deliveries are: in the phase's first 2 s (screens of a slow
            # connection storm still reading their first snapshot) or later.
            first = min(sent.values(), default=0.0)
            missing = [
                (t0 - first < 2, max(0, round(per_centre) - len(received.get(key, []))))
                for key, t0 in sent.items()
            ]
            early = sum(n for is_early, n in missing if is_early)
            late = sum(n for is_early, n in missing if not is_early)
            report.append(f"        missing deliveries: {early} in the first 2 s, {late} after")
        report.append(
            f"  snapshots received {counts['snapshots']} (one per screen on connect; more are"
            f" resyncs); screens closed {counts['closed']}; peak RSS {peak_rss / 1024:.0f} MiB"
        )
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if server.poll() is None:
            server.kill()
    return report


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
    parser.add_argument(
        "--targets", default="service,reference", help="service, reference, or both in turn"
    )
    parser.add_argument(
        "--deflate", action="store_true", help="the service with permessage-deflate (as before)"
    )
    parser.add_argument(
        "--events",
        choices=("direct", "http"),
        default="direct",
        help="how the service's events are made: its control port, or check-in/call/start",
    )
    args = parser.parse_args()

    lines: list[str] = []
    load = [os.getloadavg()[0]]
    for name in args.targets.split(","):
        workdir = Path(tempfile.mkdtemp(prefix="bench-display-"))
        lines += run_target(args, name, workdir)
        load.append(os.getloadavg()[0])
    print("\n".join(lines))
    print(
        "load average (1 min): "
        + ", ".join(f"{x:.2f}" for x in load)
        + f" on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
