"""Time ``queues.estimator.estimate`` on realistic centre snapshots, and how long the service's
live estimate (snapshot from the database, then the simulation) blocks the event loop.

The service re-estimates on every queue change and on a timer. Goals: the estimate never
blocks the event loop for more than 20 ms at any queue size, and takes under 20 ms for 250 of
today's tickets with 40 waiting. Run from the repository root:

    python bench/bench_estimator.py            # both tables
    python bench/bench_estimator.py --loop     # the event-loop table only

The event-loop table builds a SQLite database per size (a centre, five doctors on the rota,
four of them in a room, today's tickets of which some are waiting), then asks the app's
``EstimateCache`` for a fresh estimate ten times while a probe task that sleeps 1 ms measures
how late it wakes up: its worst lateness is the longest the loop was blocked.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queues import estimator  # importable thanks to the path above
from queues.ordering import Priority

NOW = 14 * 60.0 + 7


def make_snapshot(n_waiting: int, n_doctors: int, seed: int) -> estimator.CentreSnapshot:
    """A mid-afternoon centre: a mix of full-day, morning-to-evening and lunch-gap rotas, most
    doctors in consultation, a day's worth of history, check-ins and finished consultations."""
    rng = random.Random(seed)
    rotas = [
        ((8 * 60.0, 20 * 60.0),),
        ((8 * 60.0, 14 * 60.0 + 30),),
        ((8 * 60.0, 12 * 60.0 + 30), (13 * 60.0 + 30, 20 * 60.0)),
        ((14 * 60.0, 20 * 60.0),),
        ((10 * 60.0, 18 * 60.0),),
    ]
    doctors = tuple(
        estimator.DoctorDay(f"d{i + 1}", rotas[i % len(rotas)], free_from=NOW - rng.uniform(0, 5))
        for i in range(n_doctors)
    )
    consultations = tuple(
        estimator.Consultation(d.doctor_id, NOW - rng.uniform(0, 15))
        for d in doctors[: max(1, n_doctors - 1)]
    )
    waiting = tuple(
        estimator.WaitingPatient(
            f"A{i:03d}",
            Priority.URGENT if rng.random() < 0.05 else Priority.STANDARD,
            NOW - 90 + i * 90 / max(1, n_waiting),
        )
        for i in range(n_waiting)
    )
    history = tuple(round(rng.lognormvariate(2.45, 0.5), 2) for _ in range(300))
    today = tuple(round(rng.lognormvariate(2.35, 0.5), 2) for _ in range(90))
    checkins = tuple(
        estimator.CheckIn(
            8 * 60.0 + i * 2.5, Priority.URGENT if rng.random() < 0.05 else Priority.STANDARD
        )
        for i in range(150)
    )
    return estimator.CentreSnapshot(
        now=NOW,
        opens=8 * 60.0,
        closes=20 * 60.0,
        turnover_min=1.0,
        waiting=waiting,
        consultations=consultations,
        doctors=doctors,
        today_consult_min=today,
        history_consult_min=history,
        checkins_today=checkins,
        left_unseen_today=9,
        waits_today_min=tuple(rng.uniform(0, 60) for _ in range(95)),
    )


LOOP_SIZES = ((250, 40), (1000, 300), (2500, 2500), (7567, 7567))  # today's tickets, waiting
LIVE_NOW = datetime(2026, 11, 24, 13, 7, tzinfo=UTC)  # 14:07 in Paris


