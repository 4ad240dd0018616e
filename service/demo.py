"""The demo network loaded into an empty embedded database, so every page shows something."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import CentreDay, Ticket
from queues.numbering import ticket_number
from queues.ordering import Priority
from queues.states import TicketStatus
from rota.models import DEFAULT_OPENING_HOURS, Centre, Room
from service.accounts import Role, StaffAccount, hash_password


@dataclass(frozen=True)
class DemoCentre:
    slug: str
    name: str
    timezone: str
    country: str
    subdivision: str | None
    closes: str
    rooms: int


DEMO_CENTRES = (
    DemoCentre("paris-11", "Centre médical 7/7 Paris 11e", "Europe/Paris", "FR", None, "22:00", 5),
    DemoCentre(
        "lyon-part-dieu",
        "Centre médical 7/7 Lyon Part-Dieu",
        "Europe/Paris",
        "FR",
        None,
        "20:00",
        4,
    ),
    DemoCentre(
        "strasbourg-gare",
        "Centre médical 7/7 Strasbourg Gare",
        "Europe/Paris",
        "FR",
        "6AE",
        "20:00",
        3,
    ),
    DemoCentre(
        "bruxelles-midi",
        "Centre médical 7/7 Bruxelles-Midi",
        "Europe/Brussels",
        "BE",
        None,
        "20:00",
        3,
    ),
)

DEMO_ROLES = (
    ("manager", "Responsable réseau (démo)", Role.MANAGER, False),
    ("accueil", "Accueil Paris 11e (démo)", Role.RECEPTION, True),
    ("docteur", "Dr Démo (Paris 11e)", Role.DOCTOR, True),
)


async def seed_demo(session: AsyncSession, now: datetime) -> str | None:
    """Load the demo network into an empty database; returns the demo password, else None."""
    if (await session.execute(select(func.count(Centre.id)))).scalar_one() > 0:
        return None
    centres: list[Centre] = []
    for spec in DEMO_CENTRES:
        hours = {day: [["08:00", spec.closes]] for day in DEFAULT_OPENING_HOURS}
        centre = Centre(
            slug=spec.slug,
            name=spec.name,
            timezone=spec.timezone,
            country=spec.country,
            subdivision=spec.subdivision,
            opening_hours=hours,
            event_seq=0,
        )
        centre.rooms = [
            Room(code=str(n), name=f"Cabinet {n}", position=n) for n in range(1, spec.rooms + 1)
        ]
        session.add(centre)
        centres.append(centre)
    await session.flush()

    password = secrets.token_urlsafe(9)
    password_hash = hash_password(password)
    for username, display_name, role, at_centre in DEMO_ROLES:
        session.add(
            StaffAccount(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                role=role,
                centre_id=centres[0].id if at_centre else None,
                active=True,
            )
        )

    # A few patients already waiting today, so the queue and screens are not empty.
    for index, centre in enumerate(centres):
        day = centre.service_day(now)
        waiting = 6 - index
        for n in range(1, waiting + 1):
            priority = Priority.URGENT if n == 3 else Priority.STANDARD
            arrived = now - timedelta(minutes=7 * (waiting - n) + 2)
            session.add(
                Ticket(
                    centre_id=centre.id,
                    service_day=day,
                    seq_no=n,
                    number=ticket_number(priority, n),
                    priority=priority,
                    status=TicketStatus.WAITING,
                    checked_in_at=arrived,
                    queued_at=arrived,
                    call_count=0,
                )
            )
        session.add(CentreDay(centre_id=centre.id, service_day=day, last_seq_no=waiting))
    await session.commit()
    return password
