"""The demo network loaded into an empty embedded database, so every page shows something."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import column, func, insert, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from queues.links import link_token, token_digest
from queues.models import CentreDay, RemoteJoin, Ticket
from queues.numbering import ticket_number
from queues.ordering import Priority
from queues.states import TicketStatus
from rota.demo_load import load_demo_network
from rota.models import Centre
from service.accounts import Role, StaffAccount, hash_password, managed_centre

# The rota's tables, named for the one link the demo makes (a doctor's record to its account).
# The screens' table, for a few paired screens the home and the screens page can show.
_DISPLAY_TOKEN = table(
    "display_token",
    column("centre_id"),
    column("label"),
    column("token_hash"),
    column("last_seen_at", DateTimeUTC(timezone=True)),
    column("created_at", DateTimeUTC(timezone=True)),
    column("updated_at", DateTimeUTC(timezone=True)),
)

DEMO_ROLES = (
    ("manager", "Responsable réseau (démo)", Role.MANAGER, False),
    # Runs the first two centres of the network (their accounts, rota and settings).
    ("gestion", "Responsable de centre Paris (démo)", Role.CENTRE_MANAGER, False),
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
            session_generation=0,
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
        if account.role is Role.CENTRE_MANAGER:
            await session.execute(
                insert(managed_centre),
                [{"account_id": account.id, "centre_id": centre.id} for centre in centres[:2]],
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
    # Paired screens with tokens nobody knows (a TV pairs for real from /display/pair): one
    # heard from just now, one silent for twenty minutes, which the home flags.
    screens = [(centres[0], "Salle d'attente", now), (centres[1], "Salle d'attente", now)]
    screens.append((centres[1], "Hall d'entrée", now - timedelta(minutes=20)))
    await session.execute(
        insert(_DISPLAY_TOKEN),
        [
            {
                "centre_id": centre.id,
                "label": label,
                "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                "last_seen_at": seen,
                "created_at": now,
                "updated_at": now,
            }
            for centre, label, seen in screens
        ],
    )
    await session.flush()
    if secret_key:
        for ticket in tickets:
            token = link_token(secret_key, ticket.id, ticket.service_day, ticket.checked_in_at)
            ticket.link_hash = token_digest(token)
    # What each feature adds (the demo doctor's rota record, weeks of statistics...).
    from service.app import features

    for feature in features():
        if feature.demo is not None:
            await feature.demo(session, now)
    await session.commit()
    return password