async def _seed_day(url: str, tickets: int, waiting: int) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from queues.models import RoomPresence, Ticket
    from rota.models import Centre, Doctor, Room, Shift
    from service.accounts import Role, StaffAccount

    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as session:
        centre = Centre(
            slug="bench",
            name="Bench",
            timezone="Europe/Paris",
            opening_hours={str(d): [["08:00", "20:00"]] for d in range(1, 8)},
            event_seq=0,
        )
        centre.rooms = [Room(code=str(r), name=f"Cabinet {r}", position=r) for r in range(1, 6)]
        session.add(centre)
        await session.flush()
        day = centre.service_day(LIVE_NOW)
        opens = LIVE_NOW.replace(hour=7, minute=0)
        accounts = []
        for k in range(5):
            account = StaffAccount(
                username=f"d{k}",
                display_name=f"Dr {k}",
                password_hash="-",
                role=Role.DOCTOR,
                centre_id=centre.id,
                active=True,
            )
            session.add(account)
            await session.flush()
            accounts.append(account.id)
            doctor = Doctor(
                display_name=f"Dr {k}", weekly_limit_hours=48.0, active=True, account_id=account.id
            )
            session.add(doctor)
            await session.flush()
            session.add(
                Shift(
                    doctor_id=doctor.id,
                    centre_id=centre.id,
                    starts_at=opens,
                    ends_at=opens + timedelta(hours=12),
                )
            )
            if k < 4:
                session.add(
                    RoomPresence(
                        centre_id=centre.id,
                        service_day=day,
                        account_id=account.id,
                        room_id=centre.rooms[k].id,
                        state="present",
                        started_at=opens,
                        last_seen_at=LIVE_NOW,
                    )
                )
        rng = random.Random(7)
        span = (LIVE_NOW - opens).total_seconds()
        for n in range(1, tickets + 1):
            arrived = opens + timedelta(seconds=span * n / (tickets + 1))
            done = n <= tickets - waiting
            called = arrived + timedelta(minutes=rng.uniform(0, 40)) if done else None
            session.add(
                Ticket(
                    centre_id=centre.id,
                    service_day=day,
                    seq_no=n,
                    number=f"A{n:03d}",
                    priority="urgent" if rng.random() < 0.05 else "standard",
                    status="done" if done else "waiting",
                    checked_in_at=arrived,
                    queued_at=arrived,
                    call_count=1 if done else 0,
                    called_at=called,
                    called_by_id=accounts[n % 4] if done else None,
                    started_at=called,
                    ended_at=called + timedelta(minutes=rng.lognormvariate(2.4, 0.5))
                    if called
                    else None,
                )
            )
        await session.commit()
    await engine.dispose()


async def _loop_block(url: str, rounds: int = 10) -> tuple[float, float, float]:
    """Worst loop lateness, worst loop-thread CPU time between two wake-ups of the probe (the
    loop's own blocking, without the time other processes of a loaded machine took), and the
    median latency of fresh live estimates, in ms."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import selectinload

    from queues.live import EstimateCache, rota_shifts_today
    from rota.models import Centre

    engine = create_async_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    cache = EstimateCache(rota_shifts_today)
    worst = 0.0  # wall-clock lateness of the probe
    worst_cpu = 0.0  # the loop thread's CPU time between two probe wake-ups
    stop = False

    async def probe() -> None:
        nonlocal worst, worst_cpu
        while not stop:
            start, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - start - 0.001)
            worst_cpu = max(worst_cpu, time.thread_time() - cpu)

    latencies = []
    async with sessions() as session:
        centre = (
            await session.execute(select(Centre).options(selectinload(Centre.rooms)))
        ).scalar_one()
        await cache.get(session, centre, LIVE_NOW)  # warm up imports and caches
        gc.collect()
        gc.freeze()  # as the service does once started (queues.presence.frozen_start_up)
        watcher = asyncio.create_task(probe())
        await asyncio.sleep(0.01)
        worst = worst_cpu = 0.0
        for k in range(rounds):
            centre.event_seq += 1  # a change: no reuse of the cached estimate
            start = time.perf_counter()
            await cache.get(session, centre, LIVE_NOW + timedelta(seconds=k))
            latencies.append((time.perf_counter() - start) * 1000)
        stop = True
        await watcher
    await engine.dispose()
    return worst * 1000, worst_cpu * 1000, statistics.median(latencies)


def loop_table() -> None:
    from service.migrate import upgrade

    print(f"load: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    print(
        f"{'tickets':>7} {'waiting':>7} {'max block (CPU) ms':>19} {'max lateness ms':>16}"
        f" {'median estimate ms':>19}"
    )
    for tickets, waiting in LOOP_SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            upgrade(url)
            asyncio.run(_seed_day(url, tickets, waiting))
            late, block, latency = asyncio.run(_loop_block(url))
        print(f"{tickets:7d} {waiting:7d} {block:19.1f} {late:16.1f} {latency:19.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loop", action="store_true", help="the event-loop table only")
    args = parser.parse_args()
    if args.loop:
        loop_table()
        return 0
    print(f"{'waiting':>7} {'doctors':>7} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for n_waiting, n_doctors in ((0, 3), (10, 3), (40, 5), (60, 5), (60, 8)):
        timings: list[float] = []
        for seed in range(30):
            snap = make_snapshot(n_waiting, n_doctors, seed)
            start = time.perf_counter()
            estimator.estimate(snap)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(
            f"{n_waiting:7d} {n_doctors:7d} {statistics.median(timings):10.1f} "
            f"{timings[int(0.9 * (len(timings) - 1))]:8.1f} {timings[-1]:8.1f}"
        )
    print()
    loop_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
