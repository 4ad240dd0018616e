"""Check-in and call-next: the service against a minimal Litestar + asyncpg app doing the same
transactions, both under one uvicorn worker, driven by the same client, in interleaved rounds.

    .venv/bin/python bench/bench_checkin.py                       # 3 rounds of 600 check-ins
    .venv/bin/python bench/bench_checkin.py --rounds 5 --checkins 1000 --clients 20 --centres 3

Each server gets its own fresh PostgreSQL database (the service also its Redis bus, as in
production). A round runs, for each server in turn (the order alternates between rounds):
`--checkins` check-ins by `--clients` concurrent clients over `--centres` centres, then the
same clients empty the queues, each from its own room, with call-next followed by start (the
next call ends that consultation). Before the rounds, on a young day, each server gets check-
ins at a fixed `--fixed-rate` per second for `--fixed-seconds`. Printed per server and phase:
requests per second, server CPU per request (the server process's utime+stime from /proc around
the phase), p50/p99 latency; then the service/reference ratios and the machine's load average.
The client is a small keep-alive HTTP/1.1 client on asyncio streams so that it costs little
next to either server; it runs in this process, on the same cores as the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seeding import all_day_centre, bench_manager, server_env  # noqa: E402

PASSWORD = "bench-password"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Client:
    """One keep-alive HTTP/1.1 connection; enough for JSON posts to our two servers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie: str | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: Any) -> tuple[int, Any]:
        try:
            return await self._post(path, body)
        except (ConnectionError, IndexError):
            # The server closed an idle keep-alive connection before reading the request.
            self.writer = None
            return await self._post(path, body)

    async def _post(self, path: str, body: Any) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        )
        if self.cookie:
            head += f"Cookie: session={self.cookie}\r\n"
        self.writer.write(head.encode() + b"\r\n" + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "set-cookie" and value.strip().startswith("session="):
                self.cookie = value.strip().split(";", 1)[0].split("=", 1)[1] or None
        raw = await self.reader.readexactly(length) if length else b""
        return status, json.loads(raw) if raw else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Server:
    name: str
    url: str  # database
    prefix: str  # path prefix of the centre routes
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    clients: list[Client] = field(default_factory=list)


@dataclass
class Phase:
    requests: int
    seconds: float
    cpu_s: float
    latencies: list[float]

    def pick(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s / max(1, self.requests) * 1000


def merged(phases: list[Phase]) -> Phase:
    return Phase(
        sum(p.requests for p in phases),
        sum(p.seconds for p in phases),
        sum(p.cpu_s for p in phases),
        [x for p in phases for x in p.latencies],
    )


async def admin(url: str, statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def seed(url: str, centres: int) -> list[str]:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(url)
    slugs = [f"centre-{n}" for n in range(1, centres + 1)]
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        for slug in slugs:
            session.add(all_day_centre(slug, slug, rooms=8))
        session.add(bench_manager(PASSWORD))
        await session.commit()
    await engine.dispose()
    return slugs


async def checkins(server: Server, slugs: list[str], count: int) -> Phase:
    latencies: list[float] = []
    counter = iter(range(count))

    async def desk(client: Client) -> None:
        for i in counter:
            t0 = time.perf_counter()
            status, body = await client.post(
                f"{server.prefix}/centres/{slugs[i % len(slugs)]}/tickets",
                {"client_key": f"bench-{uuid.uuid4().hex}"},
            )
            latencies.append(time.perf_counter() - t0)
            assert status == 201, (status, body)

    assert server.process is not None
    cpu0, t0 = cpu_seconds(server.process.pid), time.perf_counter()
    await asyncio.gather(*(desk(c) for c in server.clients))
    elapsed = time.perf_counter() - t0
    return Phase(count, elapsed, cpu_seconds(server.process.pid) - cpu0, latencies)


async def calls(server: Server, slugs: list[str]) -> Phase:
    """Every client calls from its own room until its centre's queue is empty."""
    latencies: list[float] = []

    async def doctor(client: Client, slug: str, room: str) -> None:
        while True:
            t0 = time.perf_counter()
            status, body = await client.post(
                f"{server.prefix}/centres/{slug}/call-next", {"room": room}
            )
            latencies.append(time.perf_counter() - t0)
            if status == 404:
                return
            assert status == 200, (status, body)
            t0 = time.perf_counter()
            status, body = await client.post(
                f"{server.prefix}/centres/{slug}/tickets/{body['id']}/start", {}
            )
            latencies.append(time.perf_counter() - t0)
            assert status == 200, (status, body)

    assert server.process is not None
    cpu0, t0 = cpu_seconds(server.process.pid), time.perf_counter()
    await asyncio.gather(
        *(
            doctor(c, slugs[i % len(slugs)], str(1 + i // len(slugs)))
            for i, c in enumerate(server.clients)
        )
    )
    elapsed = time.perf_counter() - t0
    return Phase(len(latencies), elapsed, cpu_seconds(server.process.pid) - cpu0, latencies)


async def fixed_rate(server: Server, slugs: list[str], rate: float, seconds: float) -> Phase:
    """Open loop: a check-in every 1/rate s, from the clients in turn, whatever the answers."""
    latencies: list[float] = []
    free = list(server.clients)
    pending: set[asyncio.Task[None]] = set()

    async def one(i: int) -> None:
        client = free.pop() if free else Client(server.port)
        client.cookie = client.cookie or server.clients[0].cookie
        t0 = time.perf_counter()
        status, body = await client.post(
            f"{server.prefix}/centres/{slugs[i % len(slugs)]}/tickets",
            {"client_key": f"bench-{uuid.uuid4().hex}"},
        )
        latencies.append(time.perf_counter() - t0)
        free.append(client)
        assert status == 201, (status, body)

    assert server.process is not None
    count = int(rate * seconds)
    cpu0, start = cpu_seconds(server.process.pid), time.perf_counter()
    for i in range(count):
        task = asyncio.create_task(one(i))
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))
    if pending:
        await asyncio.wait(pending, timeout=60)
    elapsed = time.perf_counter() - start
    return Phase(count, elapsed, cpu_seconds(server.process.pid) - cpu0, latencies)


def start_server(
    server: Server, app: str, redis: str | None, workdir: Path, tree: Path = ROOT
) -> None:
    extra = {"WALKIN_CHECKIN_PER_MINUTE": "1000000"}  # a bench session is many desks at once
    if redis:
        extra["WALKIN_REDIS_URL"] = redis
    server.port = free_port()
    server.process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", app, "--port", str(server.port),
         "--log-level", "warning", "--timeout-keep-alive", "600"],
        cwd=tree, env=server_env(server.url, workdir, **extra),
    )  # fmt: skip


async def wait_ready(server: Server, clients: int, login: bool) -> None:
    for _ in range(200):
        try:
            probe = Client(server.port)
            await probe.post("/health-probe", {})
            await probe.close()
            break
        except OSError:
            await asyncio.sleep(0.1)
    server.clients = [Client(server.port) for _ in range(clients)]
    if login:
        for client in server.clients:
            status, _ = await client.post(
                "/api/auth/login", {"username": "bench", "password": PASSWORD}
            )
            assert status == 200 and client.cookie, status


def line(name: str, phase: Phase) -> str:
    return (
        f"  {name:<22} {phase.requests:6d} req {phase.rate:8.1f}/s  CPU {phase.cpu_ms:6.2f} ms/req"
        f"  p50 {phase.pick(0.5):7.1f} ms  p99 {phase.pick(0.99):7.1f} ms"
    )


async def run(args: argparse.Namespace, servers: list[Server], slugs: list[str]) -> None:
    for server in servers:
        await wait_ready(server, args.clients, login=server.name != "reference")
    results: dict[str, dict[str, list[Phase]]] = {
        s.name: {"check-in": [], "call-next+start": [], "fixed": []} for s in servers
    }
    loads = [os.getloadavg()]
    # First, on a young day: a centre sees a few hundred tickets a day, the rounds below
    # leave thousands, and the wait estimate the check-in answers with grows with the day.
    for server in servers:
        results[server.name]["fixed"].append(
            await fixed_rate(server, slugs, args.fixed_rate, args.fixed_seconds)
        )
    for r in range(args.rounds):
        for server in servers if r % 2 == 0 else servers[::-1]:
            results[server.name]["check-in"].append(await checkins(server, slugs, args.checkins))
            results[server.name]["call-next+start"].append(await calls(server, slugs))
        loads.append(os.getloadavg())
    for server in servers:
        for client in server.clients:
            await client.close()

    print(
        f"{args.rounds} interleaved rounds, {args.checkins} check-ins each, {args.clients} clients,"
        f" {len(slugs)} centres; fixed rate {args.fixed_rate:g}/s for {args.fixed_seconds:g} s"
    )
    for server in servers:
        print(server.name)
        for phase_name, phases in results[server.name].items():
            label = f"check-in @{args.fixed_rate:g}/s" if phase_name == "fixed" else phase_name
            print(line(label, merged(phases)))
    for name in [s.name for s in servers if s.name != "reference"]:
        print(f"{name} / reference")
        for phase_name in ("check-in", "call-next+start"):
            svc, ref = (merged(results[n][phase_name]) for n in (name, "reference"))
            per_round = ", ".join(
                f"{a.rate / b.rate:.2f}"
                for a, b in zip(
                    results[name][phase_name], results["reference"][phase_name], strict=True
                )
            )
            print(
                f"  {phase_name:<22} throughput {svc.rate / ref.rate:5.2f}x (rounds: {per_round})"
                f"  CPU/req {svc.cpu_ms / ref.cpu_ms:5.2f}x"
                f"  p50 {svc.pick(0.5) / ref.pick(0.5):5.2f}x"
            )
    print(
        "load average (1 min) during the run: "
        + ", ".join(f"{load[0]:.2f}" for load in loads)
        + f" on {os.cpu_count()} cores"
    )


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkins", type=int, default=600)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--centres", type=int, default=3)
    parser.add_argument("--fixed-rate", type=float, default=20)
    parser.add_argument("--fixed-seconds", type=float, default=10)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="a checkout of an earlier version (git archive REV | tar -x -C DIR), run as a third"
        " server in the same rounds: before/after under the same load",
    )
    args = parser.parse_args()

    from service.migrate import upgrade

    tag = uuid.uuid4().hex[:8]
    servers = [
        Server("service", args.database.rsplit("/", 1)[0] + f"/walkin_bench_svc_{tag}", "/api"),
        Server("reference", args.database.rsplit("/", 1)[0] + f"/walkin_bench_ref_{tag}", ""),
    ]
    if args.before is not None:
        url = args.database.rsplit("/", 1)[0] + f"/walkin_bench_old_{tag}"
        servers.append(Server("before", url, "/api"))
    workdir = Path(f"/tmp/bench-checkin-{tag}")
    workdir.mkdir()
    try:
        slugs: list[str] = []
        for server in servers:
            asyncio.run(admin(args.database, f'CREATE DATABASE "{server.url.rsplit("/", 1)[1]}"'))
            upgrade(server.url)
            slugs = asyncio.run(seed(server.url, args.centres))
        start_server(servers[0], "service.app:create_app", args.redis, workdir)
        start_server(servers[1], "bench.reference.checkin_app:create_app", None, workdir)
        if args.before is not None:
            start_server(servers[2], "service.app:create_app", args.redis, workdir, args.before)
        asyncio.run(asyncio.wait_for(run(args, servers, slugs), timeout=1800))
    finally:
        for server in servers:
            if server.process is not None:
                server.process.terminate()
                server.process.wait(10)
            asyncio.run(
                admin(
                    args.database,
                    f'DROP DATABASE IF EXISTS "{server.url.rsplit("/", 1)[1]}" WITH (FORCE)',
                )
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
