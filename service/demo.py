"""The demo network loaded into an empty embedded database, so every page shows something."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.links import link_token, token_digest
from queues.models import CentreDay, RemoteJoin, Ticket
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


async def seed_demo(
    session: AsyncSession, now: datetime, secret_key: str | None = None
) -> str | None:
    """Load the demo network into an empty database; returns the demo password, else None.
    With the service's secret key, the demo tickets get their patient links too."""
    if (await session.execute(select(func.count(Centre.id)))).scalar_one() > 0:
        return None
    # The rota's demo network: 26 centres, 350 doctors, a month of shifts and leave.
    centres = await load_demo_network(session, now.date())

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

    # A few patients already waiting today, so the queue and screens are not empty; the first
    # two centres take tickets from home, and the first has one on its way.
    tickets: list[Ticket] = []
    for index, centre in enumerate(centres[:4]):
        if index < 2:
            session.add(RemoteJoin(centre_id=centre.id, enabled=True, max_share=0.3, grace_min=15))
        day = centre.service_day(now)
        waiting = 6 - index
        for n in range(1, waiting + 1):
            priority = Priority.URGENT if n == 3 else Priority.STANDARD
            arrived = now - timedelta(minutes=7 * (waiting - n) + 2)
            from_home = index == 0 and n == waiting
            ticket = Ticket(
                centre_id=centre.id,
                service_day=day,
                seq_no=n,
                number=ticket_number(priority, n),
                priority=priority,
                status=TicketStatus.NOT_ARRIVED if from_home else TicketStatus.WAITING,
                remote=from_home,
                checked_in_at=arrived,
                queued_at=arrived,
                call_count=0,
                notified="",
            )
            session.add(ticket)
            tickets.append(ticket)
        session.add(CentreDay(centre_id=centre.id, service_day=day, last_seq_no=waiting))
    await session.flush()
    if secret_key:
        for ticket in tickets:
            token = link_token(secret_key, ticket.id, ticket.service_day, ticket.checked_in_at)
            ticket.link_hash = token_digest(token)
    await session.commit()
    return password
