"""A Paris centre with ten weeks of history (busy Monday mornings) and doctors to plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models
from stats.figures import Figures
from stats.models import HourStats, figure_values
from tests.conftest import World

AS_OF = date(2026, 11, 24)  # the suite's clock: Tuesday 24 November 2026
MONDAY = date(2026, 12, 7)
PARIS = ZoneInfo("Europe/Paris")


def arrivals(day: date, hour: int) -> int:
    """Ten an hour on Monday mornings (08-12), four an hour otherwise."""
    return 10 if day.isoweekday() == 1 and hour < 12 else 4


async def seed_history(db: async_sessionmaker[AsyncSession], world: World) -> None:
    async with db() as session:
        paris = world.centres["paris"].id
        for back in range(1, 71):
            day = AS_OF - timedelta(days=back)
            for hour in range(8, 20):
                n = arrivals(day, hour)
                urgent = n // 10
                session.add(
                    HourStats(
                        centre_id=paris,
                        service_day=day,
                        hour=hour,
                        weekday=day.isoweekday(),
                        **figure_values(
                            Figures(arrivals_standard=n - urgent, arrivals_urgent=urgent)
                        ),
                    )
                )
        await session.commit()


async def paris_doctors(db: async_sessionmaker[AsyncSession], world: World, n: int) -> list[int]:
    ids = []
    async with db() as session:
        for k in range(n):
            doctor = models.Doctor(
                display_name=f"Dr Paris {k}",
                weekly_limit_hours=60.0,
                min_rest_hours=11.0,
                active=True,
            )
            session.add(doctor)
            await session.flush()
            session.add(
                models.DoctorCentre(doctor_id=doctor.id, centre_id=world.centres["paris"].id)
            )
            ids.append(doctor.id)
        await session.commit()
    return ids


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS).astimezone(UTC)


async def add_shift(
    db: async_sessionmaker[AsyncSession], world: World, doctor: int, day: date, start: int, end: int
) -> None:
    async with db() as session:
        session.add(
            models.Shift(
                doctor_id=doctor,
                centre_id=world.centres["paris"].id,
                starts_at=local(day, start),
                ends_at=local(day, end),
            )
        )
        await session.commit()
