"""A small rota on top of the shared world: doctors attached to centres, cover needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from tests.conftest import World

# The shared clock says Tuesday 24 November 2026; the rota is planned in December.
MONDAY = "2026-12-07"
TUESDAY = "2026-12-08"


@dataclass
class Rota:
    world: World
    doctors: dict[str, int]  # short name → doctor id


@pytest.fixture
async def rota(world: World, db: async_sessionmaker[AsyncSession]) -> Rota:
    """Alice (Paris), Bruno (Paris and Lyon), Chloé (Lyon), Dirk (Brussels).

    Paris needs one doctor 08:00–20:00 every day; the other centres have no needs.
    """
    people = {
        "alice": ("Dr Alice Martin", ["paris"], 48.0),
        "bruno": ("Dr Bruno Petit", ["paris", "lyon"], 48.0),
        "chloe": ("Dr Chloé Roux", ["lyon"], 20.0),
        "dirk": ("Dr Dirk Peeters", ["bruxelles"], 48.0),
    }
    ids: dict[str, int] = {}
    async with db() as session:
        for key, (name, slugs, limit) in people.items():
            doctor = models.Doctor(
                display_name=name, weekly_limit_hours=limit, min_rest_hours=11.0, active=True
            )
            session.add(doctor)
            await session.flush()
            ids[key] = doctor.id
            for slug in slugs:
                session.add(
                    models.DoctorCentre(doctor_id=doctor.id, centre_id=world.centres[slug].id)
                )
        for day_type in ("weekday", "weekend", "public_holiday"):
            session.add(
                models.CoverNeed(
                    centre_id=world.centres["paris"].id,
                    day_type=day_type,
                    start_time=time(8),
                    end_time=time(20),
                    doctors=1,
                )
            )
        await session.commit()
    return Rota(world, ids)
