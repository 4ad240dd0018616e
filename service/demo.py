"""The demo network loaded into an empty embedded database, so every page shows something."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import CentreDay, Ticket
from queues.numbering import ticket_number
from queues.ordering import Priority
from queues.states import TicketStatus
from rota.demo_load import load_demo_network
from rota.models import Centre
from service.accounts import Role, StaffAccount, hash_password

DEMO_ROLES = (
    ("manager", "Responsable réseau (démo)", Role.MANAGER, False),
    ("accueil", "Accueil Paris Bastille (démo)", Role.RECEPTION, True),
    ("docteur", "Dr Démo (Paris Bastille)", Role.DOCTOR, True),
)


async def seed_demo(session: AsyncSession, now: datetime) -> str | None:
    """Load the demo network into an empty database; returns the demo password, else None."""
    if (await session.execute(select(func.count(Centre.id)))).scalar_one() > 0:
        return None
    password = secrets.token_urlsafe(9)
    password_hash = hash_password(password)
    accounts = []
    for username, display_name, role, at_centre in DEMO_ROLES:
        account = StaffAccount(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            centre_id=None,
            active=True,
        )
        session.add(account)
        accounts.append((account, at_centre))
    await session.flush()
    # The rota's demo network: 26 centres, 350 doctors, a month of shifts and leave; the demo
    # doctor's account becomes one of its doctors.
    centres = await load_demo_network(session, now.date(), doctor_account="docteur")
    for account, at_centre in accounts:
        if at_centre:
            account.centre_id = centres[0].id

    # A few patients already waiting today, so the queue and screens are not empty.
    for index, centre in enumerate(centres[:4]):
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
