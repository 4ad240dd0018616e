"""A live session id never reaches the logs, even when the session store's database fails."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import StaffClients

pytestmark = [pytest.mark.timeout(60), pytest.mark.postgres]


async def test_a_session_store_error_does_not_log_the_session_id(
    clients: StaffClients,
    db: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    manager = await clients("manager")
    session_id = str(manager.cookies.get("session"))
    async with db() as session:
        await session.execute(text("ALTER TABLE session_store RENAME TO session_store_away"))
        await session.commit()
    try:
        with caplog.at_level(logging.DEBUG):
            response = await manager.get("/api/auth/me")
    finally:
        async with db() as session:
            await session.execute(text("ALTER TABLE session_store_away RENAME TO session_store"))
            await session.commit()
    assert response.status_code >= 400
    assert "session_store" in caplog.text  # the error itself was logged...
    assert session_id not in caplog.text  # ...without the id it was looking up
