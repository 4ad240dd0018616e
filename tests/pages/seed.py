"""Small networks for page tests and screenshots: centres, rooms and staff with known passwords."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from rota.models import Centre, Room
from service.accounts import Role, StaffAccount, hash_password
from service.db import install_sqlite_pragmas

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # slow on purpose: once per run
ALL_DAY = {str(day): [["00:00", "23:59"]] for day in range(1, 8)}


@dataclass(frozen=True)
class SeededCentre:
    slug: str
    name: str
    reception: str  # usernames, all with PASSWORD
    doctor: str
    other_doctor: str


async def seed_centre(database_url: str, slug: str, name: str, rooms: int = 3) -> SeededCentre:
    """A centre open all day with its rooms, a reception account and two doctors."""
    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    seeded = SeededCentre(slug, name, f"reception-{slug}", f"doctor-{slug}", f"doctor2-{slug}")
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            centre = Centre(
                slug=slug,
                name=name,
                timezone="Europe/Paris",
                country="FR",
                opening_hours=ALL_DAY,
                event_seq=0,
            )
            centre.rooms = [
                Room(code=str(n), name=f"Cabinet {n}", position=n) for n in range(1, rooms + 1)
            ]
            session.add(centre)
            await session.flush()
            for username, role in (
                (seeded.reception, Role.RECEPTION),
                (seeded.doctor, Role.DOCTOR),
                (seeded.other_doctor, Role.DOCTOR),
            ):
                session.add(
                    StaffAccount(
                        username=username,
                        display_name=username,
                        password_hash=_PASSWORD_HASH,
                        role=role,
                        centre_id=centre.id,
                        active=True,
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()
    return seeded


async def seed_manager(database_url: str, username: str = "manager") -> str:
    engine = create_async_engine(database_url)
    install_sqlite_pragmas(engine)
    try:
        async with async_sessionmaker(engine)() as session:
            session.add(
                StaffAccount(
                    username=username,
                    display_name="Network manager",
                    password_hash=_PASSWORD_HASH,
                    role=Role.MANAGER,
                    centre_id=None,
                    active=True,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()
    return username
