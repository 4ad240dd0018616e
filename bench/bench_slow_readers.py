"""Clients that never read their feed: how soon they are dropped, what they cost the others.

    .venv/bin/python bench/bench_slow_readers.py --slow 200 --healthy 20 --rate 5 --seconds 60
    .venv/bin/python bench/bench_slow_readers.py ... --uvicorn-defaults   # as before the fix

One service process (embedded SQLite) with the options `walkin serve` gives uvicorn; `--slow`
WebSocket clients that send their handshake and never read a byte (a frozen TV, an attack),
`--healthy` screens that read and answer pings, and check-ins at `--rate` per second. Every
second it samples the server's sockets (`ss`): how many slow ones are still connected and the
bytes in their kernel send queues. It reports when the last slow client was dropped, the peak
of the send queues, and the healthy screens' event latency (request sent → event received).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench password"

SERVER = """
import sys, uvicorn
from service.app import create_app
from service.cli import server_options
from service.settings import Settings
settings = Settings.from_env()
options = server_options(settings)
options.pop("log_config"); options["log_level"] = "warning"
if sys.argv[2] == "defaults":
    for key in ("ws_max_size", "ws_ping_interval", "ws_ping_timeout"):
        options.pop(key)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), **options)
"""


async def seed(database_url: str, tokens: int) -> list[str]:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from bench.seeding import all_day_centre, bench_manager
    from display.access import digest, new_secret
    from display.models import DisplayToken

    engine = create_async_engine(database_url)
    secrets = [new_secret() for _ in range(tokens)]
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        session.add(bench_manager(PASSWORD))
        centre = all_day_centre("c0", "Centre", rooms=1)
        session.add(centre)
        await session.flush()
        for secret in secrets:
            session.add(DisplayToken(centre_id=centre.id, label="bench", token_hash=digest(secret)))
        await session.commit()
    await engine.dispose()
    return secrets


def never_reading(port: int, token: str) -> socket.socket:
    sock = socket.socket()
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        (
            f"GET /ws/centres/c0?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return sock


def slow_sockets(port: int, slow_ports: set[int]) -> tuple[int, int]:
    """(slow clients still connected, bytes queued for them in the kernel).

    On loopback what the server sent sits in the client's receive queue as much as in the
    server's send queue: both are counted."""
    out = subprocess.run(
        ["ss", "-tnH", "state", "established", f"( sport = :{port} or dport = :{port} )"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    connected = queued = 0
    for line in out.splitlines():
        recv_q, send_q, local, peer = line.split()[:4]
        if int(peer.rsplit(":", 1)[1]) in slow_ports:  # the server's end
            connected += 1
            queued += int(send_q)
        elif int(local.rsplit(":", 1)[1]) in slow_ports:  # the client's end
            queued += int(recv_q)
    return connected, queued


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


async def run(args: argparse.Namespace, port: int, tokens: list[str]) -> dict[str, float]:
    import httpx
    from websockets.asyncio.client import connect

    base = f"http://127.0.0.1:{port}"
    sent: dict[int, float] = {}
    latencies: list[float] = []

    async def healthy(token: str) -> None:
        async with connect(f"ws://127.0.0.1:{port}/ws/centres/c0?token={token}") as ws:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "ping":
                    await ws.send('{"type": "pong"}')
                elif message["type"] == "ticket.checked_in":
                    at = sent.get(message["ticket"]["id"])
                    if at is not None:
                        latencies.append(time.time() - at)

    readers = [asyncio.create_task(healthy(t)) for t in tokens[: args.healthy]]
    slow = [never_reading(port, t) for t in tokens[args.healthy :]]
    slow_ports = {sock.getsockname()[1] for sock in slow}
    await asyncio.sleep(1)
    started = time.monotonic()
    peak_queued, dropped_at = 0, float("nan")
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        (
            await client.post("/api/auth/login", json={"username": "bench", "password": PASSWORD})
        ).raise_for_status()
        next_sample = 0.0
        k = 0
        while time.monotonic() - started < args.seconds:
            t0 = time.time()
            response = await client.post("/api/centres/c0/tickets", json={})
            if response.status_code == 201:
                sent[response.json()["id"]] = t0
            now = time.monotonic() - started
            if now >= next_sample:
                next_sample = now + 1
                connected, queued = slow_sockets(port, slow_ports)
                peak_queued = max(peak_queued, queued)
                print(f"{now:5.1f} s: {connected} slow connected, {queued / 1e6:.1f} MB queued")
                if connected == 0 and dropped_at != dropped_at:
                    dropped_at = now
            k += 1
            await asyncio.sleep(max(0.0, started + k / args.rate - time.monotonic()))
    for task in readers:
        task.cancel()
    for sock in slow:
        sock.close()
    return {
        "dropped_at": dropped_at,
        "peak_mb": peak_queued / 1e6,
        "p50": pct(latencies, 50) * 1000,
        "p99": pct(latencies, 99) * 1000,
        "n": len(latencies),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--healthy", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--uvicorn-defaults", action="store_true")
    args = parser.parse_args()
    from bench.seeding import server_env
    from service.migrate import upgrade

    workdir = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    database_url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
    upgrade(database_url)
    tokens = asyncio.run(seed(database_url, args.slow + args.healthy))
    port = 19000 + os.getpid() % 1000
    env = server_env(database_url, workdir, WALKIN_CHECKIN_PER_MINUTE="100000")
    mode = "defaults" if args.uvicorn_defaults else "serve"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), mode], cwd=ROOT, env=env)
    try:
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        result = asyncio.run(run(args, port, tokens))
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"{mode}: {args.slow} never-reading clients dropped after {result['dropped_at']:.1f} s, "
        f"peak kernel queues {result['peak_mb']:.1f} MB; {args.healthy} healthy screens: "
        f"p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms over {result['n']} events"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
