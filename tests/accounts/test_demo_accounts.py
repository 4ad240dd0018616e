"""The demo network's accounts: a centre manager of two centres, and a doctor's account linked
to a doctor's record of its centre, so that every new page shows something."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.accounts import Role, StaffAccount, managed_centre
from service.demo import DEMO_ROLES, seed_demo

pytestmark = pytest.mark.timeout(90)


async def test_the_demo_has_a_centre_manager_and_a_linked_doctor(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        password = await seed_demo(session, datetime(2026, 11, 24, 9, tzinfo=UTC))
    assert password
    async with db() as session:
        accounts = {a.username: a for a in (await session.execute(select(StaffAccount))).scalars()}
        assert set(accounts) == {name for name, *_ in DEMO_ROLES}
        boss = accounts["gestion"]
        assert Role(boss.role) is Role.CENTRE_MANAGER
        managed = await session.execute(
            select(managed_centre.c.centre_id).where(managed_centre.c.account_id == boss.id)
        )
        assert len(managed.all()) == 2
        linked = await session.execute(
            text("SELECT count(*) FROM doctor WHERE account_id = :id"),
            {"id": accounts["docteur"].id},
        )
        assert linked.scalar_one() == 1
