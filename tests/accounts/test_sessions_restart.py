"""Staff sessions outlive a restart of the service: the real `walkin serve` process, signed in
to, stopped and started again; the same cookie still works. On both tiers: the embedded
SQLite keeps sessions in files beside its database, PostgreSQL in its session table."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import PASSWORD, World
from tests.pages.server import free_port

pytestmark = pytest.mark.timeout(90)

ROOT = Path(__file__).resolve().parents[2]


def _spawn(database_url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WALKIN_DATABASE_URL": database_url,
        "WALKIN_SECRET_KEY": "restart-test-secret",
        "WALKIN_DATA_DIR": str(data_dir),
        "WALKIN_DEMO": "0",
    }
    env.pop("WALKIN_REDIS_URL", None)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "walkin"), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _serve(database_url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    process = _spawn(database_url, port, data_dir)
    async with httpx.AsyncClient() as probe:
        for _ in range(400):
            if process.poll() is not None:
                raise RuntimeError(f"walkin serve exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await probe.get(f"http://127.0.0.1:{port}/health/live")).status_code == 200:
                    return process
            await asyncio.sleep(0.05)
    process.kill()
    raise RuntimeError("walkin serve did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


async def test_the_same_cookie_works_after_a_restart(
    database_url: str, world: World, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = await _serve(database_url, port, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=base) as desk:
            signed_in = await desk.post(
                "/api/auth/login", json={"username": "reception-paris", "password": PASSWORD}
            )
            assert signed_in.status_code == 200, signed_in.text
            assert (await desk.get("/api/auth/me")).status_code == 200
            _stop(process)
            process = await _serve(database_url, port, tmp_path)
            me = await desk.get("/api/auth/me")
            assert me.status_code == 200, me.text
            assert me.json()["username"] == "reception-paris"
            # Signing out still ends it for good, restart or not.
            await desk.post("/api/auth/logout")
            _stop(process)
            process = await _serve(database_url, port, tmp_path)
            assert (await desk.get("/api/auth/me")).status_code == 401
    finally:
        _stop(process)
