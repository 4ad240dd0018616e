"""The embedded database (patient labels, phones, password hashes) is readable by its owner
only, like the secret key, with its WAL companions."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from service.db import install_sqlite_pragmas
from service.migrate import upgrade
from service.settings import Settings

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the usual default: new files rw-r--r--
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def _write_and_check_modes(url: str, database: Path) -> None:
    engine = create_async_engine(url)
    install_sqlite_pragmas(engine)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TABLE probe (x INTEGER)"))
            await conn.commit()
            # While a connection is open in WAL mode its -wal and -shm files exist.
            companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
            assert any(p.exists() for p in companions)
            for path in (database, *companions):
                if path.exists():
                    assert mode(path) == 0o600, (path.name, oct(mode(path)))
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("permissive_umask")
def test_the_embedded_database_and_its_wal_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WALKIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("WALKIN_SECRET_KEY", raising=False)
    monkeypatch.setenv("WALKIN_DATA_DIR", str(tmp_path / "var"))
    settings = Settings.from_env()
    upgrade(settings.database_url)  # runs its own event loop
    database = tmp_path / "var" / "walkin.sqlite3"
    asyncio.run(_write_and_check_modes(settings.database_url, database))
    assert mode(tmp_path / "var" / "secret_key") == 0o600


@pytest.mark.usefixtures("permissive_umask")
def test_a_database_created_world_readable_before_is_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "old.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    monkeypatch.setenv("WALKIN_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("WALKIN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WALKIN_SECRET_KEY", "test")
    Settings.from_env()
    assert mode(database) == 0o600
