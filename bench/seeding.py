"""What the feed benchmarks set up alike: their manager account, centres open all day, and the
environment of the service process they start."""

from __future__ import annotations

import os
from pathlib import Path

from rota.models import Centre, Room
from service.accounts import Role, StaffAccount, hash_password


def bench_manager(password: str) -> StaffAccount:
    return StaffAccount(
        username="bench",
        display_name="Bench",
        password_hash=hash_password(password),
        role=Role.MANAGER,
        active=True,
    )


def all_day_centre(slug: str, name: str, rooms: int) -> Centre:
    """Open every day 00:00-23:59, so a benchmark runs at any hour; rooms "1".."rooms"."""
    centre = Centre(
        slug=slug,
        name=name,
        timezone="Europe/Paris",
        opening_hours={str(d): [["00:00", "23:59"]] for d in range(1, 8)},
        event_seq=0,
    )
    centre.rooms = [Room(code=str(r), name=f"Cabinet {r}", position=r) for r in range(1, rooms + 1)]
    return centre


def server_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """The service process's environment: this database, no demo network, a throw-away key."""
    return {
        **os.environ,
        "WALKIN_DATABASE_URL": database_url,
        "WALKIN_DATA_DIR": str(workdir),
        "WALKIN_SECRET_KEY": "bench",
        "WALKIN_DEMO": "0",
        **extra,
    }
