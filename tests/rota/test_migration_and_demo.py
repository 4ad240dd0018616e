"""Migration 0003 both ways, and the demo network loaded into an empty database."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from rota.demo_load import load_demo_network
from service.migrate import downgrade, upgrade
from tests.migrations import schema, scratch_database

pytestmark = pytest.mark.timeout(60)


def test_migration_0003_upgrades_and_downgrades(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0001")
        upgrade(url, "0003")
        downgrade(url, "0001")
        upgrade(url, "head")
        assert {"doctor", "shift", "leave", "cover_need", "calendar_token"} <= schema(url)[0]


async def test_demo_network_loads_in_seconds(db: async_sessionmaker[AsyncSession]) -> None:
    started = time.perf_counter()
    async with db() as session:
        centres = await load_demo_network(session, date(2026, 11, 24))
        await session.commit()
    elapsed = time.perf_counter() - started
    assert len(centres) == 26 and centres[0].slug == "paris-bastille" and centres[0].rooms
    async with db() as session:
        count = (await session.execute(select(func.count(models.Shift.id)))).scalar_one()
        doctors = (await session.execute(select(func.count(models.Doctor.id)))).scalar_one()
        linked = (
            await session.execute(text("SELECT count(*) FROM shift WHERE pattern_id IS NOT NULL"))
        ).scalar_one()
    assert count > 10_000 and doctors == 350 and linked > 0
    assert elapsed < 20  # a few seconds on a laptop; generous for a busy CI machine


def test_migration_0010_adds_and_removes_seniority_and_supervision(tmp_path: Path) -> None:
    with scratch_database(tmp_path) as url:
        upgrade(url, "0010_rota_planning")
        assert {"seniority", "supervisor_id"} <= schema(url, "doctor")[1]
        assert {"interns_need_supervisor", "juniors_need_senior"} <= schema(url, "centre")[1]
        assert {"doctor_id", "day", "part", "state"} <= schema(url, "availability")[1]
        assert {"month", "status", "published"} <= schema(url, "planning_cycle")[1]
        downgrade(url, "0007_audit_sqlite")
        assert "seniority" not in schema(url, "doctor")[1]
        assert "availability" not in schema(url)[0]
        upgrade(url, "head")
        assert "supervisor_id" in schema(url, "doctor")[1]


async def test_demo_network_has_juniors_and_interns_beside_seniors(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session:
        await load_demo_network(session, date(2026, 11, 24))
        await session.commit()
    async with db() as session:
        doctors = {d.id: d for d in (await session.execute(select(models.Doctor))).scalars()}
    interns = [d for d in doctors.values() if d.seniority == "intern"]
    juniors = [d for d in doctors.values() if d.seniority == "junior"]
    assert interns and juniors
    for intern in interns:
        assert intern.supervisor_id is not None
        assert doctors[intern.supervisor_id].seniority == "senior"


async def test_the_demo_doctor_has_a_record_and_next_month_has_availability(
    db: async_sessionmaker[AsyncSession],
) -> None:
    from datetime import UTC, datetime

    from service.accounts import StaffAccount
    from service.demo import seed_demo

    async with db() as session:
        assert await seed_demo(session, datetime(2026, 11, 24, 9, tzinfo=UTC)) is not None
        await session.commit()
    async with db() as session:
        account = (
            await session.execute(select(StaffAccount).where(StaffAccount.username == "docteur"))
        ).scalar_one()
        doctor = (
            await session.execute(
                select(models.Doctor).where(models.Doctor.account_id == account.id)
            )
        ).scalar_one()
        words = (
            await session.execute(
                select(func.count(models.Availability.id)).where(
                    models.Availability.day >= date(2026, 12, 1)
                )
            )
        ).scalar_one()
        wishes = (await session.execute(select(func.count(models.MonthWish.id)))).scalar_one()
        offers = (await session.execute(select(models.ShiftOffer))).scalars().all()
    assert doctor.seniority == "senior" and words > 1000 and wishes > 100
    # A colleague's give-away open to the demo doctor, one taken waiting for the managers.
    assert sorted(o.status for o in offers) == ["open", "taken"]
    assert all(doctor.id not in (o.from_doctor_id, o.taker_doctor_id) for o in offers)
